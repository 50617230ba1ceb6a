/*
 * Commands -> events for users. Pure: the state comes in, the decision goes
 * out; time is ctx->now and memory ctx->a.
 *
 * The user lifecycle (README.md explains it):
 *
 *   from      command               to        events
 *   (none)    create                active*   user.created + user.email_claimed
 *   active    update                active    user.updated [+ email claimed/released]
 *   active    update status=inactive inactive [user.updated +] user.deactivated
 *   active    deactivate            inactive  user.deactivated
 *   active    change password       active    user.password_changed
 *   active    sign-in recorded      active    user.logged_in
 *   inactive  update                inactive  user.updated
 *   inactive  update status=active  active    user.updated (changes.status)
 *   * or inactive when the body says so.
 *
 * Every other pair is refused as `lifecycle` says.
 */
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

typedef enum op { OP_UPDATE, OP_DEACTIVATE, OP_PASSWORD, OP_LOGIN, OP__N } op_t;

/* A refusal: status 0 means the command may run in that state. */
typedef struct rule {
    int status;
    const char *title;
    const char *field; /* the field the refusal names, or NULL */
} rule_t;

#define NOT_FOUND                                                                                  \
    {                                                                                              \
        404, "user not found", NULL                                                                \
    }
#define INACTIVE                                                                                   \
    {                                                                                              \
        409, "user is inactive", "status"                                                          \
    }

static const rule_t lifecycle[][OP__N] = {
    [FL_USER_NONE] = {NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND},
    [FL_USER_ACTIVE] = {{0}, {0}, {0}, {0}},
    [FL_USER_INACTIVE] = {{0}, {409, "user is already inactive", "status"}, INACTIVE, INACTIVE},
};

static int check_lifecycle(const fl_user_state_t *u, op_t op, fl_decision_t *d)
{
    const rule_t *r = &lifecycle[u->exists ? u->status : FL_USER_NONE][op];

    return r->status == 0 ? 0 : fl_decision_refuse(d, r->status, r->title, r->field, NULL);
}

bool fl__users_is_self(const fl_cmd_ctx_t *ctx, const fl_user_state_t *u)
{
    return ctx->actor_id != NULL && strcmp(ctx->actor_id, u->id) == 0;
}

static int64_t expectation(const fl_user_state_t *u, int64_t expected)
{
    return expected == FL_LOG_ANY ? (int64_t)u->version : expected;
}

/* Expects the user's stream at the version and emits one event on it. */
static int emit_user(const fl_cmd_ctx_t *ctx, const fl_user_state_t *u, int64_t expected,
                     const char *type, json_t *data, fl_decision_t *d)
{
    char *stream = fl_users_stream(ctx->a, u->id);
    int rc;

    if (stream == NULL) {
        json_decref(data);
        return FL_ETOOBIG;
    }
    rc = fl_decision_expect(d, stream, expectation(u, expected));
    if (rc == 0)
        rc = fl_decision_emit(d, ctx, stream, type, data, NULL);
    else
        json_decref(data);
    return rc;
}

static json_t *change(json_t *from, json_t *to)
{
    return json_pack("{s:o,s:o}", "from", from, "to", to);
}

static json_t *deactivated_data(const fl_user_state_t *u)
{
    return json_pack("{s:s,s:{s:o}}", "id", u->id, "changes", "status",
                     change(json_string(fl_user_status_name(u->status)), json_string("inactive")));
}

/* ------------------------------------------------------------------ email */

/* The address is taken by another user: 409 naming email. */
static bool email_taken(const fl_email_claim_state_t *claim, const char *user_id)
{
    return claim->claimed && (user_id == NULL || strcmp(claim->user_id, user_id) != 0);
}

static int conflict_email(fl_decision_t *d)
{
    return fl_decision_refuse(d, 409, "email already in use", "email",
                              "is already in use by another user");
}

/* user.email_claimed (or _released) on the address's claim stream, expected at `version`. */
static int emit_claim(const fl_cmd_ctx_t *ctx, const char *type, const char *email,
                      const char *user_id, int64_t version, fl_decision_t *d)
{
    char *stream = fl_users_email_stream(ctx->a, email);
    int rc;

    if (stream == NULL)
        return FL_ETOOBIG;
    rc = fl_decision_expect(d, stream, version);
    if (rc == 0)
        rc = fl_decision_emit(d, ctx, stream, type,
                              json_pack("{s:s,s:s}", "email", email, "user_id", user_id), NULL);
    return rc;
}

/* ----------------------------------------------------------------- create */

static json_t *created_data(const char *id, const fl_user_create_cmd_t *cmd, const char *hash)
{
    const fl_user_fields_t *f = &cmd->f;
    static const char *const requester[] = {"requester"};
    bool roles = f->n_roles > 0;

    return json_pack(
        "{s:s,s:s,s:s,s:o,s:s,s:o,s:s,s:o,s:o}", "id", id, "email", f->email, "name", f->name,
        "phone", fl_json_str_or_null(f->phone), "timezone",
        f->timezone != NULL ? f->timezone : "UTC", "avatar_url", fl_json_str_or_null(f->avatar_url),
        "status", f->status == FL_USER_INACTIVE ? "inactive" : "active", "roles",
        roles ? fl__users_jnames(f->roles, f->n_roles) : fl__users_jnames(requester, 1),
        "password_hash", fl_json_str_or_null(hash));
}

