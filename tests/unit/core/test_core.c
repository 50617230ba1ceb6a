/*
 * src/core: the arena and its byte budget, time parsing and formatting, the
 * msgpack <-> JSON codec, and the error table.
 */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>

#include "firelater/arena.h"
#include "firelater/clock.h"
#include "firelater/codec.h"
#include "firelater/err.h"
#include "util.h"

/* ---- arena ---- */

START_TEST(arena_alignment_and_contents)
{
    fl_arena_t a;

    fl_arena_init(&a, 0);
    for (size_t i = 1; i < 2000; i += 7) {
        unsigned char *p = fl_arena_alloc(&a, i);

        ck_assert_ptr_nonnull(p);
        ck_assert_uint_eq((uintptr_t)p % alignof(max_align_t), 0);
        memset(p, (int)(i & 0xff), i); /* ASan catches a short allocation */
    }
    char *s = fl_arena_strndup(&a, "hello world", 5);
    ck_assert_str_eq(s, "hello");
    int v[4] = {1, 2, 3, 4};
    int *w = fl_arena_memdup(&a, v, sizeof(v));
    ck_assert_mem_eq(w, v, sizeof(v));
    fl_arena_free(&a);
}
END_TEST

START_TEST(arena_large_allocations)
{
    fl_arena_t a;

    fl_arena_init(&a, 0);
    unsigned char *small = fl_arena_alloc(&a, 16);
    memset(small, 0xab, 16);
    unsigned char *big = fl_arena_alloc(&a, 8u << 20); /* bigger than any chunk */
    ck_assert_ptr_nonnull(big);
    memset(big, 0xcd, 8u << 20);
    ck_assert_uint_eq(small[15], 0xab); /* the big one did not overlap */
    ck_assert_uint_ge(a.used, (8u << 20) + 16);
    fl_arena_free(&a);
}
END_TEST

START_TEST(arena_budget_refuses_excess)
{
    fl_arena_t a;

    fl_arena_init(&a, 1000);
    ck_assert_ptr_nonnull(fl_arena_alloc(&a, 600));
    ck_assert_ptr_null(fl_arena_alloc(&a, 600));
    ck_assert_ptr_null(fl_arena_strndup(&a, "x", 1000));
    ck_assert_ptr_null(fl_arena_memdup(&a, "x", 2000));
    ck_assert_ptr_nonnull(fl_arena_alloc(&a, 100)); /* what still fits is given */
    fl_arena_free(&a);
}
END_TEST

START_TEST(arena_reset_restores_budget)
{
    fl_arena_t a;

    fl_arena_init(&a, 4096);
    for (int round = 0; round < 50; round++) {
        char *p = fl_arena_alloc(&a, 3000);

        ck_assert_msg(p != NULL, "round %d: budget not restored by reset", round);
        memset(p, 1, 3000);
        ck_assert_ptr_null(fl_arena_alloc(&a, 3000));
        fl_arena_reset(&a);
        ck_assert_uint_eq(a.used, 0);
    }
    fl_arena_free(&a);
}
END_TEST

/* ---- clock ---- */

static fl_time_t parsed(const char *s)
{
    fl_time_t t = 0;
    int rc = fl_time_parse(s, &t);

    ck_assert_msg(rc == 0, "fl_time_parse(\"%s\") = %d", s, rc);
    return t;
}

START_TEST(clock_parse_forms)
{
    const fl_time_t base = 1795608000LL * 1000000; /* 2026-11-25T12:00:00Z */

    ck_assert_int_eq(parsed("2026-11-25T12:00:00Z"), base);
    ck_assert_int_eq(parsed("2026-11-25T12:00:00.123456Z"), base + 123456);
    ck_assert_int_eq(parsed("2026-11-25T12:00:00.5Z"), base + 500000);
    ck_assert_int_eq(parsed("2026-11-25T13:00:00+01:00"), base);
    ck_assert_int_eq(parsed("2026-11-25T12:00:00.123456+01:00"), base - 3600000000LL + 123456);
    ck_assert_int_eq(parsed("2026-11-25T09:30:00-02:30"), base);
    ck_assert_int_eq(parsed("2026-11-25"), base - 12 * 3600000000LL);
    ck_assert_int_eq(parsed("2024-02-29T23:59:59Z"), 1709251199LL * 1000000);
    ck_assert_int_eq(parsed("1970-01-01T00:00:00Z"), 0);
    ck_assert_int_eq(parsed("1795608000000000"), base);
    ck_assert_int_eq(parsed("0"), 0);
}
END_TEST

