/*
 * The fold: events -> the issue aggregate. Every status move carries
 * {from, to}; the first move out of new is the first response. Unknown
 * event types are skipped, so later versions may add events.
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
    for (size_t i = 0; i < sizeof(moves) / sizeof(moves[0]); i++) {
        if (strcmp(t, moves[i]) == 0)
            return apply_move(s, a, ev, data);
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
