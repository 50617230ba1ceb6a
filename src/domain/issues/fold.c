/*
 * The fold: events -> the issue aggregate. Every status move carries
 * {from, to}; the first move out of new is the first response. The
 * actions add their assignment, escalation and resolution; comments, work
 * logs and links are kept as small arrays (who wrote them, whether they
 * are gone) for the decisions on them. Unknown event types are skipped, so
 * later versions may add events.
 */
#include <stdio.h>
#include <string.h>

#include "firelater/codec.h"
#include "firelater/err.h"
#include "internal.h"

static const char *const moves[] = {"issue.assigned", "issue.status_changed", "issue.resolved",
                                    "issue.closed", "issue.reopened"};

char *fl_issues_stream(fl_arena_t *a, const char *issue_id)
{
    size_t n = strlen("issue:") + strlen(issue_id) + 1;
    char *out = fl_arena_alloc(a, n);

    if (out != NULL)
        snprintf(out, n, "issue:%s", issue_id);
    return out;
}

/* Sets v[i] from data.<field> (created) or changes.<field>.to (updated). */
static int set_values(fl_issue_state_t *s, fl_arena_t *a, const json_t *data, bool changes)
{
    for (int i = 0; i < FL_ISSUE_F__N; i++) {
        const json_t *x = json_object_get(data, fl_issue_field_name(i));
        if (changes && x == NULL)
            continue;
        if (changes)
            x = json_object_get(x, "to");
        if (fl__iss_value_text(a, x, &s->v[i]) < 0)
            return FL_ETOOBIG;
    }
    return 0;
}

static int apply_move(fl_issue_state_t *s, fl_arena_t *a, const fl_event_t *ev, const json_t *data)
{
    const char *to = json_string_value(json_object_get(data, "to"));
    int st = fl_issue_status_parse(to);

    if (st < 0)
        return 0;
    if (s->first_response_at == 0 && st != FL_ISSUE_NEW)
        s->first_response_at = ev->ts;
    if (st == FL_ISSUE_RESOLVED)
        s->resolved_at = ev->ts;
    else if (st == FL_ISSUE_CLOSED)
        s->closed_at = ev->ts;
    else if (strcmp(ev->type, "issue.reopened") == 0)
        s->resolved_at = s->closed_at = 0;
    s->v[FL_ISSUE_STATUS] = fl_issue_status_name(st);
    (void)a;
    return 0;
}

/* A string member of obj as text in the arena (null, absent: NULL). */
static const char *str_of(fl_arena_t *a, const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));

    return s != NULL ? fl_arena_strndup(a, s, strlen(s)) : NULL;
}

/* The member's "to" when it is an object {from, to}, else the member itself. */
static const char *to_of(fl_arena_t *a, const json_t *data, const char *key)
{
    const json_t *v = json_object_get(data, key);

    if (json_is_object(v))
        v = json_object_get(v, "to");
    return json_is_string(v) ? fl_arena_strndup(a, json_string_value(v), json_string_length(v))
                             : NULL;
}

/*
 * Room for one more entry in an arena array of n entries: its capacity is
 * 4, 8, 16, ... (the smallest power of two >= n), so it grows when n is 0
 * or reaches it.
 */
void *fl__iss_grow(fl_arena_t *a, void *arr, size_t n, size_t size)
{
    void *more;

    if (n != 0 && (n < 4 || (n & (n - 1)) != 0))
        return arr;
    if ((more = fl_arena_alloc(a, (n < 4 ? 4 : 2 * n) * size)) != NULL && n > 0)
        memcpy(more, arr, n * size);
    return more;
}

static fl_issue_note_t *note_find(fl_issue_note_t *notes, size_t n, const char *id)
{
    for (size_t i = 0; id != NULL && i < n; i++) {
        if (strcmp(notes[i].id, id) == 0)
            return &notes[i];
    }
    return NULL;
}

/* issue.comment_* and issue.worklog_*: key is comment_id or worklog_id. */
static int apply_note(fl_arena_t *a, const char *t, const json_t *data, const char *key,
                      fl_issue_note_t **notes, size_t *n)
{
    const char *id = json_string_value(json_object_get(data, key));
    const char *user = json_string_value(json_object_get(data, "user_id"));
    const json_t *internal = json_object_get(data, "is_internal");
    fl_issue_note_t *x;
    size_t tl = strlen(t);

    if (id == NULL || strlen(id) != FL_UUID_LEN)
        return 0;
    if (tl > 6 && strcmp(t + tl - 6, "_added") == 0) {
        if ((x = fl__iss_grow(a, *notes, *n, sizeof(**notes))) == NULL)
            return FL_ETOOBIG;
        *notes = x;
        x = &x[(*n)++];
        memset(x, 0, sizeof(*x));
        memcpy(x->id, id, FL_UUID_LEN + 1);
        snprintf(x->user_id, sizeof(x->user_id), "%s",
                 user != NULL && strlen(user) == FL_UUID_LEN ? user : "");
    } else if ((x = note_find(*notes, *n, id)) == NULL) {
        return 0;
    } else if (tl > 8 && strcmp(t + tl - 8, "_deleted") == 0) {
        x->deleted = true;
    }
    if (json_is_boolean(internal))
        x->is_internal = json_is_true(internal);
    return 0;
}

