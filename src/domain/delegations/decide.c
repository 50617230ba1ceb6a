/*
 * Deciding delegation commands. Every delegation of a delegator lives in one
 * stream, so the overlap rule is checked against the whole stream and the
 * append expects the version that was checked: two concurrent creates
 * cannot both pass. A delegation's lifecycle:
 *
 *   | from      | command | to        | events             | refusals               |
 *   | none      | create  | scheduled | delegation.created | 409, 422 (below)       |
 *   |           |         | or active |                    |                        |
 *   | scheduled | revoke  | revoked   | delegation.revoked | 412 If-Match           |
 *   | active    | revoke  | revoked   | delegation.revoked | 412 If-Match           |
 *   | active    | (time)  | ended     | —                  | —                      |
 *   | revoked   | revoke  | —         | —                  | 409 already revoked    |
 *   | ended     | revoke  | —         | —                  | 409 already ended      |
 *   | none      | revoke  | —         | —                  | 404                    |
 *
 * "Live" below means not revoked and not ended at ctx->now. A new
 * delegation never starts in the past, so an ended one cannot overlap it.
 */
#include <stdio.h>
#include <string.h>

#include "firelater/delegations.h"
#include "firelater/err.h"

#define US 1000000LL
#define TS 40

static bool live(const fl_delegation_t *x, fl_time_t now)
{
    return now < fl_delegation_end(x);
}

/* The first live delegation of s whose period meets [from, to), or NULL. */
static const fl_delegation_t *overlapping(const fl_delegations_state_t *s, fl_time_t from,
                                          fl_time_t to, fl_time_t now)
{
    for (size_t i = 0; s != NULL && i < s->n; i++) {
        const fl_delegation_t *x = &s->items[i];
        if (live(x, now) && x->starts_at < to && from < fl_delegation_end(x))
            return x;
    }
    return NULL;
}

static size_t open_count(const fl_delegations_state_t *s, fl_time_t now)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n; i++)
        n += live(&s->items[i], now) ? 1 : 0;
    return n;
}

/* "<what> <id> (<from> to <to>)" in the arena, for naming the other delegation. */
static const char *naming(fl_arena_t *a, const char *what, const fl_delegation_t *x)
{
    char from[TS], to[TS], buf[200];

    fl_time_format(x->starts_at, from, sizeof(from));
    fl_time_format(fl_delegation_end(x), to, sizeof(to));
    snprintf(buf, sizeof(buf), "%s %s (%s to %s)", what, x->id, from, to);
    return fl_arena_strndup(a, buf, strlen(buf));
}

static void check_delegate(const fl_delegation_cmd_t *cmd, const fl_delegation_parties_t *pt,
                           fl_decision_t *d)
{
    if (strcmp(cmd->delegate_id, pt->delegator->id) == 0)
        fl_decision_field(d, "delegate_id", "must be another user than the delegator");
    else if (pt->delegate == NULL || !pt->delegate->exists)
        fl_decision_field(d, "delegate_id", "names no user of this tenant");
    else if (pt->delegate->status != FL_USER_ACTIVE)
        fl_decision_field(d, "delegate_id", "must be an active user");
}

/* The period's rules; *from is starts_at as recorded (now when absent or within the grace). */
static void check_period(const fl_cmd_ctx_t *ctx, const fl_delegation_cmd_t *cmd, fl_time_t *from,
                         fl_decision_t *d)
{
    *from = cmd->starts_at;
    if (*from == 0 || (*from < ctx->now && ctx->now - *from <= FL_DELEG_START_GRACE * US))
        *from = ctx->now;
    if (*from < ctx->now)
        fl_decision_field(d, "starts_at", "must not be in the past (omit it to start now)");
    if (cmd->ends_at <= ctx->now)
        fl_decision_field(d, "ends_at", "must be in the future");
    else if (cmd->ends_at <= *from)
        fl_decision_field(d, "ends_at", "must be after starts_at");
    else if (cmd->ends_at - *from > FL_DELEG_MAX_DAYS * 86400LL * US)
        fl_decision_field(d, "ends_at", "must be at most 90 days after starts_at");
}

