/*
 * The loop every list query runs over its query parameters: known names,
 * each given once, each value checked by the module; everything refused is
 * a field error named after the parameter.
 */
#include <string.h>

#include "firelater/domain.h"
#include "firelater/err.h"

#define NAME_MAX_BYTES 200 /* of an unknown name, as the error names it */

static int index_of(const fl_params_t *spec, const char *name)
{
    for (size_t k = 0; k < spec->n_known; k++) {
        if (strcmp(spec->known[k], name) == 0)
            return (int)k;
    }
    return -1;
}

void fl_params_check(const fl_params_t *spec, const fl_http_param_t *query, size_t n, fl_arena_t *a,
                     fl_decision_t *d)
{
    bool seen[FL_PARAMS_MAX] = {false};

    fl_assert(spec->n_known <= FL_PARAMS_MAX);
    for (size_t i = 0; i < n; i++) {
        int k = index_of(spec, query[i].name);
        const char *why;
        if (k < 0) {
            const char *copy =
                fl_arena_strndup(a, query[i].name, strnlen(query[i].name, NAME_MAX_BYTES));
            why = spec->unknown != NULL ? spec->unknown(spec->arg, query[i].name) : NULL;
            fl_decision_field(d, copy != NULL ? copy : "?",
                              why != NULL ? why : "is not a known parameter");
            continue;
        }
        why = seen[k] ? "must be given once" : spec->check(spec->arg, (size_t)k, query[i].value);
        seen[k] = true;
        if (why != NULL)
            fl_decision_field(d, spec->known[k], why);
    }
}
