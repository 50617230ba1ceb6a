/*
 * src/core/jsontext.c: the text must be jansson's, byte for byte. Fixed
 * cases cover every byte a string can hold, integers at their limits, reals
 * in every form %.17g takes, key order, sorted keys (keys that prefix each
 * other, keys with NUL); then random trees from a seeded generator are
 * written by both and compared, sorted and not. Depth is bounded.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "firelater/arena.h"
#include "firelater/jsontext.h"
#include "util.h"

/* Both writers agree on j (consumed), with and without sorted keys. */
static void same(json_t *j)
{
    for (int sort = 0; sort < 2; sort++) {
        char *want = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY | (sort ? JSON_SORT_KEYS : 0));
        char *got = fl_json_dumps(j, sort ? FL_JSON_SORT_KEYS : 0);
        ck_assert_ptr_nonnull(want);
        ck_assert_ptr_nonnull(got);
        ck_assert_str_eq(got, want);
        free(want);
        free(got);
    }
    json_decref(j);
}

START_TEST(every_byte_of_a_string)
{
    char s[2];

    for (int c = 1; c < 0x80; c++) {
        s[0] = (char)c;
        s[1] = '\0';
        same(json_string(s));
    }
    same(json_stringn("a\0b", 3)); /* a NUL inside: \u0000 */
    same(json_string(""));
    same(json_string("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80 \"q\" \\ / \x1f\x7f"));
    same(json_string("<script>alert('x')</script>' OR 1=1 --"));
}
END_TEST

START_TEST(numbers_and_literals)
{
    static const json_int_t ints[] = {
        0, 1, -1, 9, 10, 99, 100, -100, 1234567890123LL, INT64_MAX, INT64_MIN, INT64_MIN + 1};
    static const double reals[] = {0.0,   -0.0,   1.5,   -2.25,   0.1,
                                   1e20,  1e21,   1e-5,  1e-7,    3.14159,
                                   1e300, 5e-324, 1e100, -1e-100, 123456789012345678.0,
                                   2.0,   100.0,  1e16,  1e17,    0.30000000000000004,
                                   4.35,  -7e22};

    for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
        same(json_integer(ints[i]));
    for (size_t i = 0; i < sizeof(reals) / sizeof(reals[0]); i++)
        same(json_real(reals[i]));
    same(json_true());
    same(json_false());
    same(json_null());
}
END_TEST

START_TEST(containers_and_key_order)
{
    same(json_object());
    same(json_array());
    same(json_pack("{s:[], s:{}, s:[{}, [], n]}", "a", "b", "c"));
    /* Insertion order unsorted; sorted, a key before the keys it prefixes. */
    same(json_pack("{s:i, s:i, s:i, s:i, s:i}", "zeta", 1, "ab", 2, "a", 3, "b", 4, "", 5));
    json_t *o = json_object();
    json_object_setn_new(o, "k\0z", 3, json_integer(1));
    json_object_setn_new(o, "k", 1, json_integer(2));
    json_object_setn_new(o, "k\0a", 3, json_integer(3));
    same(o);
}
END_TEST

/* xorshift64*: the same trees on every run. */
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 2685821657736338717ull;
}

static char *random_text(char *buf, size_t cap)
{
    static const char *const pieces[] = {"a",
                                         "Z",
                                         "0",
                                         " ",
                                         "\"",
                                         "\\",
                                         "/",
                                         "\n",
                                         "\t",
                                         "\x01",
                                         "\x1f",
                                         "\x7f",
                                         "\xc3\xa9",
                                         "\xe2\x82\xac",
                                         "\xf0\x9f\x98\x80",
                                         "id",
                                         "form_data",
                                         "<b>"};
    size_t n = next() % 12, len = 0;

    for (size_t i = 0; i < n; i++) {
        const char *p = pieces[next() % (sizeof(pieces) / sizeof(pieces[0]))];
        if (len + strlen(p) + 1 > cap)
            break;
        memcpy(buf + len, p, strlen(p));
        len += strlen(p);
    }
    buf[len] = '\0';
    return buf;
}

