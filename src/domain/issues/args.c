/*
 * The bodies of the issue's sub-commands (assign, escalate, resolve,
 * close, reopen, comments, work logs, links) -> their structs. One small
 * table per body names its keys, kinds, limits and which are required;
 * every problem is collected, unknown keys included, and strings are
 * copied into the arena.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

typedef enum kind {
    K_LINE,    /* one-line string */
    K_TEXT,    /* multi-line string */
    K_UUID,    /* a reference, lowercased; null allowed (NULL) */
    K_BOOL,    /* true or false */
    K_MINUTES, /* an integer 1..max */
    K_DATE,    /* "YYYY-MM-DD", a real date */
    K_ENUM,    /* one of values */
} kind_t;

typedef struct arg {
    const char *name;
    kind_t kind;
    unsigned max;
    bool required;
    size_t off;                /* where the value goes in the output struct */
    const char *const *values; /* K_ENUM */
    const char *msg;           /* K_ENUM */
} arg_t;

#define STR(type, m) offsetof(type, m)

static const char *lower_uuid(fl_arena_t *a, const char *s)
{
    char *copy = fl_arena_strndup(a, s, FL_UUID_LEN);

    for (char *p = copy; p != NULL && *p != '\0'; p++) {
        if (*p >= 'A' && *p <= 'F')
            *p = (char)(*p - 'A' + 'a');
    }
    return copy;
}

static bool date_valid(const char *s)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, m, d;
    char tail;

    if (s == NULL || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 ||
        s[4] != '-' || s[7] != '-' || y < 1970 || y > 2999 || m < 1 || m > 12 || d < 1)
        return false;
    if (d > mdays[m - 1])
        return false;
    return m != 2 || d < 29 || (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0));
}

/* One value into its slot; a problem into d. */
static void put(const arg_t *g, const json_t *v, fl_arena_t *a, char *out, fl_decision_t *d)
{
    const char *why = NULL, *s = json_string_value(v);
    void *slot = out + g->off;

    switch (g->kind) {
    case K_LINE:
    case K_TEXT:
        if ((why = fl__iss_text_problem(v, g->max, g->kind == K_TEXT, false)) == NULL)
            *(const char **)slot = fl_arena_strndup(a, s, json_string_length(v));
        break;
    case K_UUID:
        if (json_is_null(v))
            *(const char **)slot = NULL;
        else if (s == NULL || strlen(s) != FL_UUID_LEN || !fl_uuid_is_valid(s))
            why = "must be a UUID";
        else
            *(const char **)slot = lower_uuid(a, s);
        break;
    case K_BOOL:
        if (!json_is_boolean(v))
            why = "must be true or false";
        else
            *(bool *)slot = json_is_true(v);
        break;
    case K_MINUTES:
        if (!json_is_integer(v) || json_integer_value(v) < 1 ||
            json_integer_value(v) > (json_int_t)g->max)
            why = g->msg;
        else
            *(int *)slot = (int)json_integer_value(v);
        break;
    case K_DATE:
        if (!date_valid(s))
            why = "must be a date, YYYY-MM-DD";
        else
            *(const char **)slot = fl_arena_strndup(a, s, 10);
        break;
    case K_ENUM:
        why = g->msg;
        for (const char *const *e = g->values; s != NULL && *e != NULL; e++) {
            if (strcmp(s, *e) == 0) {
                *(const char **)slot = *e;
                why = NULL;
            }
        }
        break;
    }
    if (why != NULL)
        fl_decision_field(d, g->name, why);
}

/*
 * Decodes body by the table; bit i of *set says args[i] was present. A NULL
 * body counts as {} (commands whose keys are all optional take no body).
 */
static int decode(const json_t *body, const arg_t *args, int n, fl_arena_t *a, void *out,
                  unsigned *set, fl_decision_t *d)
{
    const char *key;
    json_t *v;

    *set = 0;
    if (body != NULL && !json_is_object(body)) {
        fl_decision_field(d, NULL, "the body must be a JSON object");
        return FL_EINVAL;
    }
    json_object_foreach((json_t *)body, key, v)
    {
        int i = 0;
        while (i < n && strcmp(args[i].name, key) != 0)
            i++;
        if (i == n) {
            const char *copy = fl_arena_strndup(a, key, strnlen(key, 200));
            fl_decision_field(d, copy != NULL ? copy : "?", "is not a known field");
            continue;
        }
        *set |= 1u << i;
        if (json_is_null(v) && args[i].kind != K_UUID)
            fl_decision_field(d, args[i].name, "must not be null");
        else
            put(&args[i], v, a, out, d);
    }
    for (int i = 0; i < n; i++) {
        if (args[i].required && !(*set & (1u << i)))
            fl_decision_field(d, args[i].name, "is required");
    }
    return fl_decision_failed(d) ? FL_EINVAL : 0;
}

/* ---------------------------------------------------------------- actions */

#define ACT(m) STR(fl_issue_action_t, m)

static const arg_t assign_args[] = {
    {"assigned_to", K_UUID, 0, false, ACT(assigned_to), NULL, NULL},
    {"assigned_group", K_UUID, 0, false, ACT(assigned_group), NULL, NULL},
    {"reason", K_TEXT, FL_ISSUES_REASON_MAX, false, ACT(reason), NULL, NULL},
};
static const arg_t escalate_args[] = {
    {"reason", K_TEXT, FL_ISSUES_REASON_MAX, true, ACT(reason), NULL, NULL},
    {"assigned_group", K_UUID, 0, false, ACT(assigned_group), NULL, NULL},
};
static const arg_t resolve_args[] = {
    {"resolution_code", K_LINE, 100, true, ACT(resolution_code), NULL, NULL},
    {"resolution_notes", K_TEXT, FL_ISSUES_DESCRIPTION_MAX, true, ACT(resolution_notes), NULL,
     NULL},
};
static const arg_t reason_args[] = {
    {"reason", K_TEXT, FL_ISSUES_REASON_MAX, false, ACT(reason), NULL, NULL},
};

