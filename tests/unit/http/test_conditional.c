/*
 * src/http/conditional.c: the Range and If-None-Match headers as the
 * attachment download reads them. Each case states the answer a client
 * gets: 206 with a slice, 416, or 0 (the header is ignored, the whole file).
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "firelater/http.h"

#define SIZE 1000 /* the file every range is taken from */

/* Asserts that h against SIZE bytes gives status, and for 206 the slice [off, off + len). */
static void range_is(const char *h, int status, uint64_t off, uint64_t len)
{
    uint64_t o = 77, l = 77;
    int got = fl_http_parse_range(h, SIZE, &o, &l);

    ck_assert_msg(got == status, "Range: %s gave %d, not %d", h ? h : "(none)", got, status);
    if (status == 206) {
        ck_assert_msg(o == off && l == len, "Range: %s gave [%llu, +%llu), not [%llu, +%llu)", h,
                      (unsigned long long)o, (unsigned long long)l, (unsigned long long)off,
                      (unsigned long long)len);
    } else {
        ck_assert_msg(o == 77 && l == 77, "Range: %s wrote a slice for status %d", h, got);
    }
}

/* Each row: a Range header against SIZE bytes, and the status and slice it must give. */
static const struct range_case {
    const char *h;
    int status;
    uint64_t off, len;
} ranges[] = {
    /* single ranges */
    {"bytes=0-499", 206, 0, 500},
    {"bytes=500-999", 206, 500, 500},
    {"bytes=0-0", 206, 0, 1},
    {"bytes=999-999", 206, 999, 1},
    {"bytes=0-999", 206, 0, 1000},
    {"bytes=007-9", 206, 7, 3}, /* leading zeros are digits */
    /* suffix ranges */
    {"bytes=-500", 206, 500, 500},
    {"bytes=-1", 206, 999, 1},
    {"bytes=-1000", 206, 0, 1000},
    {"bytes=-5000", 206, 0, 1000}, /* longer than the file: all of it */
    {"bytes=-0", 416, 0, 0},       /* no bytes at all cannot be satisfied */
    /* open ended */
    {"bytes=100-", 206, 100, 900},
    {"bytes=0-", 206, 0, 1000},
    {"bytes=999-", 206, 999, 1},
    {"bytes=1000-", 416, 0, 0},
    /* unsatisfiable and clamped */
    {"bytes=1000-1000", 416, 0, 0},
    {"bytes=5000-6000", 416, 0, 0},
    {"bytes=900-5000", 206, 900, 100}, /* the last position is clamped to the end */
    {"bytes=0-1000", 206, 0, 1000},
    /* several ranges: the whole file, as RFC 9110 allows (no multipart/byteranges) */
    {"bytes=0-1,5-6", 0, 0, 0},
    {"bytes=0-1, 5-6", 0, 0, 0},
    {"bytes=-5,0-1", 0, 0, 0},
    {"bytes=0-1,", 0, 0, 0},
    {"bytes=2000-3000,4000-5000", 0, 0, 0}, /* not 416: the header is ignored */
    /* garbage: ignored */
    {NULL, 0, 0, 0},
    {"", 0, 0, 0},
    {"bytes=", 0, 0, 0},
    {"bytes=-", 0, 0, 0},
    {"bytes=--5", 0, 0, 0},
    {"bytes=5", 0, 0, 0},
    {"bytes=a-b", 0, 0, 0},
    {"bytes=5-x", 0, 0, 0},
    {"bytes=1-2-3", 0, 0, 0},
    {"bytes=+1-2", 0, 0, 0},
    {"bytes=0x10-20", 0, 0, 0},
    {"bytes=500-100", 0, 0, 0}, /* last before first: invalid, so ignored */
    {"items=0-5", 0, 0, 0},
    {"bytes 0-5", 0, 0, 0},
    {"bytes0-5", 0, 0, 0},
    /* numbers past 64 bits saturate: a first position past any end, a suffix of all */
    {"bytes=99999999999999999999-", 416, 0, 0},
    {"bytes=18446744073709551616-18446744073709551617", 416, 0, 0},
    {"bytes=0-99999999999999999999999999", 206, 0, 1000},
    {"bytes=10-18446744073709551615", 206, 10, 990},
    {"bytes=-99999999999999999999", 206, 0, 1000},
    {"bytes=99999999999999999999-5", 0, 0, 0}, /* last < first */
    /* whitespace around the value and the unit's case */
    {" bytes=0-9", 206, 0, 10},
    {"bytes=0-9 \t", 206, 0, 10},
    {"\tbytes=-10 ", 206, 990, 10},
    {"Bytes=0-9", 206, 0, 10}, /* range units compare case-insensitively */
    {"BYTES=100-", 206, 100, 900},
    {"bytes= 0-9", 0, 0, 0}, /* inside the spec whitespace is malformed */
    {"bytes=0 -9", 0, 0, 0},
    {"bytes=0- 9", 0, 0, 0},
    {"bytes =0-9", 0, 0, 0},
};