static json_t *random_value(int depth)
{
    char text[64];
    unsigned kind = (unsigned)(next() % (depth < 5 ? 9 : 6));

    switch (kind) {
    case 0:
        return json_string(random_text(text, sizeof(text)));
    case 1:
        return json_integer((json_int_t)next());
    case 2:
        return json_integer((json_int_t)(next() % 2000) - 1000);
    case 3: {
        double d;
        uint64_t bits = next();
        memcpy(&d, &bits, sizeof(d));
        /* jansson refuses NaN and infinities; any other bit pattern is a real. */
        return d == d && d - d == 0.0 ? json_real(d) : json_real((double)(bits % 100000) / 64.0);
    }
    case 4:
        return next() % 2 ? json_true() : json_false();
    case 5:
        return json_null();
    case 6:
    case 7: {
        json_t *o = json_object();
        for (size_t i = next() % 6; i > 0; i--)
            json_object_set_new(o, random_text(text, sizeof(text)), random_value(depth + 1));
        return o;
    }
    default: {
        json_t *a = json_array();
        for (size_t i = next() % 6; i > 0; i--)
            json_array_append_new(a, random_value(depth + 1));
        return a;
    }
    }
}

START_TEST(random_trees_match_jansson)
{
    for (int i = 0; i < 3000; i++)
        same(random_value(0));
}
END_TEST

START_TEST(depth_is_bounded)
{
    json_t *deep = json_array(), *inner = deep;

    for (int i = 0; i < FL_JSON_MAX_DEPTH - 1; i++) {
        json_t *a = json_array();
        json_array_append_new(inner, a);
        inner = a;
    }
    char *text = fl_json_dumps(deep, 0);
    ck_assert_ptr_nonnull(text); /* FL_JSON_MAX_DEPTH arrays: written */
    ck_assert_uint_eq(strlen(text), 2 * FL_JSON_MAX_DEPTH);
    free(text);
    json_array_append_new(inner, json_array());
    inner = json_array_get(inner, 0);
    json_array_append_new(inner, json_integer(1));
    fl_buf_t b = FL_BUF_INIT;
    fl_buf_append(&b, "x", 1);
    ck_assert_int_lt(fl_json_write(&b, deep, 0), 0);
    ck_assert_uint_eq(b.len, 1); /* nothing of a refused value stays */
    ck_assert_ptr_null(fl_json_dumps(deep, 0));
    fl_buf_free(&b);
    json_decref(deep);
}
END_TEST

START_TEST(arena_copy)
{
    fl_arena_t a;
    size_t len = 0;
    json_t *j = json_pack("{s:s, s:[i, f]}", "name", "Laptop", "n", 7, 0.5);

    fl_arena_init(&a, 0);
    char *text = fl_json_arena(&a, j, 0, &len);
    ck_assert_str_eq(text, "{\"name\":\"Laptop\",\"n\":[7,0.5]}");
    ck_assert_uint_eq(len, strlen(text));
    fl_arena_free(&a);
    fl_arena_init(&a, 16); /* a budget too small for the text */
    ck_assert_ptr_null(fl_json_arena(&a, j, 0, NULL));
    fl_arena_free(&a);
    json_decref(j);
}
END_TEST

static Suite *jsontext_suite(void)
{
    Suite *s = suite_create("jsontext");
    TCase *tc = tcase_create("jsontext");

    tcase_add_test(tc, every_byte_of_a_string);
    tcase_add_test(tc, numbers_and_literals);
    tcase_add_test(tc, containers_and_key_order);
    tcase_add_test(tc, random_trees_match_jansson);
    tcase_add_test(tc, depth_is_bounded);
    tcase_add_test(tc, arena_copy);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(jsontext_suite());
}