START_TEST(clock_parse_rejects_bad_input)
{
    static const char *bad[] = {
        "",
        "yesterday",
        "2026-13-01",
        "2026-00-10",
        "2026-11-31",
        "2025-02-29",
        "2026-11-25T24:00:01Z",
        "2026-11-25T12:60:00Z",
        "2026-11-25T12:00:00Zjunk",
        "2026-11-25T12:00:00+25:00",
        "2026-11-25X12:00:00Z",
        "12x",
        "-",
        "99999999999999999999999999",
    };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        fl_time_t t = 42;
        int rc = fl_time_parse(bad[i], &t);

        ck_assert_msg(rc == FL_EINVAL, "fl_time_parse(\"%s\") = %d, want FL_EINVAL", bad[i], rc);
    }
}
END_TEST

START_TEST(clock_format_and_round_trip)
{
    static const fl_time_t ts[] = {
        0, 1, 999999, 1795608000123456LL, 1709251199000000LL, 253402300799999999LL};
    char buf[32];

    fl_time_format(0, buf, sizeof(buf));
    ck_assert_str_eq(buf, "1970-01-01T00:00:00.000000Z");
    fl_time_format(1795608000123456LL, buf, sizeof(buf));
    ck_assert_str_eq(buf, "2026-11-25T12:00:00.123456Z");
    for (size_t i = 0; i < sizeof(ts) / sizeof(ts[0]); i++) {
        fl_time_format(ts[i], buf, sizeof(buf));
        ck_assert_msg(parsed(buf) == ts[i], "round trip of %lld via %s", (long long)ts[i], buf);
    }
}
END_TEST

