/*
 * Commands -> events for groups. Pure: the state comes in, the decision goes
 * out; time is ctx->now and memory ctx->a.
 *
 * The group lifecycle (README.md explains it):
 *
 *   from     command          to       events
 *   (none)   create           live     group.created + group.name_claimed
 *   live     update           live     group.updated [+ name claimed/released]
 *   live     add member       live     group.member_added | group.member_role_changed
 *   live     remove member    live     group.member_removed
 *   live     delete           deleted  group.deleted + group.name_released
 *
 * Every other pair is refused as `lifecycle` says: a deleted group is gone
 * for the API, so it answers as an unknown one does.
 */
#include <stdio.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

typedef enum state { ST_NONE, ST_LIVE, ST_DELETED, ST__N } state_t;

/* A refusal: status 0 means the command may run in that state. */
typedef struct rule {
    int status;
    const char *title;
} rule_t;

#define NOT_FOUND                                                                                  \
    {                                                                                              \
        404, "group not found"                                                                     \
    }

static const rule_t lifecycle[ST__N][FL__GROUP_OP__N] = {
    [ST_NONE] = {NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND},
    [ST_LIVE] = {{0, NULL}, {0, NULL}, {0, NULL}, {0, NULL}},
    [ST_DELETED] = {NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND},
};

static state_t state_of(const fl_group_state_t *g)
{
    if (!g->exists)
        return ST_NONE;
    return g->deleted ? ST_DELETED : ST_LIVE;
}

int fl__groups_check_lifecycle(const fl_group_state_t *g, fl__group_op_t op, fl_decision_t *d)
{
    const rule_t *r = &lifecycle[state_of(g)][op];

    return r->status == 0 ? 0 : fl_decision_refuse(d, r->status, r->title, NULL, NULL);
}

int fl__groups_emit(const fl_cmd_ctx_t *ctx, const fl_group_state_t *g, int64_t expected,
                    const char *type, json_t *data, fl_decision_t *d)
{
    char *stream = fl_groups_stream(ctx->a, g->id);
    int rc;

    if (stream == NULL) {
        json_decref(data);
        return FL_ETOOBIG;
    }
    rc = fl_decision_expect(d, stream, expected == FL_LOG_ANY ? (int64_t)g->version : expected);
    if (rc == 0)
        rc = fl_decision_emit(d, ctx, stream, type, data, NULL);
    else
        json_decref(data);
    return rc;
}

int fl__groups_emit_claim(const fl_cmd_ctx_t *ctx, const char *type, const char *name,
                          const char *group_id, int64_t version, fl_decision_t *d)
{
    char *stream = fl_groups_name_stream(ctx->a, name);
    int rc;

    if (stream == NULL)
        return FL_ETOOBIG;
    rc = fl_decision_expect(d, stream, version);
    if (rc == 0)
        rc = fl_decision_emit(d, ctx, stream, type,
                              json_pack("{s:s,s:s}", "name", name, "group_id", group_id), NULL);
    return rc;
}

/* ----------------------------------------------------------------- create */

static json_t *created_data(const char *id, const fl_group_fields_t *f)
{
    return json_pack("{s:s,s:s,s:o,s:s,s:o,s:o,s:o,s:o}", "id", id, "name", f->name, "description",
                     fl_json_str_or_null(f->description), "type",
                     fl_group_type_name(f->type != FL_GROUP_TYPE_NONE ? f->type : FL_GROUP_TEAM),
                     "parent_id", fl_json_str_or_null(f->parent_id), "manager_id",
                     fl_json_str_or_null(f->manager_id), "email", fl_json_str_or_null(f->email),
                     "roles", fl__groups_jnames(f->roles, f->n_roles));
}

static int check_create(const fl_group_cmd_t *cmd, const fl_group_refs_t *refs, fl_decision_t *d)
{
    static const fl_group_state_t none = {0};

    fl_assert(refs->claim != NULL);
    if (fl__groups_name_taken(refs->claim, NULL))
        return fl_decision_refuse(d, 409, "group name already in use", "name",
                                  "is already used by another group");
    if (cmd->f.parent_id != NULL && fl__groups_check_parent(&none, cmd->f.parent_id, refs, d) < 0)
        return FL_EINVAL;
    if (cmd->f.manager_id != NULL && fl__groups_check_manager(cmd->f.manager_id, refs, d) < 0)
        return FL_EINVAL;
    return 0;
}

int fl_groups_decide_create(const fl_cmd_ctx_t *ctx, const fl_group_cmd_t *cmd,
                            const fl_group_refs_t *refs, fl_decision_t *d)
{
    fl_group_state_t g = {0};
    char *id;
    int rc;

    if (check_create(cmd, refs, d) < 0)
        return FL_EINVAL;
    if ((id = fl_uuid_new(ctx->a)) == NULL)
        return FL_ETOOBIG;
    memcpy(g.id, id, FL_UUID_LEN + 1);
    rc = fl__groups_emit(ctx, &g, FL_LOG_NO_STREAM, "group.created", created_data(id, &cmd->f), d);
    if (rc == 0)
        rc = fl__groups_emit_claim(ctx, "group.name_claimed", cmd->f.name, id,
                                   (int64_t)refs->claim->version, d);
    d->location = fl_arena_concat(ctx->a, "/api/v1/groups/", id);
    return rc == 0 && d->location == NULL ? FL_ETOOBIG : rc;
}

/* ----------------------------------------------------------------- delete */

static json_t *deleted_data(const fl_group_state_t *g)
{
    json_t *members = json_array();

    for (size_t i = 0; i < g->n_members; i++)
        json_array_append_new(members, json_string(g->members[i].user_id));
    return json_pack("{s:s,s:s,s:o}", "id", g->id, "name", g->name, "members", members);
}

/* "referenced by N child groups", in the arena (a static text past its budget). */
static const char *children_message(fl_arena_t *a, long n)
{
    char *msg = fl_arena_alloc(a, 64);

    if (msg == NULL)
        return "is referenced by child groups";
    snprintf(msg, 64, "is the parent_id of %ld live group%s", n, n == 1 ? "" : "s");
    return msg;
}

int fl_groups_decide_delete(const fl_cmd_ctx_t *ctx, const fl_group_state_t *g, int64_t expected,
                            long n_children, fl_decision_t *d)
{
    int rc;

    if (fl__groups_check_lifecycle(g, FL__GROUP_OP_DELETE, d) < 0)
        return FL_EINVAL;
    if (n_children > 0)
        return fl_decision_refuse(d, 409, "group has child groups", "children",
                                  children_message(ctx->a, n_children));
    rc = fl__groups_emit(ctx, g, expected, "group.deleted", deleted_data(g), d);
    /* The claim is this group's; only its own commands, ordered by its stream, touch it. */
    if (rc == 0)
        rc = fl__groups_emit_claim(ctx, "group.name_released", g->name, g->id, FL_LOG_ANY, d);
    return rc;
}