static int apply_link(fl_issue_state_t *s, fl_arena_t *a, const json_t *data)
{
    const char *id = json_string_value(json_object_get(data, "link_id"));
    const char *target = json_string_value(json_object_get(data, "target_id"));
    const char *tt = json_string_value(json_object_get(data, "target_type"));
    const char *lt = json_string_value(json_object_get(data, "link_type"));
    fl_issue_link_t *x;

    if (id == NULL || target == NULL || tt == NULL || lt == NULL || strlen(id) != FL_UUID_LEN ||
        strlen(target) != FL_UUID_LEN)
        return 0;
    if ((x = fl__iss_grow(a, s->links, s->n_links, sizeof(*s->links))) == NULL)
        return FL_ETOOBIG;
    s->links = x;
    x = &x[s->n_links++];
    memcpy(x->id, id, FL_UUID_LEN + 1);
    memcpy(x->target_id, target, FL_UUID_LEN + 1);
    snprintf(x->target_type, sizeof(x->target_type), "%s", tt);
    snprintf(x->link_type, sizeof(x->link_type), "%s", lt);
    return 0;
}

/* What the action events carry beside their move. */
static int apply_action(fl_issue_state_t *s, fl_arena_t *a, const fl_event_t *ev,
                        const json_t *data)
{
    const char *t = ev->type;

    if (strcmp(t, "issue.assigned") == 0 || strcmp(t, "issue.escalated") == 0) {
        s->assigned_to = to_of(a, data, "assigned_to");
        s->assigned_group = to_of(a, data, "assigned_group");
    }
    if (strcmp(t, "issue.escalated") == 0) {
        json_int_t level = json_integer_value(json_object_get(data, "to_level"));
        s->escalation_level = level > 0 && level <= 100 ? (int)level : s->escalation_level;
        s->escalated_at = ev->ts;
    } else if (strcmp(t, "issue.resolved") == 0) {
        s->resolution_code = str_of(a, data, "resolution_code");
        s->resolution_notes = str_of(a, data, "resolution_notes");
        s->resolved_by = str_of(a, data, "changed_by");
    } else if (strcmp(t, "issue.closed") == 0) {
        s->closed_by = str_of(a, data, "changed_by");
    } else if (strcmp(t, "issue.reopened") == 0) {
        s->resolution_code = s->resolution_notes = s->resolved_by = s->closed_by = NULL;
    }
    return 0;
}

static int apply(fl_issue_state_t *s, fl_arena_t *a, const fl_event_t *ev, const json_t *data)
{
    const char *t = ev->type;
    const char *id = json_string_value(json_object_get(data, "id"));

    if (strcmp(t, "issue.created") == 0) {
        snprintf(s->id, sizeof(s->id), "%s", id != NULL ? id : "");
        snprintf(s->number, sizeof(s->number), "%s", ev->num != NULL ? ev->num : "");
        s->exists = true;
        s->created_at = ev->ts;
        return set_values(s, a, data, false);
    }
    if (strcmp(t, "issue.updated") == 0)
        return set_values(s, a, json_object_get(data, "changes"), true);
    if (strcmp(t, "issue.deleted") == 0) {
        s->deleted = true;
        s->deleted_at = ev->ts;
        return 0;
    }
    if (strcmp(t, "issue.comment_added") == 0 && s->first_response_at == 0 &&
        !json_is_true(json_object_get(data, "is_internal"))) {
        const char *by = json_string_value(json_object_get(data, "user_id"));
        const char *rep = s->v[FL_ISSUE_REPORTER_ID];
        if (by != NULL && (rep == NULL || strcmp(by, rep) != 0))
            s->first_response_at = ev->ts; /* a public answer by someone else */
    }
    if (strncmp(t, "issue.comment_", 14) == 0)
        return apply_note(a, t, data, "comment_id", &s->comments, &s->n_comments);
    if (strncmp(t, "issue.worklog_", 14) == 0)
        return apply_note(a, t, data, "worklog_id", &s->worklogs, &s->n_worklogs);
    if (strcmp(t, "issue.linked") == 0)
        return apply_link(s, a, data);
    if (strcmp(t, "issue.escalated") == 0)
        return apply_action(s, a, ev, data);
    if (strcmp(t, "issue.sla_breached") == 0) {
        const char *m = json_string_value(json_object_get(data, "metric"));
        if (m == NULL)
            return 1;
        s->sla_breached = true;
        s->sla_breach_type = s->sla_breach_type == NULL || strcmp(s->sla_breach_type, m) == 0
                                 ? str_of(a, data, "metric")
                                 : "both";
        return 1; /* not a change of the issue's own: updated_at stays */
    }
    for (size_t i = 0; i < sizeof(moves) / sizeof(moves[0]); i++) {
        if (strcmp(t, moves[i]) == 0) {
            int rc = apply_move(s, a, ev, data);
            return rc == 0 ? apply_action(s, a, ev, data) : rc;
        }
    }
    return 1; /* unknown: skipped */
}

static int issue_fold(void *state, fl_arena_t *a, const fl_event_t *ev)
{
    fl_issue_state_t *s = state;
    json_t *data = NULL;
    int rc;

    if (ev->data_len > 0 && (rc = fl_codec_to_json(ev->data, ev->data_len, &data)) < 0)
        return rc;
    /* the SLA side sees every event, the timers' too (updated_at is apply's to say) */
    rc = fl__iss_sla_fold(&s->sla, a, ev, data);
    if (rc == 0)
        rc = apply(s, a, ev, data);
    if (rc == 0)
        s->updated_at = ev->ts;
    json_decref(data);
    s->version = ev->sv;
    return rc < 0 ? rc : 0;
}

static void issue_init(void *state)
{
    memset(state, 0, sizeof(fl_issue_state_t));
}

const fl_agg_type_t fl_issue_agg = {
    .name = "issue",
    .state_size = sizeof(fl_issue_state_t),
    .init = issue_init,
    .fold = issue_fold,
};
