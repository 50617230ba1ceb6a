/*
 * What the other files of the module share: the system roles' names, stream
 * names, the name rule, permission sets as JSON and the catalogue.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

const char *const fl_roles_system_names[FL_ROLES_N_SYSTEM] = {"admin", "manager", "agent",
                                                              "requester"};

char *fl_roles_stream(fl_arena_t *a, const char *role_id)
{
    return fl_arena_concat(a, "role:", role_id);
}

/* Names are lowercase by rule, so the claim stream needs no case folding. */
char *fl_roles_name_stream(fl_arena_t *a, const char *name)
{
    return fl_arena_concat(a, "role-name:", name);
}

bool fl_roles_name_ok(const char *s)
{
    size_t n = s != NULL ? strlen(s) : 0;

    if (n < 2 || n > FL_ROLES_NAME_MAX || s[0] < 'a' || s[0] > 'z')
        return false;
    return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

bool fl__roles_perms_from_json(const json_t *arr, fl_perms_t *out)
{
    size_t i;
    json_t *v;
    bool ok = true;

    *out = (fl_perms_t){{0, 0}};
    json_array_foreach(arr, i, v)
    {
        fl_resource_t r;
        fl_action_t a;
        if (json_is_string(v) && fl_perm_parse(json_string_value(v), &r, &a))
            fl_perms_add(out, r, a);
        else
            ok = false;
    }
    return ok;
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

json_t *fl_perms_to_json(const fl_perms_t *p)
{
    char names[FL_PERM_COUNT][FL_PERM_NAME_MAX];
    const char *sorted[FL_PERM_COUNT];
    json_t *arr = json_array();
    size_t n = 0;

    for (int r = 0; r < FL_RES_COUNT; r++) {
        for (int a = 0; a < FL_ACT_COUNT; a++) {
            if (!fl_perms_has_exact(p, (fl_resource_t)r, (fl_action_t)a))
                continue;
            fl_perm_format((fl_resource_t)r, (fl_action_t)a, names[n]);
            sorted[n] = names[n];
            n++;
        }
    }
    qsort(sorted, n, sizeof(*sorted), cmp_str);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_string(sorted[i]));
    return arr;
}

/*
 * The same text as the permissions table's description column
 * (schemas/tenant/0004_rbac.sql builds it the same way).
 */
void fl__roles_perm_description(fl_resource_t r, fl_action_t a, char *buf, size_t len)
{
    const char *act = fl_action_name(a);

    if (a == FL_ACT_MANAGE)
        snprintf(buf, len,
                 "Every action on %s: manage implies create, read, update, delete, approve and "
                 "assign",
                 fl_resource_name(r));
    else
        snprintf(buf, len, "%c%s %s", act[0] - 'a' + 'A', act + 1, fl_resource_name(r));
}

json_t *fl_roles_catalogue_to_json(void)
{
    json_t *data = json_array();
    char name[FL_PERM_NAME_MAX], desc[160];

    for (int r = 0; r < FL_RES_COUNT; r++) {
        for (int a = 0; a < FL_ACT_COUNT; a++) {
            fl_perm_format((fl_resource_t)r, (fl_action_t)a, name);
            fl__roles_perm_description((fl_resource_t)r, (fl_action_t)a, desc, sizeof(desc));
            json_array_append_new(data,
                                  json_pack("{s:s,s:s,s:s,s:s}", "name", name, "resource",
                                            fl_resource_name((fl_resource_t)r), "action",
                                            fl_action_name((fl_action_t)a), "description", desc));
        }
    }
    return json_pack("{s:o}", "data", data);
}
