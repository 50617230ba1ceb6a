/*
 * The issue categories suite: decode (every bad field named), decide and
 * fold (sibling names, cycles, depth, delete with children, the expected
 * versions that make those hold under concurrency), the reference check's
 * messages, projection statements and list parameters.
 */
#include <check.h>
#include <string.h>

#include "firelater/err.h"
#include "firelater/issue_categories.h"
#include "util.h"

static fl_arena_t arena;
static fl_decision_t d;

static void setup(void)
{
    fl_arena_init(&arena, 0);
    fl_decision_init(&d);
}

static void teardown(void)
{
    fl_decision_release(&d);
    fl_arena_free(&arena);
}

static bool names_field(const char *field)
{
    for (size_t i = 0; i < d.problem.n_errors; i++) {
        if (d.problem.errors[i].field != NULL && strcmp(d.problem.errors[i].field, field) == 0)
            return true;
    }
    return false;
}

static fl_icat_cmd_t decode(const char *text, bool create, int want)
{
    fl_icat_cmd_t c;
    json_t *j = tu_json(text);
    int rc = create ? fl_icats_decode_create(j, &arena, &c, &d)
                    : fl_icats_decode_update(j, &arena, &c, &d);
    json_decref(j);
    ck_assert_int_eq(rc, want);
    return c;
}

/* Folds the decision's events of `stream` into state with type t. */
static void fold(const fl_agg_type_t *t, void *state, const char *stream, uint64_t *sv)
{
    for (size_t i = 0; i < d.n_events; i++) {
        if (strcmp(d.events[i].stream, stream) != 0)
            continue;
        fl_event_t ev = tu_event_of(&d.events[i], ++*sv, 1000000);
        ck_assert_int_eq(t->fold(state, &arena, &ev), 0);
    }
}

/* A live category created under parent (NULL: root), folded with its siblings' stream. */
static void make(fl_icat_state_t *s, fl_icat_children_t *sib, const char *name,
                 const fl_icat_refs_t *refs)
{
    fl_cmd_ctx_t ctx = tu_ctx(&arena, 1000000);
    char body[128];
    uint64_t sv = 0, csv = sib->version;

    snprintf(body, sizeof(body), "{\"name\":\"%s\"}", name);
    fl_icat_cmd_t c = decode(body, true, 0);
    if (refs->parent != NULL)
        c.parent_id = refs->parent->id;
    fl_decision_release(&d);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_icats_decide_create(&ctx, &c, refs, &d), 0);
    fl_icat_agg.init(s);
    fold(&fl_icat_agg, s, d.events[0].stream, &sv);
    fold(&fl_icat_children_agg, sib, d.events[1].stream, &csv);
    ck_assert(s->exists);
    fl_decision_release(&d);
    fl_decision_init(&d);
}

START_TEST(decode_names_every_bad_field)
{
    decode("{\"name\":7,\"description\":[],\"parent_id\":\"nope\",\"sort_order\":1.5,"
           "\"is_active\":\"yes\",\"color\":1}",
           true, FL_EINVAL);
    ck_assert(names_field("name") && names_field("description") && names_field("parent_id"));
    ck_assert(names_field("sort_order") && names_field("is_active") && names_field("color"));
}
END_TEST

START_TEST(decode_create_needs_a_name_and_defaults)
{
    decode("{\"description\":\"x\"}", true, FL_EINVAL);
    ck_assert(names_field("name"));
    fl_decision_release(&d);
    fl_decision_init(&d);
    fl_icat_cmd_t c = decode("{\"name\":\"Net\",\"parent_id\":\"AAAAAAAA-0000-4000-8000-"
                             "000000000001\",\"sort_order\":3000000000}",
                             true, FL_EINVAL);
    ck_assert(names_field("sort_order") && !names_field("parent_id"));
    ck_assert_str_eq(c.parent_id, "aaaaaaaa-0000-4000-8000-000000000001");
    fl_decision_release(&d);
    fl_decision_init(&d);
    c = decode("{\"name\":\"Net\"}", true, 0);
    ck_assert(c.is_active);
    ck_assert_int_eq(c.sort_order, 0);
    decode("{\"name\":\"   \"}", true, FL_EINVAL);
}
END_TEST