/* The arithmetic agrees with gmtime_r over leap days, centuries and random instants. */
START_TEST(clock_format_matches_gmtime)
{
    static const fl_time_t fixed[] = {
        951782400000000LL,   /* 2000-02-29 */
        4107542400000000LL,  /* 2100-03-01 */
        -2208988800000000LL, /* 1900-01-01 */
        -1LL,
        -86400000001LL,
        253402300799999999LL, /* 9999-12-31 */
        -62167219200000000LL, /* 0000-01-01 */
    };
    uint64_t x = 88172645463325252ull;
    char got[32], want[96], small[12];

    for (int i = 0; i < 20000 + (int)(sizeof(fixed) / sizeof(fixed[0])); i++) {
        fl_time_t t;
        if (i < (int)(sizeof(fixed) / sizeof(fixed[0]))) {
            t = fixed[i];
        } else {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            t = (fl_time_t)(x % 253402300800000000ull) - 62167219200000000LL;
        }
        long long secs = t / 1000000, us = t % 1000000;
        if (us < 0)
            us += 1000000, secs -= 1;
        time_t tt = (time_t)secs;
        struct tm tm;
        ck_assert_ptr_nonnull(gmtime_r(&tt, &tm));
        snprintf(want, sizeof(want), "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, us);
        fl_time_format(t, got, sizeof(got));
        ck_assert_msg(strcmp(got, want) == 0, "%lld: %s, want %s", (long long)t, got, want);
    }
    fl_time_format(0, small, sizeof(small)); /* too small: truncated, still terminated */
    ck_assert_str_eq(small, "1970-01-01T");
}
END_TEST

START_TEST(clock_now_is_wall_time)
{
    fl_time_t now = fl_clock_now();
    int64_t m1 = fl_clock_mono(), m2;
    int64_t wall = (int64_t)time(NULL) * 1000000;

    ck_assert_int_lt(llabs(now - wall), 5000000);
    m2 = fl_clock_mono();
    ck_assert_int_ge(m2, m1);
}
END_TEST

/* ---- codec ---- */

static json_t *round_trip(const json_t *in)
{
    fl_arena_t a;
    uint8_t *mp = NULL;
    size_t len = 0;
    json_t *out = NULL;

    fl_arena_init(&a, 0);
    ck_assert_int_eq(fl_codec_from_json(in, &a, &mp, &len), 0);
    ck_assert_int_eq(fl_codec_to_json(mp, len, &out), 0);
    fl_arena_free(&a);
    return out;
}

START_TEST(codec_round_trip_values)
{
    static const char *docs[] = {
        "{}",
        "[]",
        "{\"title\":\"Printer on fire\",\"n\":3,\"ok\":true,\"no\":false,\"none\":null}",
        "{\"big\":9223372036854775807,\"small\":-9223372036854775808,\"neg\":-1}",
        "{\"pi\":3.25,\"tiny\":1e-300,\"one\":1.0,\"neg\":-0.5}",
        "{\"u\":\"h\\u00e9llo \\u2603 \\ud83d\\udd25\",\"empty\":\"\"}",
        "{\"a\":[1,[2,[3,{\"b\":[]}]]],\"c\":{\"d\":{\"e\":{}}}}",
        "[1,\"two\",3.5,null,{\"k\":\"v\"}]",
        "\"just a string\"",
        "42",
    };

    for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
        json_t *in = json_loads(docs[i], JSON_DECODE_ANY, NULL);
        json_t *out = round_trip(in);

        ck_assert_ptr_nonnull(in);
        ck_assert_msg(json_equal(in, out), "round trip changed %s", docs[i]);
        json_decref(in);
        json_decref(out);
    }
}
END_TEST

START_TEST(codec_keeps_integers_and_reals_apart)
{
    json_t *in = json_pack("{s:I, s:f}", "i", (json_int_t)7, "r", 7.0);
    json_t *out = round_trip(in);

    ck_assert(json_is_integer(json_object_get(out, "i")));
    ck_assert(json_is_real(json_object_get(out, "r")));
    ck_assert(json_real_value(json_object_get(out, "r")) == 7.0);
    json_decref(in);
    json_decref(out);
}
END_TEST

static json_t *nested_arrays(int depth)
{
    json_t *j = json_integer(1);

    for (int i = 0; i < depth; i++) {
        json_t *arr = json_array();
        json_array_append_new(arr, j);
        j = arr;
    }
    return j;
}

START_TEST(codec_depth_limit_from_json)
{
    fl_arena_t a;
    uint8_t *mp;
    size_t len;
    json_t *ok = nested_arrays(FL_CODEC_MAX_DEPTH - 4);
    json_t *deep = nested_arrays(FL_CODEC_MAX_DEPTH + 10);

    fl_arena_init(&a, 0);
    ck_assert_int_eq(fl_codec_from_json(ok, &a, &mp, &len), 0);
    ck_assert_int_eq(fl_codec_from_json(deep, &a, &mp, &len), FL_EINVAL);
    json_decref(ok);
    json_decref(deep);
    fl_arena_free(&a);
}
END_TEST

/* n nested one-element msgpack arrays around the integer 1. */
static uint8_t *nested_msgpack(size_t n, size_t *len)
{
    uint8_t *buf = malloc(n + 1);

    ck_assert_ptr_nonnull(buf);
    memset(buf, 0x91, n);
    buf[n] = 0x01;
    *len = n + 1;
    return buf;
}

START_TEST(codec_depth_limit_to_json)
{
    size_t len;
    json_t *j = NULL;
    uint8_t *ok = nested_msgpack(FL_CODEC_MAX_DEPTH - 4, &len);

    ck_assert_int_eq(fl_codec_to_json(ok, len, &j), 0);
    json_decref(j);
    free(ok);
    /* Deep enough to overflow a naive recursive decoder's stack. */
    uint8_t *deep = nested_msgpack(200000, &len);
    j = NULL;
    ck_assert_int_eq(fl_codec_to_json(deep, len, &j), FL_ECORRUPT);
    ck_assert_ptr_null(j);
    free(deep);
}
END_TEST

