/*
 * Lists of role names in bodies (a user's or a group's roles): each must
 * name a live role, which only the caller can know (it looks the names up
 * in their claim streams), so it passes the names it found.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char *find(const char *const *known, size_t n, const char *name)
{
    for (size_t i = 0; name != NULL && i < n; i++) {
        if (strcmp(known[i], name) == 0)
            return known[i];
    }
    return NULL;
}

static int by_name(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* field[i] and "unknown role: <name>" (cut at 63 bytes), in the arena. */
static void unknown(fl_arena_t *a, const char *field, size_t i, const json_t *e, fl_decision_t *d)
{
    size_t flen = strlen(field) + 24;
    char *f = fl_arena_alloc(a, flen), *msg = fl_arena_alloc(a, 96);
    const char *s = json_string_value(e);

    if (f != NULL)
        snprintf(f, flen, "%s[%zu]", field, i);
    if (msg != NULL && s != NULL && strlen(s) == json_string_length(e))
        snprintf(msg, 96, "unknown role: %.63s", s);
    else
        msg = NULL;
    fl_decision_field(d, f != NULL ? f : field,
                      msg != NULL ? msg : "must be the name of an existing role");
}

void fl_roles_decode_names(const json_t *v, const char *field, const char *const *known,
                           size_t n_known, size_t max, fl_arena_t *a, const char **out, size_t *n,
                           fl_decision_t *d)
{
    size_t i, k = 0;
    json_t *e;

    *n = 0;
    if (!json_is_array(v) || json_array_size(v) > max) {
        fl_decision_field(d, field,
                          json_is_array(v) ? "holds too many roles" : "must be an array of names");
        return;
    }
    json_array_foreach(v, i, e)
    {
        const char *name = find(known, n_known, json_string_value(e));
        if (name == NULL)
            unknown(a, field, i, e, d);
        else
            out[k++] = name;
    }
    qsort(out, k, sizeof(*out), by_name);
    for (i = 0; i < k; i++) {
        if (*n == 0 || strcmp(out[*n - 1], out[i]) != 0)
            out[(*n)++] = out[i];
    }
}