#define N(t) ((int)(sizeof(t) / sizeof(t[0])))

int fl_issues_decode_action(fl_issue_action_kind_t kind, const json_t *body, fl_arena_t *a,
                            fl_issue_action_t *out, fl_decision_t *d)
{
    unsigned set;
    int rc;

    memset(out, 0, sizeof(*out));
    out->kind = kind;
    switch (kind) {
    case FL_ISSUE_ACT_ASSIGN:
    case FL_ISSUE_ACT_REASSIGN:
        rc = decode(body, assign_args, N(assign_args), a, out, &set, d);
        if (rc == 0 && out->assigned_to == NULL && out->assigned_group == NULL) {
            fl_decision_field(d, "assigned_to", "name a user, a group, or both");
            rc = FL_EINVAL;
        }
        return rc;
    case FL_ISSUE_ACT_ESCALATE:
        return decode(body, escalate_args, N(escalate_args), a, out, &set, d);
    case FL_ISSUE_ACT_RESOLVE:
        return decode(body, resolve_args, N(resolve_args), a, out, &set, d);
    case FL_ISSUE_ACT_CLOSE:
    case FL_ISSUE_ACT_REOPEN:
        return decode(body, reason_args, N(reason_args), a, out, &set, d);
    }
    return FL_EINVAL;
}

/* ------------------------------------------------------- comments, work logs */

#define NOTE(m) STR(fl_issue_note_cmd_t, m)

static const char *const content_types[] = {"text", "markdown", NULL};

static const arg_t comment_args[] = {
    {"content", K_TEXT, FL_ISSUES_DESCRIPTION_MAX, true, NOTE(content), NULL, NULL},
    {"is_internal", K_BOOL, 0, false, NOTE(is_internal), NULL, NULL},
    {"content_type", K_ENUM, 0, false, NOTE(content_type), content_types,
     "must be text or markdown"},
};
static const arg_t worklog_args[] = {
    {"time_spent", K_MINUTES, FL_ISSUES_WORKLOG_MINUTES_MAX, true, NOTE(time_spent), NULL,
     "must be a whole number of minutes, 1 to 1440"},
    {"work_date", K_DATE, 0, false, NOTE(work_date), NULL, NULL},
    {"description", K_TEXT, FL_ISSUES_REASON_MAX, false, NOTE(description), NULL, NULL},
    {"billable", K_BOOL, 0, false, NOTE(billable), NULL, NULL},
};

/* Decodes args; on update nothing is required, but something must be there. */
static int decode_note(const json_t *body, const arg_t *args, int n, bool create, fl_arena_t *a,
                       fl_issue_note_cmd_t *out, fl_decision_t *d)
{
    arg_t copy[8];
    int rc;

    memset(out, 0, sizeof(*out));
    fl_assert(n <= 8);
    memcpy(copy, args, (size_t)n * sizeof(*args));
    for (int i = 0; !create && i < n; i++)
        copy[i].required = false;
    rc = decode(body, copy, n, a, out, &out->set, d);
    if (rc == 0 && !create && out->set == 0) {
        fl_decision_field(d, NULL, "the body changes nothing");
        rc = FL_EINVAL;
    }
    return rc;
}

int fl_issues_decode_comment(const json_t *body, bool create, fl_arena_t *a,
                             fl_issue_note_cmd_t *out, fl_decision_t *d)
{
    int rc = decode_note(body, comment_args, N(comment_args), create, a, out, d);

    if (rc == 0 && create && out->content_type == NULL)
        out->content_type = content_types[0];
    return rc;
}

int fl_issues_decode_worklog(const json_t *body, bool create, fl_arena_t *a,
                             fl_issue_note_cmd_t *out, fl_decision_t *d)
{
    return decode_note(body, worklog_args, N(worklog_args), create, a, out, d);
}

/* ------------------------------------------------------------------ links */

#define LINK(m) STR(fl_issue_link_cmd_t, m)

static const char *const target_types[] = {"issue", "change", NULL};
static const char *const link_types[] = {"parent",    "child",     "related",
                                         "duplicate", "caused_by", NULL};

static const arg_t link_args[] = {
    {"target_id", K_UUID, 0, true, LINK(target_id), NULL, NULL},
    {"link_type", K_ENUM, 0, true, LINK(link_type), link_types,
     "must be parent, child, related, duplicate or caused_by"},
    {"target_type", K_ENUM, 0, false, LINK(target_type), target_types, "must be issue or change"},
};

int fl_issues_decode_link(const json_t *body, fl_arena_t *a, fl_issue_link_cmd_t *out,
                          fl_decision_t *d)
{
    unsigned set;
    int rc;

    memset(out, 0, sizeof(*out));
    rc = decode(body, link_args, N(link_args), a, out, &set, d);
    if (rc == 0 && out->target_id == NULL) {
        fl_decision_field(d, "target_id", "must not be null");
        rc = FL_EINVAL;
    }
    if (out->target_type == NULL)
        out->target_type = target_types[0];
    return rc;
}
