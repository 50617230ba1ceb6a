/*
 * Helpers the groups suites share (groups_test.h).
 */
#include <stdio.h>
#include <string.h>

#include "firelater/codec.h"
#include "firelater/err.h"
#include "groups_test.h"

void gt_fold(fl_group_state_t *g, fl_arena_t *a, const fl_decision_t *d, fl_time_t ts)
{
    char stream[64];

    for (size_t i = 0; i < d->n_events; i++) {
        const fl_log_new_t *e = &d->events[i];
        snprintf(stream, sizeof(stream), "group:%s", g->id);
        if (strncmp(e->stream, "group:", 6) != 0 || (g->id[0] && strcmp(e->stream, stream) != 0))
            continue;
        fl_event_t ev = tu_event_of(e, g->version + 1, ts);
        ck_assert_int_eq(fl_group_agg.fold(g, a, &ev), 0);
    }
}

void gt_make_group(fl_group_state_t *g, fl_arena_t *a, const char *name, const char *parent_id)
{
    fl_cmd_ctx_t ctx = tu_ctx(a, 1000000);
    fl_group_cmd_t cmd = {.f = {.name = name, .type = FL_GROUP_TEAM}};
    fl_group_name_claim_state_t claim = {0};
    fl_group_state_t parent = {.exists = true};
    fl_group_refs_t refs = {.claim = &claim, .parent = &parent};
    fl_decision_t d;

    if (parent_id != NULL && parent_id[0] != '\0') {
        cmd.f.parent_id = parent_id;
        snprintf(parent.id, sizeof(parent.id), "%s", parent_id);
    }
    fl_decision_init(&d);
    ck_assert_int_eq(fl_groups_decide_create(&ctx, &cmd, &refs, &d), 0);
    fl_group_agg.init(g);
    gt_fold(g, a, &d, 1000000);
    ck_assert(g->exists);
    fl_decision_release(&d);
}

void gt_make_user(fl_user_state_t *u, const char *id, bool active)
{
    memset(u, 0, sizeof(*u));
    u->exists = true;
    u->version = 1;
    snprintf(u->id, sizeof(u->id), "%s", id);
    u->email = "someone@acme.io";
    u->name = "Someone";
    u->status = active ? FL_USER_ACTIVE : FL_USER_INACTIVE;
}
