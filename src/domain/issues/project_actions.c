/*
 * The actions' events, comments, work logs and links -> the read model
 * (issues, issue_comments, issue_worklogs, issue_links). Every event of an
 * issue's stream also moves the issue row's version and updated_at, so the
 * ETag of a read equals the write side's. Re-running a handler on an equal
 * row changes nothing (inserts do nothing on conflict).
 */
#include <stdio.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

typedef struct stamp {
    char ts[40], ver[24];
} stamp_t;

static const char *uuid_of(const json_t *data, const char *key)
{
    const char *id = json_string_value(json_object_get(data, key));

    return id != NULL && fl_uuid_is_valid(id) ? id : NULL;
}

static const char *str_of(const json_t *data, const char *key)
{
    return json_string_value(json_object_get(data, key));
}

/* The member's "to" for {from, to} members, else the member. */
static const char *to_of(const json_t *data, const char *key)
{
    const json_t *v = json_object_get(data, key);

    return json_string_value(json_is_object(v) ? json_object_get(v, "to") : v);
}

static void stamp(const fl_event_t *ev, stamp_t *st)
{
    fl_time_format(ev->ts, st->ts, sizeof(st->ts));
    snprintf(st->ver, sizeof(st->ver), "%llu", (unsigned long long)ev->sv);
}

static int touch(fl_proj_out_t *out, const char *id, const stamp_t *st)
{
    const char *p[] = {id, st->ts, st->ver};
    return fl_proj_emit(out,
                        "UPDATE issues SET updated_at = $2::timestamptz, version = $3::bigint"
                        " WHERE id = $1::uuid",
                        3, p);
}

static int on_assigned(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    const char *id = uuid_of(data, "id");
    stamp_t st;
    int rc;

    if (id == NULL)
        return 0;
    if (uuid_of(data, "history_id") != NULL && (rc = fl__iss_project_move(out, ev, data)) < 0)
        return rc;
    stamp(ev, &st);
    const char *p[] = {id, to_of(data, "assigned_to"), to_of(data, "assigned_group"), st.ts,
                       st.ver};
    return fl_proj_emit(out,
                        "UPDATE issues SET assigned_to = $2::uuid, assigned_group = $3::uuid,"
                        " updated_at = $4::timestamptz, version = $5::bigint WHERE id = $1::uuid",
                        5, p);
}

static int on_escalated(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    const char *id = uuid_of(data, "id");
    char level[16];
    stamp_t st;

    if (id == NULL)
        return 0;
    stamp(ev, &st);
    snprintf(level, sizeof(level), "%lld",
             (long long)json_integer_value(json_object_get(data, "to_level")));
    const char *p[] = {id,    level, to_of(data, "assigned_to"), to_of(data, "assigned_group"),
                       st.ts, st.ver};
    return fl_proj_emit(out,
                        "UPDATE issues SET escalation_level = $2::integer, escalated_at ="
                        " $5::timestamptz, assigned_to = $3::uuid, assigned_group = $4::uuid,"
                        " updated_at = $5::timestamptz, version = $6::bigint WHERE id = $1::uuid",
                        6, p);
}

/* resolved, closed, reopened: the move, then who and how. */
static int on_done(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    const char *id = uuid_of(data, "id");
    int rc;

    if (id == NULL || (rc = fl__iss_project_move(out, ev, data)) < 0)
        return id == NULL ? 0 : rc;
    const char *by = uuid_of(data, "changed_by");
    if (strcmp(ev->type, "issue.resolved") == 0) {
        const char *p[] = {id, str_of(data, "resolution_code"), str_of(data, "resolution_notes"),
                           by};
        return fl_proj_emit(out,
                            "UPDATE issues SET resolution_code = $2, resolution_notes = $3,"
                            " resolved_by = $4::uuid WHERE id = $1::uuid",
                            4, p);
    }
    if (strcmp(ev->type, "issue.closed") == 0) {
        const char *p[] = {id, by};
        return fl_proj_emit(out, "UPDATE issues SET closed_by = $2::uuid WHERE id = $1::uuid", 2,
                            p);
    }
    const char *p[] = {id};
    return fl_proj_emit(out,
                        "UPDATE issues SET resolution_code = NULL, resolution_notes = NULL,"
                        " resolved_by = NULL, closed_by = NULL WHERE id = $1::uuid",
                        1, p);
}

/* ---------------------------------------------------------------- comments */

static const char *bool_of(const json_t *data, const char *key)
{
    const json_t *v = json_object_get(data, key);
    return json_is_boolean(v) ? (json_is_true(v) ? "t" : "f") : NULL;
}

