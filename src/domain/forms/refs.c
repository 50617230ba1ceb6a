/*
 * Pickers and files: their options in a schema (allow_self, filter_by_group, filter_by_type,
 * filter, requires_application_field) and their values, which must name entities of the
 * tenant. Whether one exists, is active, is in a group or belongs to an application is the
 * caller's answer (fl_form_refs_t); what the form allows is decided here.
 */
#include <string.h>
#include <strings.h>

#include "firelater/err.h"
#include "internal.h"

/* The spec's value lists (its CHECK constraints) of groups and applications. */
static const char *const group_types[] = {"team", "department", "distribution", NULL};
static const char *const app_statuses[] = {"active", "inactive", "deprecated", NULL};
static const char *const app_tiers[] = {"P1", "P2", "P3", "P4", NULL};
static const char *const app_stages[] = {"development", "staging", "production", "sunset", NULL};
static const char *const app_crits[] = {"mission_critical", "business_critical",
                                        "business_operational", "administrative", NULL};

static int name_index(const char *const *names, const char *s)
{
    for (int k = 0; s != NULL && names[k] != NULL; k++) {
        if (strcmp(names[k], s) == 0)
            return k;
    }
    return -1;
}

/* A UUID in the arena, lowercase (how the callbacks are given ids). */
static const char *lower_copy(fl_arena_t *a, const char *uuid)
{
    char *s = fl_arena_strndup(a, uuid, FL_UUID_LEN);

    fl_assert(s != NULL);
    for (char *p = s; *p != '\0'; p++)
        *p = (char)(*p >= 'A' && *p <= 'F' ? *p - 'A' + 'a' : *p);
    return s;
}

/* A name or a non-empty array of names from the list, as bits; false if anything else. */
static bool read_set(const json_t *v, const char *const *names, unsigned *bits)
{
    size_t k;
    const json_t *x;

    *bits = 0;
    if (json_is_string(v)) {
        int n = name_index(names, json_string_value(v));
        *bits = n >= 0 ? 1u << n : 0;
        return n >= 0;
    }
    if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > 8)
        return false;
    json_array_foreach(v, k, x)
    {
        int n = name_index(names, json_string_value(x));
        if (n < 0)
            return false;
        *bits |= 1u << n;
    }
    return true;
}

/* application_picker filter: {status, tier, lifecycle_stage, criticality}. */
static void read_filter(fl__form_cc_t *cc, size_t i, const json_t *v)
{
    fl__form_field_t *fl = &cc->f->fields[i];
    static const char *const keys[] = {"status", "tier", "lifecycle_stage", "criticality", NULL};
    static const char *const *const lists[] = {app_statuses, app_tiers, app_stages, app_crits};
    unsigned *bits[] = {&fl->app_status, &fl->app_tier, &fl->app_stage, &fl->app_crit};
    const char *key;
    const json_t *x;

    if (!json_is_object(v)) {
        fl__form_err(cc->e, "must be an object {status, tier, lifecycle_stage, criticality}",
                     ".fields[%zu].filter", i);
        return;
    }
    json_object_foreach((json_t *)v, key, x)
    {
        int k = name_index(keys, key);
        if (k < 0)
            fl__form_err(cc->e, "is not a filter of applications", ".fields[%zu].filter.%.*s", i,
                         fl__form_cut(key), key);
        else if (!read_set(x, lists[k], bits[k]))
            fl__form_err(cc->e, "must be a value or an array of values of the application's field",
                         ".fields[%zu].filter.%s", i, key);
    }
}

/* requires_application_field: an application_picker of the form, other than this field. */
static void read_app_field(fl__form_cc_t *cc, size_t i, const json_t *v)
{
    int k = json_is_string(v)
                ? fl_form_field_index(cc->f, json_string_value(v), json_string_length(v))
                : -1;

    if (k < 0 || cc->f->fields[k].type != FL_FORM_APPLICATION_PICKER)
        fl__form_err(cc->e, "must be the id of an application_picker field",
                     ".fields[%zu].requires_application_field", i);
    else
        cc->f->fields[i].app_field = k;
}

bool fl__form_picker_option(fl__form_cc_t *cc, size_t i, const char *key, const json_t *v)
{
    fl__form_field_t *fl = &cc->f->fields[i];
    const char *why = NULL;

    if (strcmp(key, "allow_self") == 0) {
        fl->allow_self = !json_is_false(v);
        why = json_is_boolean(v) ? NULL : "must be true or false";
    } else if (strcmp(key, "filter_by_group") == 0) {
        if (!fl_uuid_is_valid(json_string_value(v)))
            why = "must be the id (a UUID) of a group";
        else
            fl->group_id = lower_copy(&cc->f->arena, json_string_value(v));
    } else if (strcmp(key, "filter_by_type") == 0) {
        if (!read_set(v, group_types, &fl->group_types))
            why = "must be team, department or distribution, or an array of them";
    } else if (strcmp(key, "filter") == 0) {
        read_filter(cc, i, v);
    } else {
        read_app_field(cc, i, v);
    }
    if (why != NULL)
        fl__form_err(cc->e, why, ".fields[%zu].%s", i, key);
    return why == NULL;
}