START_TEST(siblings_names_are_unique_case_folded)
{
    fl_icat_state_t a;
    fl_icat_children_t roots = {0};
    fl_icat_refs_t refs = {.siblings = &roots};
    fl_cmd_ctx_t ctx = tu_ctx(&arena, 5);

    make(&a, &roots, "Hardware", &refs);
    ck_assert_uint_eq(roots.n, 1);
    fl_icat_cmd_t c = decode("{\"name\":\"HARDWARE\"}", true, 0);
    ck_assert_int_eq(fl_icats_decide_create(&ctx, &c, &refs, &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 409);
    ck_assert(names_field("name"));
}
END_TEST

START_TEST(create_expects_siblings_and_chain)
{
    fl_icat_state_t a;
    fl_icat_children_t roots = {0}, kids = {0};
    fl_icat_refs_t refs = {.siblings = &roots};
    fl_cmd_ctx_t ctx = tu_ctx(&arena, 5);

    make(&a, &roots, "Hardware", &refs);
    fl_icat_link_t chain[1];
    memcpy(chain[0].id, a.id, sizeof(a.id));
    chain[0].version = a.version;
    fl_icat_refs_t r2 = {.parent = &a, .chain = chain, .n_chain = 1, .siblings = &kids};
    fl_icat_cmd_t c = decode("{\"name\":\"Laptops\"}", true, 0);
    c.parent_id = a.id;
    ck_assert_int_eq(fl_icats_decide_create(&ctx, &c, &r2, &d), 0);
    ck_assert_uint_eq(d.n_events, 2);
    ck_assert_str_eq(d.events[1].type, "issue_category.linked");
    ck_assert_str_eq(d.events[1].stream, fl_icats_children_stream(&arena, a.id));
    ck_assert_uint_eq(d.n_expects, 3); /* own stream absent, siblings, the parent */
    ck_assert_int_eq(d.expects[0].version, FL_LOG_NO_STREAM);
    ck_assert_str_eq(d.expects[2].stream, fl_icats_stream(&arena, a.id));
    ck_assert_int_eq(d.expects[2].version, 1);
}
END_TEST

START_TEST(parent_must_be_live_and_depth_at_most_five)
{
    fl_icat_state_t gone = {.exists = true, .deleted = true};
    fl_icat_children_t none = {0};
    fl_icat_link_t chain[5] = {{.id = "a"}, {.id = "b"}, {.id = "c"}, {.id = "d"}, {.id = "e"}};
    fl_icat_refs_t refs = {.parent = &gone, .siblings = &none};
    fl_cmd_ctx_t ctx = tu_ctx(&arena, 5);
    fl_icat_cmd_t c = decode("{\"name\":\"X\"}", true, 0);

    ck_assert_int_eq(fl_icats_decide_create(&ctx, &c, &refs, &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 422);
    ck_assert(names_field("parent_id"));
    fl_decision_release(&d);
    fl_decision_init(&d);
    fl_icat_state_t p = {.exists = true};
    refs = (fl_icat_refs_t){.parent = &p, .chain = chain, .n_chain = 4, .siblings = &none};
    ck_assert_int_eq(fl_icats_decide_create(&ctx, &c, &refs, &d), 0); /* level 5 */
    fl_decision_release(&d);
    fl_decision_init(&d);
    refs.n_chain = 5;
    ck_assert_int_eq(fl_icats_decide_create(&ctx, &c, &refs, &d), FL_EINVAL); /* level 6 */
    ck_assert_int_eq(d.status, 422);
}
END_TEST

START_TEST(a_category_cannot_become_its_own_ancestor)
{
    fl_icat_state_t a, b;
    fl_icat_children_t roots = {0}, kids = {0};
    fl_icat_refs_t refs = {.siblings = &roots};
    fl_cmd_ctx_t ctx = tu_ctx(&arena, 5);

    make(&a, &roots, "A", &refs);
    fl_icat_link_t chain[2];
    memcpy(chain[0].id, a.id, sizeof(a.id));
    fl_icat_refs_t r2 = {.parent = &a, .chain = chain, .n_chain = 1, .siblings = &kids};
    make(&b, &kids, "B", &r2);
    /* move A under B: B's chain is B, A */
    memcpy(chain[0].id, b.id, sizeof(b.id));
    memcpy(chain[1].id, a.id, sizeof(a.id));
    fl_icat_refs_t mv = {
        .parent = &b, .chain = chain, .n_chain = 2, .siblings = &kids, .height = 2};
    char body[96];
    snprintf(body, sizeof(body), "{\"parent_id\":\"%s\"}", b.id);
    fl_icat_cmd_t c = decode(body, false, 0);
    ck_assert_int_eq(fl_icats_decide_update(&ctx, &a, FL_LOG_ANY, &c, &mv, &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 409);
    ck_assert(names_field("parent_id"));
}
END_TEST

START_TEST(update_records_changes_and_rename_relinks)
{
    fl_icat_state_t a;
    fl_icat_children_t roots = {0};
    fl_icat_refs_t refs = {.siblings = &roots};
    fl_cmd_ctx_t ctx = tu_ctx(&arena, 5);
    uint64_t sv = 1, csv = roots.version;

    make(&a, &roots, "Net", &refs);
    csv = roots.version;
    fl_icat_cmd_t c =
        decode("{\"name\":\"Network\",\"sort_order\":2,\"is_active\":true}", false, 0);
    ck_assert_int_eq(fl_icats_decide_update(&ctx, &a, 1, &c, &refs, &d), 0);
    ck_assert_uint_eq(d.n_events, 2);
    ck_assert_str_eq(d.events[0].type, "issue_category.updated");
    ck_assert_str_eq(d.events[1].type, "issue_category.linked");
    fold(&fl_icat_agg, &a, d.events[0].stream, &sv);
    fold(&fl_icat_children_agg, &roots, d.events[1].stream, &csv);
    ck_assert_str_eq(a.name, "Network");
    ck_assert_int_eq(a.sort_order, 2);
    ck_assert_uint_eq(roots.n, 1);
    ck_assert_str_eq(roots.c[0].name, "Network");
    fl_decision_release(&d);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_icats_decide_update(&ctx, &a, FL_LOG_ANY, &c, &refs, &d), 0);
    ck_assert_uint_eq(d.n_events, 0); /* nothing changes */
}
END_TEST

START_TEST(delete_refused_while_children_live)
{
    fl_icat_state_t a, b;
    fl_icat_children_t roots = {0}, kids = {0};
    fl_icat_refs_t refs = {.siblings = &roots};
    fl_cmd_ctx_t ctx = tu_ctx(&arena, 5);

    make(&a, &roots, "A", &refs);
    fl_icat_link_t chain[1];
    memcpy(chain[0].id, a.id, sizeof(a.id));
    fl_icat_refs_t r2 = {.parent = &a, .chain = chain, .n_chain = 1, .siblings = &kids};
    make(&b, &kids, "Printers", &r2);
    ck_assert_int_eq(fl_icats_decide_delete(&ctx, &a, FL_LOG_ANY, &kids, &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 409);
    ck_assert(names_field("children"));
    ck_assert_ptr_nonnull(strstr(d.problem.errors[0].message, "Printers"));
    fl_decision_release(&d);
    fl_decision_init(&d);
    fl_icat_children_t none = {0};
    uint64_t sv = b.version, csv = kids.version;
    ck_assert_int_eq(fl_icats_decide_delete(&ctx, &b, FL_LOG_ANY, &none, &d), 0);
    fold(&fl_icat_agg, &b, d.events[0].stream, &sv);
    fold(&fl_icat_children_agg, &kids, d.events[1].stream, &csv);
    ck_assert(b.deleted);
    ck_assert_uint_eq(kids.n, 0);
    /* the delete expects its own children stream still empty */
    ck_assert_str_eq(d.expects[d.n_expects - 1].stream, fl_icats_children_stream(&arena, b.id));
    fl_decision_release(&d);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_icats_decide_delete(&ctx, &b, FL_LOG_ANY, &none, &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 404);
}
END_TEST

START_TEST(reference_messages_and_list_parameters)
{
    fl_icats_query_t q;
    fl_http_param_t bad[] = {{"tree", "yes"}, {"parent_id", "x"}, {"colour", "red"}};
    fl_http_param_t inactive[] = {{"is_active", "false"}};
    fl_http_param_t good[] = {{"tree", "true"},
                              {"include_inactive", "true"},
                              {"parent_id", "00000000-0000-4000-8000-000000000001"}};

    ck_assert_ptr_null(fl_icat_ref_message(FL_ICAT_REF_OK));
    ck_assert_str_eq(fl_icat_ref_message(FL_ICAT_REF_INACTIVE), "the category is inactive");
    ck_assert_int_eq(fl_icats_list_query(bad, 3, &arena, &q, &d), FL_EINVAL);
    ck_assert(names_field("tree") && names_field("parent_id") && names_field("colour"));
    fl_decision_release(&d);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_icats_list_query(inactive, 1, &arena, &q, &d), FL_EINVAL);
    ck_assert(names_field("is_active"));
    fl_decision_release(&d);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_icats_list_query(good, 3, &arena, &q, &d), 0);
    ck_assert(q.tree);
    ck_assert_ptr_nonnull(strstr(q.sql, "= ANY(t.anc)"));
    ck_assert_ptr_null(strstr(q.sql, "WHERE true AND t.eff"));
    ck_assert_int_eq(fl_icats_get_query("nope", &q), FL_EINVAL);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("issue_categories");
    TCase *tc = tcase_create("issue_categories");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, decode_names_every_bad_field);
    tcase_add_test(tc, decode_create_needs_a_name_and_defaults);
    tcase_add_test(tc, siblings_names_are_unique_case_folded);
    tcase_add_test(tc, create_expects_siblings_and_chain);
    tcase_add_test(tc, parent_must_be_live_and_depth_at_most_five);
    tcase_add_test(tc, a_category_cannot_become_its_own_ancestor);
    tcase_add_test(tc, update_records_changes_and_rename_relinks);
    tcase_add_test(tc, delete_refused_while_children_live);
    tcase_add_test(tc, reference_messages_and_list_parameters);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