START_TEST(range_table)
{
    const struct range_case *c = &ranges[_i];

    range_is(c->h, c->status, c->off, c->len);
}
END_TEST

/* An empty file has no byte to send: every range is unsatisfiable, never a 206 of 0 bytes. */
START_TEST(empty_file)
{
    uint64_t off = 77, len = 77;

    ck_assert_int_eq(fl_http_parse_range("bytes=-5", 0, &off, &len), 416);
    ck_assert_int_eq(fl_http_parse_range("bytes=0-", 0, &off, &len), 416);
    ck_assert_int_eq(fl_http_parse_range("bytes=0-0", 0, &off, &len), 416);
    ck_assert(off == 77 && len == 77);
}
END_TEST

#define TAG "\"3f2a\""

START_TEST(etag_lists)
{
    ck_assert(fl_http_none_match(TAG, TAG));
    ck_assert(fl_http_none_match("\"aa\", " TAG, TAG));
    ck_assert(fl_http_none_match(TAG ",\"bb\"", TAG));
    ck_assert(fl_http_none_match("\"aa\" ,\t" TAG " , \"bb\"", TAG));
    ck_assert(fl_http_none_match(" " TAG " ", TAG));
    ck_assert(fl_http_none_match(", ," TAG ",,", TAG)); /* empty list elements are allowed */
    ck_assert(!fl_http_none_match("\"aa\", \"bb\"", TAG));
    ck_assert(!fl_http_none_match(NULL, TAG));
    ck_assert(!fl_http_none_match("", TAG));
}
END_TEST

/* A tag is compared whole: not a prefix, not without its quotes. */
START_TEST(etag_exact)
{
    ck_assert(!fl_http_none_match("\"3f2\"", TAG));
    ck_assert(!fl_http_none_match("\"3f2ab\"", TAG));
    ck_assert(!fl_http_none_match("3f2a", TAG));
    ck_assert(!fl_http_none_match("\"3F2A\"", TAG)); /* opaque: case matters */
    ck_assert(!fl_http_none_match(TAG "x", TAG));
}
END_TEST

/* If-None-Match compares weakly: W/ on either side does not matter. */
START_TEST(etag_weak)
{
    ck_assert(fl_http_none_match("W/" TAG, TAG));
    ck_assert(fl_http_none_match("\"aa\", W/" TAG, TAG));
    ck_assert(fl_http_none_match(TAG, "W/" TAG));
    ck_assert(!fl_http_none_match("W/\"aa\"", TAG));
    ck_assert(!fl_http_none_match("w/" TAG, TAG)); /* W/ is case-sensitive */
}
END_TEST

START_TEST(etag_star)
{
    ck_assert(fl_http_none_match("*", TAG));
    ck_assert(fl_http_none_match(" * ", TAG));
    ck_assert(!fl_http_none_match("*, " TAG, "\"other\"")); /* "*" is only ever alone */
    ck_assert(!fl_http_none_match("**", TAG));
}
END_TEST

/*
 * Malformed lists are ignored (the whole file, not a 304). A quoted tag may
 * hold a comma: the old reader split "x,*" at it and took the "*" half for
 * "any tag", answering 304 to a client that holds another file.
 */
START_TEST(etag_malformed)
{
    ck_assert(!fl_http_none_match("\"x,*\"", TAG));
    ck_assert(!fl_http_none_match("\"x, " TAG "\"", TAG));
    ck_assert(fl_http_none_match("\"x,y\", " TAG, TAG));
    ck_assert(!fl_http_none_match("\"unterminated, " TAG, TAG));
    ck_assert(!fl_http_none_match(TAG " garbage", TAG));
    ck_assert(!fl_http_none_match("garbage, " TAG, TAG));
    ck_assert(!fl_http_none_match("W/", TAG));
    ck_assert(!fl_http_none_match("W/*", TAG));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("http_conditional");
    TCase *range = tcase_create("range"), *inm = tcase_create("if_none_match");
    SRunner *sr;
    int failed;

    tcase_add_loop_test(range, range_table, 0, (int)(sizeof(ranges) / sizeof(ranges[0])));
    tcase_add_test(range, empty_file);
    tcase_add_test(inm, etag_lists);
    tcase_add_test(inm, etag_exact);
    tcase_add_test(inm, etag_weak);
    tcase_add_test(inm, etag_star);
    tcase_add_test(inm, etag_malformed);
    suite_add_tcase(s, range);
    suite_add_tcase(s, inm);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