static int on_comment(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    const char *id = uuid_of(data, "id"), *cid = uuid_of(data, "comment_id");
    stamp_t st;
    int rc;

    if (id == NULL || cid == NULL)
        return 0;
    stamp(ev, &st);
    if ((rc = touch(out, id, &st)) < 0)
        return rc;
    if (strcmp(ev->type, "issue.comment_deleted") == 0) {
        const char *p[] = {cid, st.ts};
        return fl_proj_emit(out,
                            "UPDATE issue_comments SET deleted_at = $2::timestamptz,"
                            " updated_at = $2::timestamptz WHERE id = $1::uuid",
                            2, p);
    }
    if (strcmp(ev->type, "issue.comment_edited") == 0) {
        const char *p[] = {cid, str_of(data, "content"), bool_of(data, "is_internal"),
                           str_of(data, "content_type"), st.ts};
        return fl_proj_emit(out,
                            "UPDATE issue_comments SET content = coalesce($2, content),"
                            " is_internal = coalesce($3::boolean, is_internal), content_type ="
                            " coalesce($4, content_type), updated_at = $5::timestamptz"
                            " WHERE id = $1::uuid",
                            5, p);
    }
    const char *by = uuid_of(data, "user_id"), *internal = bool_of(data, "is_internal");
    const char *p[] = {cid,      id,   by, str_of(data, "content"), str_of(data, "content_type"),
                       internal, st.ts};
    if ((rc = fl_proj_emit(out,
                           "INSERT INTO issue_comments (id, issue_id, user_id, content,"
                           " content_type, is_internal, created_at, updated_at) VALUES ($1::uuid,"
                           " $2::uuid, $3::uuid, coalesce($4, ''), coalesce($5, 'text'),"
                           " coalesce($6::boolean, false), $7::timestamptz, $7::timestamptz)"
                           " ON CONFLICT (id) DO NOTHING",
                           7, p)) < 0)
        return rc;
    /* a public answer by someone other than the reporter is the first response */
    const char *q[] = {id, by, internal != NULL ? internal : "f", st.ts};
    rc = fl_proj_emit(
        out,
        "UPDATE issues SET first_response_at = $4::timestamptz, time_to_first_response ="
        " (extract(epoch FROM $4::timestamptz - created_at) / 60)::integer"
        " WHERE id = $1::uuid AND first_response_at IS NULL AND NOT $3::boolean"
        " AND $2::uuid IS NOT NULL AND reporter_id IS DISTINCT FROM $2::uuid",
        4, q);
    return rc < 0 ? rc : fl__iss_project_sla(out, data); /* a first response's stamps */
}

/* --------------------------------------------------------------- work logs */

static int on_worklog(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    const char *id = uuid_of(data, "id"), *wid = uuid_of(data, "worklog_id");
    const json_t *spent = json_object_get(data, "time_spent");
    char minutes[16];
    stamp_t st;
    int rc;

    if (id == NULL || wid == NULL)
        return 0;
    stamp(ev, &st);
    if ((rc = touch(out, id, &st)) < 0)
        return rc;
    if (strcmp(ev->type, "issue.worklog_deleted") == 0) {
        const char *p[] = {wid, st.ts};
        return fl_proj_emit(out,
                            "UPDATE issue_worklogs SET deleted_at = $2::timestamptz,"
                            " updated_at = $2::timestamptz WHERE id = $1::uuid",
                            2, p);
    }
    snprintf(minutes, sizeof(minutes), "%lld", (long long)json_integer_value(spent));
    const json_t *desc = json_object_get(data, "description");
    const char *mins = json_is_integer(spent) ? minutes : NULL, *date = str_of(data, "work_date");
    const char *billable = bool_of(data, "billable");
    if (strcmp(ev->type, "issue.worklog_updated") == 0) {
        const char *p[] = {wid,      mins, date, json_string_value(desc), desc != NULL ? "t" : "f",
                           billable, st.ts};
        return fl_proj_emit(
            out,
            "UPDATE issue_worklogs SET time_spent = coalesce($2::integer, time_spent),"
            " work_date = coalesce($3::date, work_date), description = CASE WHEN $5::boolean"
            " THEN $4 ELSE description END, billable = coalesce($6::boolean, billable),"
            " updated_at = $7::timestamptz WHERE id = $1::uuid",
            7, p);
    }
    const char *p[] = {
        wid, id, uuid_of(data, "user_id"), mins, date, json_string_value(desc), billable, st.ts};
    return fl_proj_emit(out,
                        "INSERT INTO issue_worklogs (id, issue_id, user_id, time_spent, work_date,"
                        " description, billable, created_at, updated_at) VALUES ($1::uuid,"
                        " $2::uuid, $3::uuid, coalesce($4::integer, 0), coalesce($5::date,"
                        " $8::timestamptz::date), $6, coalesce($7::boolean, false),"
                        " $8::timestamptz, $8::timestamptz) ON CONFLICT (id) DO NOTHING",
                        8, p);
}

/* ------------------------------------------------------------------- links */

static int on_linked(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    const char *id = uuid_of(data, "id"), *lid = uuid_of(data, "link_id");
    const char *target = uuid_of(data, "target_id"), *type = str_of(data, "link_type");
    stamp_t st;
    int rc;

    if (id == NULL || lid == NULL || target == NULL || type == NULL)
        return 0;
    stamp(ev, &st);
    if ((rc = touch(out, id, &st)) < 0)
        return rc;
    const char *p[] = {
        lid, id, str_of(data, "target_type"), target, type, uuid_of(data, "created_by"), st.ts};
    rc = fl_proj_emit(out,
                      "INSERT INTO issue_links (id, issue_id, target_type, target_id, link_type,"
                      " created_by, created_at) VALUES ($1::uuid, $2::uuid, coalesce($3, 'issue'),"
                      " $4::uuid, $5, $6::uuid, $7::timestamptz) ON CONFLICT DO NOTHING",
                      7, p);
    if (rc < 0 || strcmp(type, "parent") != 0)
        return rc;
    const char *q[] = {id, target};
    return fl_proj_emit(out, "UPDATE issues SET parent_issue_id = $2::uuid WHERE id = $1::uuid", 2,
                        q);
}

const fl_proj_handler_t fl_issues_action_projections[] = {
    {"issue.assigned", on_assigned},
    {"issue.escalated", on_escalated},
    {"issue.resolved", on_done},
    {"issue.closed", on_done},
    {"issue.reopened", on_done},
    {"issue.comment_added", on_comment},
    {"issue.comment_edited", on_comment},
    {"issue.comment_deleted", on_comment},
    {"issue.worklog_added", on_worklog},
    {"issue.worklog_updated", on_worklog},
    {"issue.worklog_deleted", on_worklog},
    {"issue.linked", on_linked},
    {NULL, NULL},
};
