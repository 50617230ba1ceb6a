/*
 * Bundle requests (README "Bundles"): the body's decoding with errors named
 * children[i].<field>; the parent's status from its children's; a bundle of
 * quantities 2 and 1 decided into a parent and three children, whose
 * actions, folded, move the parent (approvals, completion, reopen); the
 * parent's cancel, which cancels its open children; a bad child refusing
 * the whole request with nothing emitted.
 */
#include <stdio.h>
#include <string.h>

#include "firelater/err.h"
#include "firelater/requests.h"
#include "requests_test.h"
#include "util.h"

#define RITA   "00000000-0000-4000-8000-0000000000a1"
#define ANN    "00000000-0000-4000-8000-0000000000a3"
#define I1     "00000000-0000-4000-8000-0000000000c1"
#define I2     "00000000-0000-4000-8000-0000000000c2"
#define BUNDLE "00000000-0000-4000-8000-0000000000d1"
#define G1     "00000000-0000-4000-8000-0000000000b1"

static fl_arena_t arena;
static fl_decision_t d;
static fl_cmd_ctx_t ctx;

static void setup(void)
{
    fl_arena_init(&arena, 0);
    fl_decision_init(&d);
    ctx = tu_ctx(&arena, 1000000);
}

static void teardown(void)
{
    fl_decision_release(&d);
    fl_arena_free(&arena);
}

static int create(const char *body, fl_req_create_cmd_t *cmd)
{
    json_t *j = tu_json(body);
    fl_decision_release(&d);
    fl_decision_init(&d);
    int rc = fl_requests_decode_create(j, &arena, cmd, &d);
    json_decref(j);
    return rc;
}

START_TEST(decode_bundle_body)
{
    static fl_req_create_cmd_t cmd;
    ck_assert_int_eq(create("{\"bundle_id\":\"00000000-0000-4000-8000-0000000000D1\","
                            "\"children\":[{\"item_id\":\"" I1 "\",\"form_data\":{\"a\":1}},"
                            "{\"item_id\":\"" I2 "\"}],\"priority\":\"high\"}",
                            &cmd),
                     0);
    ck_assert_str_eq(cmd.bundle_id, BUNDLE); /* lowercased */
    ck_assert_ptr_null(cmd.catalog_item_id);
    ck_assert_uint_eq(cmd.n_children, 2);
    ck_assert_str_eq(cmd.children[1].item_id, I2);
    ck_assert_ptr_nonnull(cmd.children[0].form_data);
    ck_assert_ptr_null(cmd.children[1].form_data);

    ck_assert_int_eq(create("{\"bundle_id\":\"" BUNDLE "\",\"children\":[{\"item_id\":\"" I1
                            "\"},{\"item_id\":7,\"form_data\":[1],\"wat\":1},3,{}]}",
                            &cmd),
                     FL_EINVAL);
    ck_assert_int_eq(d.status, 422);
    ck_assert(tu_has_error(&d, "children[1].item_id"));
    ck_assert(tu_has_error(&d, "children[1].form_data"));
    ck_assert(tu_has_error(&d, "children[1].wat"));
    ck_assert(tu_has_error(&d, "children[2].item_id"));
    ck_assert(tu_has_error(&d, "children[3].item_id"));
    ck_assert(!tu_has_error(&d, "children[0].item_id"));

    ck_assert_int_eq(create("{\"bundle_id\":\"" BUNDLE "\"}", &cmd), FL_EINVAL);
    ck_assert(tu_has_error(&d, "children"));
    ck_assert_int_eq(create("{\"bundle_id\":\"" BUNDLE "\",\"children\":[]}", &cmd), FL_EINVAL);
    ck_assert(tu_has_error(&d, "children"));
    ck_assert_int_eq(create("{\"bundle_id\":\"" BUNDLE "\",\"catalog_item_id\":\"" I1
                            "\",\"children\":[{\"item_id\":\"" I1 "\"}],\"form_data\":{}}",
                            &cmd),
                     FL_EINVAL);
    ck_assert(tu_has_error(&d, "bundle_id"));
    ck_assert(tu_has_error(&d, "form_data"));
    ck_assert_int_eq(create("{\"catalog_item_id\":\"" I1 "\",\"children\":[]}", &cmd), FL_EINVAL);
    ck_assert(tu_has_error(&d, "children"));

    char body[4096];
    size_t len =
        (size_t)snprintf(body, sizeof(body), "{\"bundle_id\":\"%s\",\"children\":[", BUNDLE);
    for (int i = 0; i < 21; i++)
        len += (size_t)snprintf(body + len, sizeof(body) - len, "%s{\"item_id\":\"%s\"}",
                                i > 0 ? "," : "", I1);
    snprintf(body + len, sizeof(body) - len, "]}");
    ck_assert_int_eq(create(body, &cmd), FL_EINVAL);
    ck_assert(tu_has_error(&d, "children"));
}
END_TEST