static int to_json_rc(const uint8_t *buf, size_t len)
{
    json_t *j = NULL;
    int rc = fl_codec_to_json(buf, len, &j);

    if (rc == 0)
        json_decref(j);
    else
        ck_assert_ptr_null(j);
    return rc;
}

START_TEST(codec_rejects_bad_msgpack)
{
    static const uint8_t int_key[] = {0x81, 0x01, 0x02};        /* {1: 2} */
    static const uint8_t nil_key[] = {0x81, 0xc0, 0x02};        /* {nil: 2} */
    static const uint8_t arr_key[] = {0x81, 0x90, 0x02};        /* {[]: 2} */
    static const uint8_t two_objs[] = {0x01, 0x02};             /* trailing object */
    static const uint8_t short_map[] = {0x82, 0xa1, 'a', 0x01}; /* one entry missing */
    static const uint8_t short_str[] = {0xa5, 'a', 'b'};        /* 5 bytes announced */
    static const uint8_t huge_str[] = {0xdb, 0xff, 0xff, 0xff, 0xff, 'x'};
    static const uint8_t huge_arr[] = {0xdd, 0xff, 0xff, 0xff, 0xff, 0x01};
    static const uint8_t reserved[] = {0xc1};

    ck_assert_int_eq(to_json_rc(int_key, sizeof(int_key)), FL_ECORRUPT);
    ck_assert_int_eq(to_json_rc(nil_key, sizeof(nil_key)), FL_ECORRUPT);
    ck_assert_int_eq(to_json_rc(arr_key, sizeof(arr_key)), FL_ECORRUPT);
    ck_assert_int_eq(to_json_rc(two_objs, sizeof(two_objs)), FL_ECORRUPT);
    ck_assert_int_eq(to_json_rc(short_map, sizeof(short_map)), FL_ECORRUPT);
    ck_assert_int_eq(to_json_rc(short_str, sizeof(short_str)), FL_ECORRUPT);
    ck_assert_int_eq(to_json_rc(huge_str, sizeof(huge_str)), FL_ECORRUPT);
    ck_assert_int_eq(to_json_rc(huge_arr, sizeof(huge_arr)), FL_ECORRUPT);
    ck_assert_int_eq(to_json_rc(reserved, sizeof(reserved)), FL_ECORRUPT);
    ck_assert_int_eq(to_json_rc((const uint8_t *)"", 0), FL_ECORRUPT);
}
END_TEST

START_TEST(codec_binary_becomes_base64)
{
    static const uint8_t bin[] = {0x81, 0xa1, 'b', 0xc4, 0x03, 'f', 'o', 'o'}; /* {b: bin"foo"} */
    json_t *j = NULL;

    ck_assert_int_eq(fl_codec_to_json(bin, sizeof(bin), &j), 0);
    ck_assert_str_eq(json_string_value(json_object_get(j, "b")), "Zm9v");
    json_decref(j);
}
END_TEST

/* Found by fuzz_codec: a key holding NUL is refused both ways (C reads keys as strings). */
START_TEST(codec_refuses_nul_in_keys)
{
    static const uint8_t mp[] = {0x81, 0xa2, 'a', 0x00, 0x01}; /* {"a\0": 1} */
    json_t *j = NULL, *obj = json_object();
    uint8_t *out;
    size_t len;
    fl_arena_t a;

    fl_arena_init(&a, 0);
    ck_assert_int_eq(fl_codec_to_json(mp, sizeof(mp), &j), FL_ECORRUPT);
    ck_assert_ptr_null(j);
    json_object_setn_new(obj, "a\0b", 3, json_true());
    ck_assert_int_eq(fl_codec_from_json(obj, &a, &out, &len), FL_EINVAL);
    json_decref(obj);
    fl_arena_free(&a);
}
END_TEST