/* ------------------------------------------------------------------ values */

static const char *user_error(const fl__form_field_t *fl, const char *id,
                              const fl_form_refs_t *refs, const fl_form_user_ref_t *u)
{
    if (u->status == FL_FORM_REF_MISSING)
        return "no such user";
    if (u->status != FL_FORM_REF_ACTIVE)
        return "the user is inactive";
    if (fl->group_id != NULL && !u->in_group)
        return "must be a member of the field's group (filter_by_group)";
    if (!fl->allow_self && refs->self_id != NULL && strcasecmp(id, refs->self_id) == 0)
        return "cannot be the requester";
    return NULL;
}

static int check_user(const fl__form_field_t *fl, const char *id, const fl_form_refs_t *refs,
                      const char **why)
{
    fl_form_user_ref_t u = {0};
    int rc = refs->user(refs->ctx, id, fl->group_id, &u);

    *why = rc == 0 ? user_error(fl, id, refs, &u) : NULL;
    return rc;
}

static int check_group(const fl__form_field_t *fl, const char *id, const fl_form_refs_t *refs,
                       const char **why)
{
    fl_form_group_ref_t g = {0};
    int rc = refs->group(refs->ctx, id, &g), t;

    *why = NULL;
    if (rc != 0)
        return rc;
    t = name_index(group_types, g.type);
    if (g.status == FL_FORM_REF_MISSING)
        *why = "no such group";
    else if (g.status != FL_FORM_REF_ACTIVE)
        *why = "the group is inactive";
    else if (fl->group_types != 0 && (t < 0 || !(fl->group_types & (1u << t))))
        *why = "must be a group of a type the field allows (filter_by_type)";
    return 0;
}

/* A value passes a filter of bits over names: no filter, or its name's bit is set. */
static bool passes(unsigned bits, const char *const *names, const char *value)
{
    int k = name_index(names, value);

    return bits == 0 || (k >= 0 && (bits & (1u << k)));
}

static int check_app(const fl__form_field_t *fl, const char *id, const fl_form_refs_t *refs,
                     const char **why)
{
    fl_form_app_ref_t app = {0};
    int rc = refs->application(refs->ctx, id, &app);

    *why = NULL;
    if (rc != 0)
        return rc;
    /* Without a status filter, only active applications may be chosen. */
    if (!app.found)
        *why = "no such application";
    else if (!passes(fl->app_status != 0 ? fl->app_status : 1u, app_statuses, app.status))
        *why = fl->app_status != 0 ? "the application's status is not one the field allows"
                                   : "the application is not active";
    else if (!passes(fl->app_tier, app_tiers, app.tier) ||
             !passes(fl->app_stage, app_stages, app.lifecycle_stage) ||
             !passes(fl->app_crit, app_crits, app.criticality))
        *why = "the application does not pass the field's filter";
    return 0;
}

static int check_env(const fl_form_t *f, const fl__form_field_t *fl, const char *id,
                     const json_t **vals, const fl_form_refs_t *refs, fl_form_errors_t *e,
                     const char **why)
{
    fl_form_env_ref_t env = {0};
    const json_t *app = fl->app_field >= 0 && vals != NULL ? vals[fl->app_field] : NULL;
    int rc = refs->environment(refs->ctx, id, &env);

    *why = NULL;
    if (rc != 0)
        return rc;
    if (env.status == FL_FORM_REF_MISSING)
        *why = "no such environment";
    else if (env.status != FL_FORM_REF_ACTIVE)
        *why = "the environment is inactive";
    else if (fl->app_field >= 0 && !json_is_string(app))
        *why = fl__form_msg(e, "needs an application in %s", f->fields[fl->app_field].id);
    else if (fl->app_field >= 0 && (env.application_id == NULL ||
                                    strcasecmp(env.application_id, json_string_value(app)) != 0))
        *why = "is not an environment of the chosen application";
    return 0;
}

/* The picker's one check; fl_form_validate made sure the callback exists. */
static int check_one(const fl_form_t *f, size_t i, const char *id, const json_t **vals,
                     const fl_form_refs_t *refs, fl_form_errors_t *e, const char **why)
{
    const fl__form_field_t *fl = &f->fields[i];

    switch (fl->type) {
    case FL_FORM_USER_PICKER:
        return check_user(fl, id, refs, why);
    case FL_FORM_GROUP_PICKER:
        return check_group(fl, id, refs, why);
    case FL_FORM_APPLICATION_PICKER:
        return check_app(fl, id, refs, why);
    default:
        return check_env(f, fl, id, vals, refs, e, why);
    }
}