START_TEST(parent_status_from_children)
{
    static const struct {
        fl_req_status_t kids[3];
        fl_req_status_t parent;
    } cases[] = {
        {{FL_REQ_PENDING_APPROVAL, FL_REQ_APPROVED, FL_REQ_COMPLETED}, FL_REQ_PENDING_APPROVAL},
        {{FL_REQ_PENDING_APPROVAL, FL_REQ_CANCELLED, FL_REQ_CANCELLED}, FL_REQ_PENDING_APPROVAL},
        {{FL_REQ_APPROVED, FL_REQ_APPROVED, FL_REQ_CANCELLED}, FL_REQ_APPROVED},
        {{FL_REQ_APPROVED, FL_REQ_IN_PROGRESS, FL_REQ_APPROVED}, FL_REQ_IN_PROGRESS},
        {{FL_REQ_APPROVED, FL_REQ_COMPLETED, FL_REQ_APPROVED}, FL_REQ_IN_PROGRESS},
        {{FL_REQ_COMPLETED, FL_REQ_COMPLETED, FL_REQ_IN_PROGRESS}, FL_REQ_IN_PROGRESS},
        {{FL_REQ_COMPLETED, FL_REQ_COMPLETED, FL_REQ_COMPLETED}, FL_REQ_COMPLETED},
        {{FL_REQ_COMPLETED, FL_REQ_CANCELLED, FL_REQ_REJECTED}, FL_REQ_COMPLETED},
        {{FL_REQ_CANCELLED, FL_REQ_CANCELLED, FL_REQ_CANCELLED}, FL_REQ_CANCELLED},
        {{FL_REQ_REJECTED, FL_REQ_CANCELLED, FL_REQ_REJECTED}, FL_REQ_CANCELLED},
        {{FL_REQ_REJECTED, FL_REQ_REJECTED, FL_REQ_REJECTED}, FL_REQ_REJECTED},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        ck_assert_msg(fl_request_bundle_status(cases[i].kids, 3) == cases[i].parent, "case %zu: %s",
                      i, fl_req_status_name(fl_request_bundle_status(cases[i].kids, 3)));
}
END_TEST

/* ----------------------------------------------- deciding a bundle request */

static fl_request_state_t parent, kids[3];
static const char *groups[] = {G1};
static fl_catalog_item_info_t it1, it2;
static fl_user_state_t rita;
static fl_cat_bundle_t bundle;

static void catalog(void)
{
    it1 = (fl_catalog_item_info_t){.exists = true,
                                   .id = I1,
                                   .name = "Laptop",
                                   .status = FL_CAT_ACTIVE,
                                   .approval_required = true,
                                   .approval_type = "sequential",
                                   .approval_groups = groups,
                                   .n_approval_groups = 1,
                                   .form_version = 1,
                                   .version = 3};
    it2 = (fl_catalog_item_info_t){
        .exists = true, .id = I2, .name = "Mouse", .status = FL_CAT_ACTIVE, .form_version = 2};
    rita = (fl_user_state_t){.exists = true, .status = FL_USER_ACTIVE, .id = RITA};
    memset(&bundle, 0, sizeof(bundle));
    bundle.e.exists = true;
    bundle.e.version = 2;
    snprintf(bundle.e.id, sizeof(bundle.e.id), "%s", BUNDLE);
    bundle.e.fields = "{\"name\":\"Starter kit\",\"status\":\"active\",\"items\":["
                      "{\"item_id\":\"" I2 "\",\"quantity\":1,\"sort_order\":5},"
                      "{\"item_id\":\"" I1 "\",\"quantity\":2,\"sort_order\":1}]}";
}

/* The state d's event i is on: the parent's or a child's stream, else the next new one. */
static fl_request_state_t *state_of(size_t i)
{
    const char *st = d.events[i].stream;

    if (!parent.exists || strcmp(st, fl_requests_stream(&arena, parent.id)) == 0)
        return &parent;
    for (size_t k = 0; k < 3; k++) {
        if (!kids[k].exists || strcmp(st, fl_requests_stream(&arena, kids[k].id)) == 0)
            return &kids[k];
    }
    ck_abort_msg("an event on an unknown stream: %s", st);
    return NULL;
}

/* Folds d's events into the states of their streams. */
static void fold_all(void)
{
    for (size_t i = 0; i < d.n_events; i++) {
        fl_request_state_t *s = state_of(i);
        fl_event_t ev = tu_event_of(&d.events[i], s->version + 1, 1000000);
        ck_assert_int_eq(fl_request_agg.fold(s, &arena, &ev), 0);
    }
}

static void submit_bundle(void)
{
    static fl_req_create_cmd_t cmd;
    json_t *form = json_object();
    fl_req_create_refs_t refs[3] = {
        {&it1, true, form, &rita}, {&it1, true, form, &rita}, {&it2, true, form, &rita}};
    fl_req_bundle_refs_t br = {&bundle, refs};

    ck_assert_int_eq(create("{\"bundle_id\":\"" BUNDLE "\",\"children\":[{\"item_id\":\"" I1
                            "\"},{\"item_id\":\"" I1 "\"},{\"item_id\":\"" I2 "\"}]}",
                            &cmd),
                     0);
    memset(&parent, 0, sizeof(parent));
    memset(kids, 0, sizeof(kids));
    ctx.actor_id = RITA;
    ck_assert_int_eq(fl_requests_decide_bundle(&ctx, &cmd, &br, &d), 0);
    json_decref(form);
    fold_all();
}

static int act(fl_request_state_t *s, fl_req_action_kind_t kind)
{
    static const fl_req_decider_t deciders[1] = {{true, NULL}};
    const fl_request_state_t *children[3] = {&kids[0], &kids[1], &kids[2]};
    fl_req_action_t cmd = {.kind = kind, .text = "why"};
    fl_req_action_refs_t refs = {.deciders = deciders, .parent = &parent, .children = children};

    fl_decision_release(&d);
    fl_decision_init(&d);
    ctx.actor_id = ANN;
    fl_requests_decide_action(&ctx, s, FL_LOG_ANY, &cmd, &refs, &d);
    int st = fl_decision_failed(&d) ? d.status : 0;
    if (st == 0)
        fold_all();
    return st;
}

/* True when d expects stream s at version v. */
static bool expects(const char *s, int64_t v)
{
    for (size_t i = 0; i < d.n_expects; i++) {
        if (strcmp(d.expects[i].stream, s) == 0 && d.expects[i].version == v)
            return true;
    }
    return false;
}

START_TEST(bundle_parent_and_children)
{
    catalog();
    submit_bundle();
    /* parent (created, submitted) and three children (created, submitted): the bundle's order
     * is by sort_order, so the laptops come first */
    ck_assert_uint_eq(d.n_events, 8);
    ck_assert(expects(fl_cat_bundle_stream(&arena, BUNDLE), 2));
    ck_assert(expects(fl_cat_item_stream(&arena, I1), 3));
    ck_assert(expects(fl_cat_item_stream(&arena, I2), 0));
    ck_assert(expects(fl_requests_stream(&arena, kids[2].id), FL_LOG_NO_STREAM));
    ck_assert(fl_request_is_parent(&parent));
    ck_assert_int_eq(parent.status, FL_REQ_PENDING_APPROVAL);
    ck_assert_uint_eq(parent.n_children, 3);
    ck_assert_str_eq(kids[0].parent_id, parent.id);
    ck_assert_str_eq(kids[2].bundle_id, BUNDLE);
    ck_assert_str_eq(kids[2].catalog_item_id, I2);
    ck_assert_int_eq(kids[0].status, FL_REQ_PENDING_APPROVAL);
    ck_assert_int_eq(kids[2].status, FL_REQ_APPROVED); /* the mouse needs no approval */
    ck_assert_str_eq(d.location + strlen("/api/v1/requests/"), parent.id);

    /* only cancel applies to the parent */
    ck_assert_int_eq(act(&parent, FL_REQ_ACT_START), 409);
    ck_assert_int_eq(act(&parent, FL_REQ_ACT_APPROVE), 409);

    ck_assert_int_eq(act(&kids[0], FL_REQ_ACT_APPROVE), 0);
    ck_assert_uint_eq(d.n_events, 2); /* the approval, child_moved; kids[1] still pending */
    ck_assert(expects(fl_requests_stream(&arena, parent.id), 2)); /* created, submitted */
    ck_assert_int_eq(parent.status, FL_REQ_PENDING_APPROVAL);
    ck_assert_int_eq(act(&kids[1], FL_REQ_ACT_APPROVE), 0);
    ck_assert_uint_eq(d.n_events, 3);
    ck_assert_str_eq(d.events[2].type, "request.progressed");
    ck_assert_int_eq(parent.status, FL_REQ_APPROVED);
    for (size_t k = 0; k < 3; k++) {
        ck_assert_int_eq(act(&kids[k], FL_REQ_ACT_START), 0);
        ck_assert_int_eq(parent.status, FL_REQ_IN_PROGRESS);
    }
    ck_assert_int_eq(act(&kids[0], FL_REQ_ACT_COMPLETE), 0);
    ck_assert_int_eq(act(&kids[1], FL_REQ_ACT_CANCEL), 0);
    ck_assert_int_eq(parent.status, FL_REQ_IN_PROGRESS);
    ck_assert_int_eq(act(&kids[2], FL_REQ_ACT_COMPLETE), 0);
    ck_assert_str_eq(d.events[2].type, "request.completed");
    ck_assert_int_eq(parent.status, FL_REQ_COMPLETED);
    ck_assert_int_eq(act(&kids[2], FL_REQ_ACT_REOPEN), 0);
    ck_assert_int_eq(parent.status, FL_REQ_IN_PROGRESS);
    /* a stale parent: the decision expects the version it saw, so the append would fail */
    uint64_t stale = --parent.version;
    ck_assert_int_eq(act(&kids[2], FL_REQ_ACT_COMPLETE), 0);
    ck_assert(expects(fl_requests_stream(&arena, parent.id), (int64_t)stale));
}
END_TEST

START_TEST(bundle_cancel_parent)
{
    catalog();
    submit_bundle();
    ck_assert_int_eq(act(&kids[2], FL_REQ_ACT_CANCEL), 0);
    ck_assert_int_eq(act(&parent, FL_REQ_ACT_CANCEL), 0);
    ck_assert_uint_eq(d.n_events, 3); /* the parent's and the two open children's */
    ck_assert_int_eq(parent.status, FL_REQ_CANCELLED);
    for (size_t k = 0; k < 3; k++) {
        ck_assert_int_eq(kids[k].status, FL_REQ_CANCELLED);
        ck_assert_int_eq(parent.children[k].status, FL_REQ_CANCELLED);
    }
    ck_assert_int_eq(act(&parent, FL_REQ_ACT_CANCEL), 409);
}
END_TEST

START_TEST(bundle_refused_whole)
{
    static fl_req_create_cmd_t cmd;
    json_t *form = json_object();
    fl_req_create_refs_t refs[3] = {
        {&it1, true, form, &rita}, {&it1, false, form, &rita}, {&it2, true, form, &rita}};
    fl_req_bundle_refs_t br = {&bundle, refs};

    catalog();
    it2.status = FL_CAT_RETIRED;
    ck_assert_int_eq(create("{\"bundle_id\":\"" BUNDLE "\",\"children\":[{\"item_id\":\"" I1
                            "\"},{\"item_id\":\"" I1 "\"},{\"item_id\":\"" I2 "\"}]}",
                            &cmd),
                     0);
    ck_assert_int_eq(fl_requests_decide_bundle(&ctx, &cmd, &br, &d), FL_EINVAL);
    ck_assert_uint_eq(d.n_events, 0);
    ck_assert(tu_has_error(&d, "children[1].item_id")); /* not visible */
    ck_assert(tu_has_error(&d, "children[2].item_id")); /* retired */
    ck_assert(!tu_has_error(&d, "children[0].item_id"));

    /* the children in another order than the bundle's, or too few */
    it2.status = FL_CAT_ACTIVE;
    ck_assert_int_eq(create("{\"bundle_id\":\"" BUNDLE "\",\"children\":[{\"item_id\":\"" I2
                            "\"},{\"item_id\":\"" I1 "\"},{\"item_id\":\"" I1 "\"}]}",
                            &cmd),
                     0);
    refs[1].item_visible = true;
    ck_assert_int_eq(fl_requests_decide_bundle(&ctx, &cmd, &br, &d), FL_EINVAL);
    ck_assert(tu_has_error(&d, "children[0].item_id"));
    ck_assert_uint_eq(d.n_events, 0);
    ck_assert_int_eq(
        create("{\"bundle_id\":\"" BUNDLE "\",\"children\":[{\"item_id\":\"" I1 "\"}]}", &cmd), 0);
    ck_assert_int_eq(fl_requests_decide_bundle(&ctx, &cmd, &br, &d), FL_EINVAL);
    ck_assert(tu_has_error(&d, "children"));

    /* a deleted or inactive bundle */
    ck_assert_int_eq(
        create("{\"bundle_id\":\"" BUNDLE "\",\"children\":[{\"item_id\":\"" I1 "\"}]}", &cmd), 0);
    bundle.e.fields = "{\"name\":\"x\",\"status\":\"active\",\"items\":[]}";
    cmd.n_children = 0; /* not from a body (decoding refuses it), but the bundle has none */
    ck_assert_int_eq(fl_requests_decide_bundle(&ctx, &cmd, &br, &d), FL_EINVAL);
    ck_assert(tu_has_error(&d, "bundle_id"));
    ck_assert_int_eq(
        create("{\"bundle_id\":\"" BUNDLE "\",\"children\":[{\"item_id\":\"" I1 "\"}]}", &cmd), 0);
    bundle.e.fields = "{\"name\":\"x\",\"status\":\"inactive\",\"items\":[]}";
    ck_assert_int_eq(fl_requests_decide_bundle(&ctx, &cmd, &br, &d), FL_EINVAL);
    ck_assert(tu_has_error(&d, "bundle_id"));
    json_decref(form);
}
END_TEST

/* The cap: 20 children fit one decision (2 + 2 x 20 events); a bundle of 21 is 422. */
START_TEST(bundle_of_twenty)
{
    static fl_req_create_cmd_t cmd;
    static fl_req_create_refs_t refs[FL_REQ_MAX_CHILDREN];
    json_t *form = json_object();
    fl_req_bundle_refs_t br = {&bundle, refs};

    catalog();
    bundle.e.fields = "{\"name\":\"Mice\",\"status\":\"active\",\"items\":["
                      "{\"item_id\":\"" I1 "\",\"quantity\":20,\"sort_order\":0}]}";
    memset(&cmd, 0, sizeof(cmd));
    cmd.bundle_id = BUNDLE;
    cmd.n_children = FL_REQ_MAX_CHILDREN;
    for (size_t i = 0; i < FL_REQ_MAX_CHILDREN; i++) {
        cmd.children[i].item_id = I1;
        refs[i] = (fl_req_create_refs_t){&it1, true, form, &rita};
    }
    ck_assert_int_eq(fl_requests_decide_bundle(&ctx, &cmd, &br, &d), 0);
    ck_assert_uint_eq(d.n_events, 2 + 2 * FL_REQ_MAX_CHILDREN);
    ck_assert_uint_eq(d.n_expects, 1 + 1 + 1 + FL_REQ_MAX_CHILDREN); /* bundle, item, each new */

    fl_decision_release(&d);
    fl_decision_init(&d);
    bundle.e.fields = "{\"name\":\"Mice\",\"status\":\"active\",\"items\":["
                      "{\"item_id\":\"" I1 "\",\"quantity\":20,\"sort_order\":0},"
                      "{\"item_id\":\"" I2 "\",\"quantity\":1,\"sort_order\":1}]}";
    ck_assert_int_eq(fl_requests_decide_bundle(&ctx, &cmd, &br, &d), FL_EINVAL);
    ck_assert_uint_eq(d.n_events, 0);
    ck_assert(tu_has_error(&d, "bundle_id"));
    json_decref(form);
}
END_TEST

TCase *requests_bundles_tcase(void)
{
    TCase *tc = tcase_create("bundles");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, decode_bundle_body);
    tcase_add_test(tc, parent_status_from_children);
    tcase_add_test(tc, bundle_parent_and_children);
    tcase_add_test(tc, bundle_cancel_parent);
    tcase_add_test(tc, bundle_refused_whole);
    tcase_add_test(tc, bundle_of_twenty);
    return tc;
}
