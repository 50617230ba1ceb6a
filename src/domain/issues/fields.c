/*
 * The field table of an issue: the spec's columns a body may carry, their
 * kinds, limits, value lists (the spec's comments) and defaults.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"

#include "internal.h"

static const char *const statuses[] = {"new",      "assigned", "in_progress", "pending",
                                       "resolved", "closed",   NULL};
static const char *const priorities[] = {"critical", "high", "medium", "low", NULL};
static const char *const severities[] = {"S1", "S2", "S3", "S4", NULL};
static const char *const impacts[] = {"widespread", "significant", "moderate", "minor", NULL};
static const char *const urgencies[] = {"immediate", "high", "medium", "low", NULL};
static const char *const types[] = {"issue", "problem", "question", NULL};
static const char *const sources[] = {"portal", "email", "phone", "monitoring", "api", NULL};

static const fl__iss_field_t fields[FL_ISSUE_F__N] = {
    [FL_ISSUE_TITLE] = {"title", FL__ISS_LINE, 500, NULL, NULL, NULL, true, false},
    [FL_ISSUE_DESCRIPTION] = {"description", FL__ISS_TEXT, FL_ISSUES_DESCRIPTION_MAX, NULL, NULL,
                              NULL, false, true},
    [FL_ISSUE_STATUS] = {"status", FL__ISS_ENUM, 0, statuses,
                         "must be new, assigned, in_progress, pending, resolved or closed", NULL,
                         false, false},
    [FL_ISSUE_PRIORITY] = {"priority", FL__ISS_ENUM, 0, priorities,
                           "must be critical, high, medium or low", NULL, false, false},
    [FL_ISSUE_SEVERITY] = {"severity", FL__ISS_ENUM, 0, severities, "must be S1, S2, S3 or S4",
                           NULL, false, true},
    [FL_ISSUE_IMPACT] = {"impact", FL__ISS_ENUM, 0, impacts,
                         "must be widespread, significant, moderate or minor", NULL, false, true},
    [FL_ISSUE_URGENCY] = {"urgency", FL__ISS_ENUM, 0, urgencies,
                          "must be immediate, high, medium or low", NULL, false, true},
    [FL_ISSUE_ISSUE_TYPE] = {"issue_type", FL__ISS_ENUM, 0, types,
                             "must be issue, problem or question", "issue", false, false},
    [FL_ISSUE_SOURCE] = {"source", FL__ISS_ENUM, 0, sources,
                         "must be portal, email, phone, monitoring or api", NULL, false, true},
    [FL_ISSUE_CATEGORY_ID] = {"category_id", FL__ISS_UUID, 0, NULL, NULL, NULL, false, true},
    [FL_ISSUE_APPLICATION_ID] = {"application_id", FL__ISS_UUID, 0, NULL, NULL, NULL, false, true},
    [FL_ISSUE_ENVIRONMENT_ID] = {"environment_id", FL__ISS_UUID, 0, NULL, NULL, NULL, false, true},
    [FL_ISSUE_REPORTER_ID] = {"reporter_id", FL__ISS_UUID, 0, NULL, NULL, NULL, false, false},
    [FL_ISSUE_EXTERNAL_REFS] = {"external_refs", FL__ISS_ARRAY, FL_ISSUES_REFS_MAX, NULL, NULL,
                                "[]", false, false},
};

const fl__iss_table_t fl__iss_table = {fields, FL_ISSUE_F__N};

const char *fl_issue_field_name(int field)
{
    return field >= 0 && field < FL_ISSUE_F__N ? fields[field].name : "";
}

json_t *fl__iss_value_json(int field, const char *text)
{
    json_t *j;

    if (text == NULL)
        return json_null();
    if (field < 0 || field >= FL_ISSUE_F__N || fields[field].kind != FL__ISS_ARRAY)
        return json_string(text);
    j = json_loads(text, 0, NULL);
    return j != NULL ? j : json_null();
}

int fl__iss_value_text(fl_arena_t *a, const json_t *v, const char **out)
{
    char *dump;

    *out = NULL;
    if (v == NULL || json_is_null(v))
        return 0;
    if (json_is_string(v)) {
        *out = fl_arena_strndup(a, json_string_value(v), json_string_length(v));
        return *out == NULL ? FL_ETOOBIG : 0;
    }
    dump = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    if (dump == NULL)
        return FL_ETOOBIG;
    *out = fl_arena_strndup(a, dump, strlen(dump));
    free(dump);
    return *out == NULL ? FL_ETOOBIG : 0;
}

bool fl__iss_same(const char *a, const char *b)
{
    return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}