static bool alias(const char *a, const char *b)
{
    return (strcmp(a, "jpg") == 0 && strcmp(b, "jpeg") == 0) ||
           (strcmp(a, "tif") == 0 && strcmp(b, "tiff") == 0);
}

/* The filename's extension (case folded) is one of allowed_types, jpeg for jpg, tiff for tif. */
static bool type_allowed(const fl__form_field_t *fl, const char *filename)
{
    const char *dot = filename != NULL ? strrchr(filename, '.') : NULL;
    char ext[17];
    size_t len;

    if (fl->types == NULL)
        return true;
    if (dot == NULL || (len = strlen(dot + 1)) == 0 || len > 16)
        return false;
    for (size_t k = 0; k <= len; k++)
        ext[k] = (char)(dot[1 + k] >= 'A' && dot[1 + k] <= 'Z' ? dot[1 + k] | 0x20 : dot[1 + k]);
    for (size_t k = 0; k < fl->n_types; k++) {
        if (strcmp(fl->types[k], ext) == 0 || alias(fl->types[k], ext) || alias(ext, fl->types[k]))
            return true;
    }
    return false;
}

static const char *file_error(const fl__form_field_t *fl, const fl_form_file_ref_t *file,
                              fl_form_errors_t *e)
{
    if (!file->found)
        return "no such attachment";
    if (file->size > fl->max_bytes)
        return fl__form_msg(e, "is larger than the field's %g MB",
                            (double)fl->max_bytes / 1048576.0);
    if (!type_allowed(fl, file->filename))
        return "is not a type the field allows (allowed_types)";
    return NULL;
}

/* One entry of a file field: a UUID, not listed before, an attachment within the limits. */
static int check_file(const fl_form_t *f, size_t i, size_t k, const json_t *x,
                      const fl_form_refs_t *refs, fl_form_errors_t *e, json_t *out)
{
    const fl__form_field_t *fl = &f->fields[i];
    fl_form_file_ref_t file = {0};
    const char *why = NULL;
    json_t *id;
    int rc;

    if (!json_is_string(x) || !fl_uuid_is_valid(json_string_value(x))) {
        fl__form_err(e, "must be the id (a UUID) of an attachment", ".%s[%zu]", fl->id, k);
        return 0;
    }
    id = fl__form_uuid_norm(x);
    for (size_t m = 0; m < json_array_size(out) && why == NULL; m++) {
        if (strcmp(json_string_value(json_array_get(out, m)), json_string_value(id)) == 0)
            why = "is attached twice";
    }
    rc = why == NULL ? refs->attachment(refs->ctx, json_string_value(id), &file) : 0;
    if (rc == 0 && why == NULL)
        why = file_error(fl, &file, e);
    if (why != NULL)
        fl__form_err(e, why, ".%s[%zu]", fl->id, k);
    json_array_append_new(out, id);
    return rc;
}

static int check_files(const fl_form_t *f, size_t i, const json_t *v, const fl_form_refs_t *refs,
                       fl_form_errors_t *e, json_t **norm)
{
    const fl__form_field_t *fl = &f->fields[i];
    size_t n = json_array_size(v);
    int rc = 0;

    if (!json_is_array(v) || n > fl->max_files) {
        fl__form_value_err(e, f, i,
                           json_is_array(v)
                               ? fl__form_msg(e, "holds at most %zu files", fl->max_files)
                               : "must be an array of attachment ids");
        return 0;
    }
    *norm = json_array();
    for (size_t k = 0; k < n && rc == 0; k++)
        rc = check_file(f, i, k, json_array_get(v, k), refs, e, *norm);
    return rc;
}

int fl__form_ref_check(const fl_form_t *f, size_t i, const json_t *v, const json_t **vals,
                       const fl_form_refs_t *refs, fl_form_errors_t *e, json_t **norm)
{
    static const char *const what[] = {
        "must be the id (a UUID) of a user", "must be the id (a UUID) of a group",
        "must be the id (a UUID) of an application", "must be the id (a UUID) of an environment"};
    const fl__form_field_t *fl = &f->fields[i];
    const char *why = NULL;
    int rc;

    if (fl->type == FL_FORM_FILE)
        return check_files(f, i, v, refs, e, norm);
    if (!json_is_string(v) || !fl_uuid_is_valid(json_string_value(v))) {
        fl__form_value_err(e, f, i, what[fl->type - FL_FORM_USER_PICKER]);
        return 0;
    }
    *norm = fl__form_uuid_norm(v);
    rc = check_one(f, i, json_string_value(*norm), vals, refs, e, &why);
    if (why != NULL)
        fl__form_value_err(e, f, i, why);
    return rc;
}
