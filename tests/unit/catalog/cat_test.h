/* Shared by the catalog suite's files: items decided and folded in memory. */
#ifndef FL_TEST_CAT_H
#define FL_TEST_CAT_H

#include <check.h>

#include "firelater/catalog.h"
#include "util.h"

#define FORM1                                                                                      \
    "{\"version\":\"1.0\",\"fields\":[{\"id\":\"model\",\"type\":\"select\",\"label\":\"Model\","  \
    "\"required\":true,\"options\":[{\"value\":\"mbp14\",\"label\":\"MacBook Pro 14\"}]}]}"
#define FORM2                                                                                      \
    "{\"version\":\"1.1\",\"fields\":[{\"id\":\"why\",\"type\":\"textarea\",\"label\":\"Why\"}]}"

/* The decoded values of an item body (asserts it decodes). */
json_t *ct_item_values(fl_arena_t *a, const char *body, bool create);

/* Folds d's events on s's stream into s (versions follow on). */
void ct_fold_item(fl_cat_item_t *s, fl_arena_t *a, const fl_decision_t *d);

/* A new item from body (created and folded), then published when publish. */
void ct_make_item(fl_cat_item_t *s, fl_arena_t *a, const char *body, bool publish);

TCase *ct_forms_cache_tcase(void);

#endif