/* The rules that need the period: no chain, the open limit, no overlap (409). */
static int check_others(const fl_cmd_ctx_t *ctx, const fl_delegation_parties_t *pt, fl_time_t from,
                        fl_time_t to, fl_decision_t *d)
{
    const fl_delegation_t *x = overlapping(pt->delegates_own, from, to, ctx->now);

    if (x != NULL) {
        fl_decision_field(d, "delegate_id",
                          naming(ctx->a,
                                 "has delegated their own approvals for an overlapping period:"
                                 " delegation",
                                 x));
        return FL_EINVAL;
    }
    if (open_count(pt->mine, ctx->now) >= FL_DELEG_MAX_OPEN)
        return fl_decision_fail(d, 422, "too many delegations",
                                "at most 50 delegations may be scheduled or running at once");
    if ((x = overlapping(pt->mine, from, to, ctx->now)) != NULL) {
        const char *which = naming(ctx->a, "overlaps delegation", x);
        fl_decision_fail(d, 409, "overlapping delegation", which);
        fl_decision_field(d, "starts_at", which);
        return FL_EINVAL;
    }
    return 0;
}

static json_t *created_data(const fl_cmd_ctx_t *ctx, const char *id, const fl_delegation_cmd_t *cmd,
                            const fl_delegation_parties_t *pt, fl_time_t from)
{
    return json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o}", "id", id, "delegator_id",
                     pt->delegator->id, "delegate_id", pt->delegate->id, "starts_at",
                     fl_json_time_or_null(from), "ends_at", fl_json_time_or_null(cmd->ends_at),
                     "reason", fl_json_str_or_null(cmd->reason), "created_by",
                     fl_json_str_or_null(ctx->actor_id));
}

static int set_location(const fl_cmd_ctx_t *ctx, const char *user, const char *id, fl_decision_t *d)
{
    size_t n = sizeof("/api/v1/users//delegations/") + 2 * FL_UUID_LEN;
    char *loc = fl_arena_alloc(ctx->a, n);

    if (loc == NULL)
        return FL_ETOOBIG;
    snprintf(loc, n, "/api/v1/users/%s/delegations/%s", user, id);
    d->location = loc;
    return 0;
}

int fl_delegations_decide_create(const fl_cmd_ctx_t *ctx, const fl_delegation_cmd_t *cmd,
                                 const fl_delegation_parties_t *pt, fl_decision_t *d)
{
    fl_time_t from;

    if (!pt->delegator->exists || pt->delegator->status != FL_USER_ACTIVE)
        return fl_decision_fail(d, 409, "the user is not active",
                                "only an active user may delegate their approvals");
    check_delegate(cmd, pt, d);
    check_period(ctx, cmd, &from, d);
    if (fl_decision_failed(d) || check_others(ctx, pt, from, cmd->ends_at, d) < 0)
        return FL_EINVAL;
    char *id = fl_uuid_new(ctx->a);
    char *mine = fl_delegations_stream(ctx->a, pt->delegator->id);
    char *theirs = fl_delegations_stream(ctx->a, pt->delegate->id);
    if (id == NULL || mine == NULL || theirs == NULL)
        return FL_ETOOBIG;
    /* The delegate's own stream is expected too: it was checked for a chain. */
    uint64_t tv = pt->delegates_own != NULL ? pt->delegates_own->version : 0;
    int rc = fl_decision_expect(d, theirs, (int64_t)tv);
    if (rc == 0)
        rc = fl_decision_emit_at(d, ctx, mine, (int64_t)pt->mine->version, "delegation.created",
                                 created_data(ctx, id, cmd, pt, from));
    return rc == 0 ? set_location(ctx, pt->delegator->id, id, d) : rc;
}

int fl_delegations_decide_revoke(const fl_cmd_ctx_t *ctx, const fl_delegations_state_t *s,
                                 const char *id, int64_t expected, fl_decision_t *d)
{
    const fl_delegation_t *x = s != NULL ? fl_delegations_get(s, id) : NULL;

    if (x == NULL)
        return fl_decision_fail(d, 404, "not found", "no such delegation");
    if (x->revoked_at != 0)
        return fl_decision_fail(d, 409, "already revoked", "the delegation is already revoked");
    if (ctx->now >= x->ends_at)
        return fl_decision_fail(d, 409, "already ended", "the delegation has already ended");
    if (expected != FL_LOG_ANY && (uint64_t)expected != s->version)
        return fl_decision_fail(d, 412, "version mismatch", "the delegations changed meanwhile");
    json_t *data =
        json_pack("{s:s, s:s, s:o, s:o}", "id", x->id, "delegator_id", s->user_id, "revoked_at",
                  fl_json_time_or_null(ctx->now), "revoked_by", fl_json_str_or_null(ctx->actor_id));
    return fl_decision_emit_at(d, ctx, fl_delegations_stream(ctx->a, s->user_id),
                               (int64_t)s->version, "delegation.revoked", data);
}