START_TEST(codec_from_json_text)
{
    fl_arena_t a;
    uint8_t *mp = NULL;
    size_t len = 0;
    json_t *j = NULL;

    fl_arena_init(&a, 0);
    ck_assert_int_eq(fl_codec_from_json_text("{\"a\": [1, 2.5]}", &a, &mp, &len), 0);
    ck_assert_int_eq(fl_codec_to_json(mp, len, &j), 0);
    ck_assert_int_eq(json_integer_value(json_array_get(json_object_get(j, "a"), 0)), 1);
    json_decref(j);
    ck_assert_int_eq(fl_codec_from_json_text("{\"a\": ", &a, &mp, &len), FL_EINVAL);
    ck_assert_int_eq(fl_codec_from_json_text("", &a, &mp, &len), FL_EINVAL);
    ck_assert_int_eq(fl_codec_from_json_text("{} {}", &a, &mp, &len), FL_EINVAL);
    fl_arena_free(&a);
}
END_TEST

/* ---- errors ---- */

START_TEST(err_table)
{
    ck_assert_str_eq(fl_strerror(FL_EVERSION), "stream version mismatch");
    ck_assert_str_eq(fl_err_name(FL_ECONFLICT), "ECONFLICT");
    ck_assert_str_eq(fl_err_name(FL_EUNAVAIL), "EUNAVAIL");
    ck_assert_int_eq(fl_err_status(FL_EVERSION), 412);
    ck_assert_int_eq(fl_err_status(FL_ETOOBIG), 413);
    ck_assert_int_eq(fl_err_status(FL_ENOTFOUND), 404);
    ck_assert_int_eq(fl_err_status(-12345), 500);
    ck_assert_str_eq(fl_err_name(-ENOENT), "ENOENT");
    ck_assert_int_eq(strcasecmp(fl_strerror(-ENOENT), "no such file or directory"), 0);
    ck_assert_ptr_nonnull(fl_strerror(-99999));
    ck_assert_ptr_nonnull(fl_err_name(-99999));
    ck_assert_int_gt(strlen(fl_strerror(-99999)), 0);
}
END_TEST

START_TEST(assert_aborts)
{
    volatile int zero = 0;

    fl_assert(zero == 1);
}
END_TEST

static Suite *core_suite(void)
{
    Suite *s = suite_create("core");
    TCase *arena = tcase_create("arena");
    TCase *clock = tcase_create("clock");
    TCase *codec = tcase_create("codec");
    TCase *err = tcase_create("err");

    tcase_add_test(arena, arena_alignment_and_contents);
    tcase_add_test(arena, arena_large_allocations);
    tcase_add_test(arena, arena_budget_refuses_excess);
    tcase_add_test(arena, arena_reset_restores_budget);
    tcase_add_test(clock, clock_parse_forms);
    tcase_add_test(clock, clock_parse_rejects_bad_input);
    tcase_add_test(clock, clock_format_and_round_trip);
    tcase_add_test(clock, clock_format_matches_gmtime);
    tcase_add_test(clock, clock_now_is_wall_time);
    tcase_add_test(codec, codec_round_trip_values);
    tcase_add_test(codec, codec_keeps_integers_and_reals_apart);
    tcase_add_test(codec, codec_depth_limit_from_json);
    tcase_add_test(codec, codec_depth_limit_to_json);
    tcase_add_test(codec, codec_rejects_bad_msgpack);
    tcase_add_test(codec, codec_binary_becomes_base64);
    tcase_add_test(codec, codec_refuses_nul_in_keys);
    tcase_add_test(codec, codec_from_json_text);
    tcase_add_test(err, err_table);
    tcase_add_test_raise_signal(err, assert_aborts, SIGABRT);
    suite_add_tcase(s, arena);
    suite_add_tcase(s, clock);
    suite_add_tcase(s, codec);
    suite_add_tcase(s, err);
    return s;
}

int main(void)
{
    return tu_run(core_suite());
}
