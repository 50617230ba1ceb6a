/*
 * The attachments module: filenames (path parts, control characters, UTF-8,
 * length), the content-type allow-list, Content-Disposition escaping, and
 * decide + fold (upload, link once, delete).
 */
#include <check.h>
#include <string.h>

#include "firelater/attachments.h"
#include "firelater/err.h"
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

START_TEST(filenames)
{
    char long_ok[256], long_bad[257];

    memset(long_ok, 'a', 255);
    long_ok[255] = '\0';
    memset(long_bad, 'a', 256);
    long_bad[256] = '\0';
    ck_assert_ptr_null(fl_attach_filename_problem("report.pdf"));
    ck_assert_ptr_null(fl_attach_filename_problem("r\xc3\xa9sum\xc3\xa9 \"final\".pdf"));
    ck_assert_ptr_null(fl_attach_filename_problem(long_ok));
    ck_assert_ptr_nonnull(fl_attach_filename_problem(long_bad));
    ck_assert_ptr_nonnull(fl_attach_filename_problem(NULL));
    ck_assert_ptr_nonnull(fl_attach_filename_problem(""));
    ck_assert_ptr_nonnull(fl_attach_filename_problem("."));
    ck_assert_ptr_nonnull(fl_attach_filename_problem(".."));
    ck_assert_ptr_nonnull(fl_attach_filename_problem("../etc/passwd"));
    ck_assert_ptr_nonnull(fl_attach_filename_problem("C:\\boot.ini"));
    ck_assert_ptr_nonnull(fl_attach_filename_problem("a\tb"));
    ck_assert_ptr_nonnull(fl_attach_filename_problem("a\x7f"));
    ck_assert_ptr_nonnull(fl_attach_filename_problem("a\xc2\x85"));    /* C1 control */
    ck_assert_ptr_nonnull(fl_attach_filename_problem("a\xc3"));        /* truncated */
    ck_assert_ptr_nonnull(fl_attach_filename_problem("\xc0\xaf"));     /* overlong / */
    ck_assert_ptr_nonnull(fl_attach_filename_problem("\xed\xa0\x80")); /* surrogate */
    ck_assert_ptr_nonnull(fl_attach_filename_problem("\xff"
                                                     "abc"));
}
END_TEST

START_TEST(content_types)
{
    ck_assert_str_eq(fl_attach_type_allowed(&arena, "text/plain; charset=utf-8"), "text/plain");
    ck_assert_str_eq(fl_attach_type_allowed(&arena, "Application/PDF"), "application/pdf");
    ck_assert_str_eq(fl_attach_type_allowed(&arena, "image/png"), "image/png");
    ck_assert_str_eq(
        fl_attach_type_allowed(
            &arena, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    ck_assert_ptr_null(fl_attach_type_allowed(&arena, "text/html"));
    ck_assert_ptr_null(fl_attach_type_allowed(&arena, "image/svg+xml"));
    ck_assert_ptr_null(fl_attach_type_allowed(&arena, "application/x-msdownload"));
    ck_assert_ptr_null(fl_attach_type_allowed(&arena, "application/x-executable"));
    ck_assert_ptr_null(fl_attach_type_allowed(&arena, "application/vnd.oasis.opendocument.x/../y"));
    ck_assert_ptr_null(fl_attach_type_allowed(&arena, ""));
    ck_assert_ptr_null(fl_attach_type_allowed(&arena, NULL));
}
END_TEST

START_TEST(content_disposition)
{
    ck_assert_str_eq(fl_attach_disposition(&arena, "a.txt"),
                     "attachment; filename=\"a.txt\"; filename*=UTF-8''a.txt");
    ck_assert_str_eq(fl_attach_disposition(&arena, "say \"hi\"\\.txt"),
                     "attachment; filename=\"say \\\"hi\\\"\\\\.txt\"; "
                     "filename*=UTF-8''say%20%22hi%22%5C.txt");
    ck_assert_str_eq(fl_attach_disposition(&arena, "r\xc3\xa9sum\xc3\xa9;x=1%.pdf"),
                     "attachment; filename=\"r_sum_;x=1%.pdf\"; "
                     "filename*=UTF-8''r%C3%A9sum%C3%A9%3Bx%3D1%25.pdf");
}
END_TEST

static const char HASH[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/* Folds the decision's events into s (from version from + 1). */
static void fold_into(fl_attach_state_t *s, uint64_t from)
{
    for (size_t i = 0; i < d.n_events; i++) {
        fl_event_t ev = tu_event_of(&d.events[i], from + i + 1, 1000 + (fl_time_t)i);
        ck_assert_int_eq(fl_attach_agg.fold(s, &arena, &ev), 0);
    }
}

START_TEST(upload_link_delete)
{
    fl_cmd_ctx_t ctx = tu_ctx(&arena, 5);
    fl_attach_upload_t u = {HASH, "a.txt", "text/plain", 19, NULL, NULL};
    fl_attach_state_t s;
    const char *issue = "8a1c2f64-0c55-4c2e-9a7b-3c2d1e0f9a8b";

    ctx.actor_id = "5b7e4b7c-6d8a-4f1e-9c3b-2a1d0e9f8c7b";
    fl_attach_agg.init(&s);
    ck_assert_int_eq(fl_attach_decide_upload(&ctx, &u, &d), 0);
    ck_assert_int_eq(tu_expect_of(&d, d.events[0].stream), FL_LOG_NO_STREAM);
    fold_into(&s, 0);
    ck_assert(s.exists && !s.deleted);
    ck_assert_str_eq(s.hash, HASH);
    ck_assert_str_eq(s.filename, "a.txt");
    ck_assert_uint_eq(s.size_bytes, 19);
    ck_assert_str_eq(s.uploaded_by, ctx.actor_id);
    ck_assert_str_eq(s.entity_type, "");
    fl_decision_release(&d);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_attach_decide_link(&ctx, &s, "change", issue, &d), FL_EINVAL);
    ck_assert(tu_has_error(&d, "entity_type"));
    fl_decision_release(&d);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_attach_decide_link(&ctx, &s, "issue", issue, &d), 0);
    fold_into(&s, 1);
    ck_assert_str_eq(s.entity_id, issue);
    fl_decision_release(&d);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_attach_decide_link(&ctx, &s, "issue", issue, &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 409);
    fl_decision_release(&d);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_attach_decide_delete(&ctx, &s, 1, &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 412);
    fl_decision_release(&d);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_attach_decide_delete(&ctx, &s, 2, &d), 0);
    fold_into(&s, 2);
    ck_assert(s.deleted);
    fl_decision_release(&d);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_attach_decide_delete(&ctx, &s, FL_LOG_ANY, &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 404);
}
END_TEST

START_TEST(upload_refuses_bad_facts)
{
    fl_cmd_ctx_t ctx = tu_ctx(&arena, 5);
    fl_attach_upload_t u = {"xyz", "../a", "text/plain", 0, "issue", "nope"};

    ck_assert_int_eq(fl_attach_decide_upload(&ctx, &u, &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 422);
    ck_assert(tu_has_error(&d, "hash"));
    ck_assert(tu_has_error(&d, "filename"));
    ck_assert(tu_has_error(&d, "size_bytes"));
    ck_assert(tu_has_error(&d, "entity_id"));
    ck_assert_uint_eq(d.n_events, 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("attachments");
    TCase *tc = tcase_create("attachments");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, filenames);
    tcase_add_test(tc, content_types);
    tcase_add_test(tc, content_disposition);
    tcase_add_test(tc, upload_link_delete);
    tcase_add_test(tc, upload_refuses_bad_facts);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
