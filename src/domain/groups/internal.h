/*
 * Internals shared by the files of src/domain/groups/; no other folder
 * includes this.
 */
#ifndef FIRELATER_DOMAIN_GROUPS_INTERNAL_H
#define FIRELATER_DOMAIN_GROUPS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "firelater/groups.h"

/* A field of a group body: its JSON name and flag, in the order events list them. */
typedef struct fl__group_field {
    const char *name;
    unsigned flag;
} fl__group_field_t;

/* name, description, type, parent_id, manager_id, email: NULL-name terminated. */
extern const fl__group_field_t fl__group_fields[];

/* The text value of a field of g or f ("" ids of g are NULL: unset). */
const char *fl__group_text(const fl_group_state_t *g, unsigned flag);
const char *fl__group_fields_text(const fl_group_fields_t *f, unsigned flag);

/* json_string(s), or json_null() when s is NULL; t as RFC 3339, or null when 0. */

/* Role names as a JSON array; equal sorted name lists. */
json_t *fl__groups_jnames(const char *const *names, size_t n);
bool fl__groups_same_names(const char *const *a, size_t na, const char *const *b, size_t nb);

/* An id field: NULL for "" (unset), else the id. */
const char *fl__groups_id_or_null(const char *id);

/* Field rules (validate.c). An embedded NUL fails every rule. */
bool fl__groups_email_ok(const char *s, size_t len);
size_t fl__groups_utf8_chars(const char *s);
bool fl__groups_has_control(const char *s, size_t len, bool allow_newlines);

/* decide.c: the lifecycle check and the group's own event. */
typedef enum fl__group_op {
    FL__GROUP_OP_UPDATE,
    FL__GROUP_OP_DELETE,
    FL__GROUP_OP_ADD_MEMBER,
    FL__GROUP_OP_REMOVE_MEMBER,
    FL__GROUP_OP__N,
} fl__group_op_t;

int fl__groups_check_lifecycle(const fl_group_state_t *g, fl__group_op_t op, fl_decision_t *d);

/* Expects g's stream (expected, or g->version for FL_LOG_ANY) and emits one event on it. */
int fl__groups_emit(const fl_cmd_ctx_t *ctx, const fl_group_state_t *g, int64_t expected,
                    const char *type, json_t *data, fl_decision_t *d);

/* group.name_claimed / group.name_released on the name's claim stream, at `version`. */
int fl__groups_emit_claim(const fl_cmd_ctx_t *ctx, const char *type, const char *name,
                          const char *group_id, int64_t version, fl_decision_t *d);

/* refs.c: the checks of what a command refers to (422 / 409). */
int fl__groups_check_parent(const fl_group_state_t *self, const char *parent_id,
                            const fl_group_refs_t *refs, fl_decision_t *d);
int fl__groups_check_manager(const char *manager_id, const fl_group_refs_t *refs, fl_decision_t *d);
bool fl__groups_name_taken(const fl_group_name_claim_state_t *claim, const char *group_id);

/* query.c: the paged statements' shared builder. */
typedef struct fl__groups_sqlb {
    char buf[8192];
    size_t len;
} fl__groups_sqlb_t;

__attribute__((format(printf, 2, 3))) void fl__groups_add(fl__groups_sqlb_t *b, const char *fmt,
                                                          ...);

/* to_char(<expr> AT TIME ZONE 'UTC', RFC 3339 with µs) */
#define FL__GROUPS_TS(expr)                                                                        \
    "to_char(" expr " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

/* The API's columns of a groups row aliased s (roles: names of live roles, as strcmp sorts). */
#define FL__GROUPS_COLUMNS                                                                         \
    "s.id, s.name, s.description, s.type, s.parent_id, s.manager_id, s.email,"                     \
    " s.settings::text AS settings, " FL__GROUPS_TS(                                               \
        "s.created_at") " AS created_at, " FL__GROUPS_TS("s.updated_at") " AS updated_at, "        \
                                                                         "s.version::text AS "     \
                                                                         "version,"                \
                                                                         " (SELECT count(*) FROM " \
                                                                         "group_members m WHERE "  \
                                                                         "m.group_id = "           \
                                                                         "s.id)::text AS "         \
                                                                         "member_count,"           \
                                                                         " array_to_json(ARRAY("   \
                                                                         "SELECT r.name FROM "     \
                                                                         "group_roles gr JOIN "    \
                                                                         "roles r ON r.id = "      \
                                                                         "gr.role_id"              \
                                                                         " WHERE gr.group_id = "   \
                                                                         "s.id AND r.deleted_at "  \
                                                                         "IS NULL"                 \
                                                                         " ORDER BY r.name "       \
                                                                         "COLLATE \"C\"))::text "  \
                                                                         "AS roles"

#endif