int fl_users_decide_create(const fl_cmd_ctx_t *ctx, const fl_user_create_cmd_t *cmd,
                           const char *password_hash, const fl_email_claim_state_t *claim,
                           fl_decision_t *d)
{
    fl_user_state_t u = {0};
    char *id = fl_uuid_new(ctx->a);
    int rc;

    if (email_taken(claim, NULL))
        return conflict_email(d);
    if (id == NULL)
        return FL_ETOOBIG;
    memcpy(u.id, id, FL_UUID_LEN + 1);
    rc = emit_user(ctx, &u, FL_LOG_NO_STREAM, "user.created", created_data(id, cmd, password_hash),
                   d);
    if (rc == 0)
        rc = emit_claim(ctx, "user.email_claimed", cmd->f.email, id, (int64_t)claim->version, d);
    d->location = fl_arena_concat(ctx->a, "/api/v1/users/", id);
    return rc == 0 && d->location == NULL ? FL_ETOOBIG : rc;
}

/* ------------------------------------------------------------- deactivate */

int fl_users_decide_deactivate(const fl_cmd_ctx_t *ctx, const fl_user_state_t *u, int64_t expected,
                               fl_decision_t *d)
{
    if (check_lifecycle(u, OP_DEACTIVATE, d) < 0)
        return FL_EINVAL;
    if (fl__users_is_self(ctx, u))
        return fl_decision_refuse(d, 409, "you cannot deactivate yourself", "status", NULL);
    return emit_user(ctx, u, expected, "user.deactivated", deactivated_data(u), d);
}

/* --------------------------------------------------------------- password */

static int password_allowed(const fl_cmd_ctx_t *ctx, const fl_user_state_t *u,
                            const fl_user_password_cmd_t *cmd, fl_decision_t *d)
{
    if (!fl__users_is_self(ctx, u) && !cmd->by_admin)
        return fl_decision_refuse(d, 403, "only an administrator may set another user's password",
                                  NULL, NULL);
    if (!fl__users_is_self(ctx, u))
        return 0;
    if (cmd->current_password == NULL)
        return fl_decision_refuse(d, 422, "validation failed", "current_password", "is required");
    if (!cmd->current_verified)
        return fl_decision_refuse(d, 403, "current password is incorrect", "current_password",
                                  "does not match");
    return 0;
}

int fl_users_decide_password(const fl_cmd_ctx_t *ctx, const fl_user_state_t *u, int64_t expected,
                             const fl_user_password_cmd_t *cmd, const char *password_hash,
                             fl_decision_t *d)
{
    if (check_lifecycle(u, OP_PASSWORD, d) < 0 || password_allowed(ctx, u, cmd, d) < 0)
        return FL_EINVAL;
    if (!fl_users_check_password(cmd->new_password, u->email, "new_password", d))
        return FL_EINVAL;
    fl_assert(password_hash != NULL);
    /* The hash is data for the fold, never a change to show: changes only says "password". */
    json_t *data = json_pack("{s:s,s:s,s:{s:{s:b}}}", "id", u->id, "password_hash", password_hash,
                             "changes", "password", "redacted", 1);
    return emit_user(ctx, u, expected, "user.password_changed", data, d);
}

/* ------------------------------------------------------------------ login */

int fl_users_decide_login_recorded(const fl_cmd_ctx_t *ctx, const fl_user_state_t *u,
                                   fl_decision_t *d)
{
    char *stream;

    if (check_lifecycle(u, OP_LOGIN, d) < 0)
        return FL_EINVAL;
    stream = fl_users_stream(ctx->a, u->id);
    if (stream == NULL)
        return FL_ETOOBIG;
    return fl_decision_emit(
        d, ctx, stream, "user.logged_in",
        json_pack("{s:s,s:o}", "id", u->id, "at", fl_json_time_or_null(ctx->now)), NULL);
}

/* ----------------------------------------------------------------- update */

static bool email_moves(const fl_user_state_t *u, const fl_user_fields_t *f)
{
    return (f->set & FL_USER_F_EMAIL) && strcasecmp(u->email, f->email) != 0;
}

static int emit_email_move(const fl_cmd_ctx_t *ctx, const fl_user_state_t *u,
                           const fl_user_fields_t *f, const fl_email_claim_state_t *claim,
                           fl_decision_t *d)
{
    int rc = emit_claim(ctx, "user.email_claimed", f->email, u->id, (int64_t)claim->version, d);

    /* The old claim is this user's; only this user's commands, ordered by its stream, touch it. */
    if (rc == 0)
        rc = emit_claim(ctx, "user.email_released", u->email, u->id, FL_LOG_ANY, d);
    return rc;
}

int fl_users_decide_update(const fl_cmd_ctx_t *ctx, const fl_user_state_t *u, int64_t expected,
                           const fl_user_update_cmd_t *cmd, const fl_email_claim_state_t *claim,
                           fl_decision_t *d)
{
    const fl_user_fields_t *f = &cmd->f;
    bool deactivate =
        (f->set & FL_USER_F_STATUS) && f->status == FL_USER_INACTIVE && u->status == FL_USER_ACTIVE;
    int rc = 0;

    if (check_lifecycle(u, OP_UPDATE, d) < 0 || fl__users_update_allowed(ctx, u, cmd, d) < 0)
        return FL_EINVAL;
    fl_assert(!email_moves(u, f) || claim != NULL);
    if (email_moves(u, f) && email_taken(claim, u->id))
        return conflict_email(d);
    json_t *changes = fl__users_update_changes(u, f);
    if (json_object_size(changes) > 0)
        rc = emit_user(ctx, u, expected, "user.updated",
                       json_pack("{s:s,s:o}", "id", u->id, "changes", changes), d);
    else
        json_decref(changes);
    if (rc == 0 && email_moves(u, f))
        rc = emit_email_move(ctx, u, f, claim, d);
    if (rc == 0 && deactivate)
        rc = emit_user(ctx, u, expected, "user.deactivated", deactivated_data(u), d);
    return rc;
}
