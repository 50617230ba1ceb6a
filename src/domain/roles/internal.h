/*
 * Internals shared by the files of src/domain/roles/; no other folder
 * includes this.
 */
#ifndef FIRELATER_DOMAIN_ROLES_INTERNAL_H
#define FIRELATER_DOMAIN_ROLES_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "firelater/roles.h"

/* A JSON array of "resource:action" strings -> a set; false when an element is unknown. */
bool fl__roles_perms_from_json(const json_t *arr, fl_perms_t *out);

/* A role's description of a permission: "Read users", or manage's "Every action on ...". */
void fl__roles_perm_description(fl_resource_t r, fl_action_t a, char *buf, size_t len);

#endif
