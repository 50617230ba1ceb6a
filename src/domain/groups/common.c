/*
 * What the other files of the module share: type and role names, stream
 * names, field names and small JSON helpers.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "firelater/err.h"
#include "internal.h"

static const char *const type_names[] = {"", "team", "department", "distribution"};
static const char *const role_names[] = {"", "member", "lead"};

const fl__group_field_t fl__group_fields[] = {
    {"name", FL_GROUP_F_NAME},
    {"description", FL_GROUP_F_DESCRIPTION},
    {"type", FL_GROUP_F_TYPE},
    {"parent_id", FL_GROUP_F_PARENT_ID},
    {"manager_id", FL_GROUP_F_MANAGER_ID},
    {"email", FL_GROUP_F_EMAIL},
    {NULL, 0},
};

const char *fl_group_type_name(fl_group_type_t t)
{
    return (unsigned)t < 4 ? type_names[t] : "";
}

fl_group_type_t fl_group_type_parse(const char *s)
{
    for (unsigned i = 1; s != NULL && i < 4; i++) {
        if (strcmp(s, type_names[i]) == 0)
            return (fl_group_type_t)i;
    }
    return FL_GROUP_TYPE_NONE;
}

const char *fl_group_role_name(fl_group_role_t r)
{
    return (unsigned)r < 3 ? role_names[r] : "";
}

fl_group_role_t fl_group_role_parse(const char *s)
{
    for (unsigned i = 1; s != NULL && i < 3; i++) {
        if (strcmp(s, role_names[i]) == 0)
            return (fl_group_role_t)i;
    }
    return FL_GROUP_ROLE_NONE;
}

json_t *fl__groups_jnames(const char *const *names, size_t n)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_string(names[i]));
    return arr;
}

bool fl__groups_same_names(const char *const *a, size_t na, const char *const *b, size_t nb)
{
    for (size_t i = 0; na == nb && i < na; i++) {
        if (strcmp(a[i], b[i]) != 0)
            return false;
    }
    return na == nb;
}

const char *fl__groups_id_or_null(const char *id)
{
    return id[0] == '\0' ? NULL : id;
}

const char *fl__group_text(const fl_group_state_t *g, unsigned flag)
{
    switch (flag) {
    case FL_GROUP_F_NAME:
        return g->name;
    case FL_GROUP_F_DESCRIPTION:
        return g->description;
    case FL_GROUP_F_TYPE:
        return fl_group_type_name(g->type);
    case FL_GROUP_F_PARENT_ID:
        return fl__groups_id_or_null(g->parent_id);
    case FL_GROUP_F_MANAGER_ID:
        return fl__groups_id_or_null(g->manager_id);
    case FL_GROUP_F_EMAIL:
        return g->email;
    }
    return NULL;
}

const char *fl__group_fields_text(const fl_group_fields_t *f, unsigned flag)
{
    switch (flag) {
    case FL_GROUP_F_NAME:
        return f->name;
    case FL_GROUP_F_DESCRIPTION:
        return f->description;
    case FL_GROUP_F_TYPE:
        return fl_group_type_name(f->type);
    case FL_GROUP_F_PARENT_ID:
        return f->parent_id;
    case FL_GROUP_F_MANAGER_ID:
        return f->manager_id;
    case FL_GROUP_F_EMAIL:
        return f->email;
    }
    return NULL;
}

char *fl_groups_stream(fl_arena_t *a, const char *group_id)
{
    return fl_arena_concat(a, "group:", group_id);
}

/*
 * ASCII case folding, as for emails: "Ops" and "ops" are one name. A
 * lowercased name too long for a stream key (255 characters may take 1020
 * bytes) is named by its BLAKE2b-256, "group-name:~<64 hex digits>"; a short
 * name starting with '~' is hashed too, so the two kinds never meet.
 */
char *fl_groups_name_stream(fl_arena_t *a, const char *name)
{
    size_t len = strlen(name);
    char *lower = fl_arena_strndup(a, name, len);
    unsigned char h[32];
    char hex[2 * sizeof(h) + 2];

    if (lower == NULL)
        return NULL;
    for (char *p = lower; *p != '\0'; p++) {
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    }
    if (len + sizeof("group-name:") <= FL_LOG_STREAM_MAX - 16 && lower[0] != '~')
        return fl_arena_concat(a, "group-name:", lower);
    crypto_generichash(h, sizeof(h), (const unsigned char *)lower, len, NULL, 0);
    hex[0] = '~';
    sodium_bin2hex(hex + 1, sizeof(hex) - 1, h, sizeof(h));
    return fl_arena_concat(a, "group-name:", hex);
}

const fl_group_member_t *fl_group_member_find(const fl_group_state_t *g, const char *user_id)
{
    size_t lo = 0, hi = g->n_members;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(g->members[mid].user_id, user_id);
        if (c == 0)
            return &g->members[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}
