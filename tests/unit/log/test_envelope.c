/*
 * The envelope: every field survives encode and decode, the bytes of a fixed
 * event are pinned by tests/golden/envelope_v1.hex, and decoding bytes that
 * are truncated, flipped or malformed gives FL_ECORRUPT (or, for a flip that
 * happens to stay well formed, a valid event), never a crash.
 *
 * FL_GOLDEN_UPDATE=1 rewrites the golden file from the current encoder; do
 * that only for a deliberate, versioned change of the envelope.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>

#include "firelater/err.h"
#include "firelater/log.h"
#include "util.h"

#ifndef FL_GOLDEN_DIR
#define FL_GOLDEN_DIR "tests/golden"
#endif

/* {"title": "Printer on fire"}, written by hand so the golden bytes do not depend on the codec. */
static const uint8_t fixed_data[] = {0x81, 0xa5, 't', 'i', 't', 'l', 'e', 0xaf, 'P', 'r', 'i', 'n',
                                     't',  'e',  'r', ' ', 'o', 'n', ' ', 'f',  'i', 'r', 'e'};

static fl_event_t fixed_event(void)
{
    fl_event_t ev = {
        .pos = 42,
        .ts = 1795608000123456LL,
        .type = "issue.created",
        .v = 1,
        .stream = "issue:0b7e5a38-4f7c-4d0e-9c39-2f1d1e6b8a11",
        .sv = 3,
        .actor = "user:alice",
        .cid = "cmd-7f3a",
        .corr = "corr-19c2",
        .num = "ISS-00042",
        .data = fixed_data,
        .data_len = sizeof(fixed_data),
    };

    for (int i = 0; i < FL_LOG_HASH_LEN; i++)
        ev.prev[i] = (uint8_t)(0xa0 + i);
    return ev;
}

static void assert_same_event(const fl_event_t *a, const fl_event_t *b)
{
    ck_assert_uint_eq(a->pos, b->pos);
    ck_assert_int_eq(a->ts, b->ts);
    ck_assert_str_eq(a->type, b->type);
    ck_assert_uint_eq(a->v, b->v);
    ck_assert_str_eq(a->stream, b->stream);
    ck_assert_uint_eq(a->sv, b->sv);
    ck_assert_str_eq(a->actor, b->actor);
    ck_assert_str_eq(a->cid, b->cid);
    ck_assert_str_eq(a->corr, b->corr);
    ck_assert_str_eq(a->ip != NULL ? a->ip : "", b->ip != NULL ? b->ip : "");
    ck_assert_str_eq(a->ua != NULL ? a->ua : "", b->ua != NULL ? b->ua : "");
    ck_assert_str_eq(a->num, b->num);
    ck_assert_uint_eq(a->data_len, b->data_len);
    ck_assert_mem_eq(a->data, b->data, a->data_len);
    ck_assert_mem_eq(a->prev, b->prev, FL_LOG_HASH_LEN);
}

/*
 * Decodes from an exact-size heap copy, so AddressSanitizer sees any overread.
 * The copies live until release_copies(), so that a decoder pointing into its
 * input is caught only by the test that checks for it (event_owns_its_memory).
 */
static void *copies[8];
static int n_copies;

static void release_copies(void)
{
    while (n_copies > 0)
        free(copies[--n_copies]);
}

static int decode_copy(const uint8_t *buf, size_t len, fl_arena_t *a, fl_event_t *ev)
{
    uint8_t *copy = malloc(len ? len : 1);

    ck_assert_ptr_nonnull(copy);
    if (len)
        memcpy(copy, buf, len);
    if (n_copies == (int)(sizeof(copies) / sizeof(copies[0])))
        release_copies();
    copies[n_copies++] = copy;
    return fl_event_decode(copy, len, a, ev);
}

START_TEST(round_trip_every_field)
{
    fl_arena_t a;
    fl_event_t in = fixed_event(), out;
    uint8_t *buf = NULL;
    size_t len = 0;

    fl_arena_init(&a, 0);
    ck_assert_int_eq(fl_event_encode(&in, &buf, &len, &a), 0);
    ck_assert_int_gt(len, sizeof(fixed_data) + FL_LOG_HASH_LEN);
    ck_assert_int_eq(fl_event_decode(buf, len, &a, &out), 0);
    assert_same_event(&in, &out);
    ck_assert_uint_eq(out.raw_len, len);
    ck_assert_mem_eq(out.raw, buf, len);
    fl_arena_free(&a);
}
END_TEST

/* log.h: "The decoded event points into the arena", not into the bytes decoded. */
START_TEST(event_owns_its_memory)
{
    fl_arena_t a;
    fl_event_t in = fixed_event(), out;
    uint8_t *buf, *copy;
    size_t len;

    fl_arena_init(&a, 0);
    ck_assert_int_eq(fl_event_encode(&in, &buf, &len, &a), 0);
    copy = malloc(len);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, buf, len);
    ck_assert_int_eq(fl_event_decode(copy, len, &a, &out), 0);
    explicit_bzero(copy, len); /* the caller reuses its buffer (not optimized away) */
    free(copy);
    ck_assert_mem_eq(out.data, fixed_data, sizeof(fixed_data));
    ck_assert_mem_eq(out.raw, buf, len);
    assert_same_event(&in, &out);
    fl_arena_free(&a);
}
END_TEST

START_TEST(round_trip_extremes_and_empty_strings)
{
    fl_arena_t a;
    fl_event_t in = fixed_event(), out;
    uint8_t *buf;
    size_t len;
    static const uint8_t empty_map[] = {0x80};

    in.pos = UINT64_MAX;
    in.sv = UINT64_MAX;
    in.ts = INT64_MAX;
    in.v = UINT32_MAX;
    in.actor = in.cid = in.corr = in.num = "";
    in.data = empty_map;
    in.data_len = 1;
    fl_arena_init(&a, 0);
    ck_assert_int_eq(fl_event_encode(&in, &buf, &len, &a), 0);
    ck_assert_int_eq(decode_copy(buf, len, &a, &out), 0);
    assert_same_event(&in, &out);
    in.pos = 1;
    in.sv = 1;
    in.ts = 0;
    in.v = 1;
    ck_assert_int_eq(fl_event_encode(&in, &buf, &len, &a), 0);
    ck_assert_int_eq(decode_copy(buf, len, &a, &out), 0);
    assert_same_event(&in, &out);
    fl_arena_free(&a);
}
END_TEST

static char *read_golden(const char *path)
{
    FILE *f = fopen(path, "r");
    char *text = calloc(1, 1 << 16);
    size_t n = 0;
    int c;

    ck_assert_msg(f != NULL, "%s: %s (FL_GOLDEN_UPDATE=1 writes it)", path, strerror(errno));
    ck_assert_ptr_nonnull(text);
    while ((c = fgetc(f)) != EOF && n < (1 << 16) - 1)
        if (strchr("0123456789abcdef", c) != NULL && c != '\0')
            text[n++] = (char)c;
    fclose(f);
    return text;
}

static char *to_hex(const uint8_t *buf, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    char *hex = malloc(len * 2 + 1);

    ck_assert_ptr_nonnull(hex);
    for (size_t i = 0; i < len; i++) {
        hex[2 * i] = digits[buf[i] >> 4];
        hex[2 * i + 1] = digits[buf[i] & 15];
    }
    hex[2 * len] = '\0';
    return hex;
}

static void write_golden(const char *path, const char *hex)
{
    FILE *f = fopen(path, "w");
    size_t n = strlen(hex);

    ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
    for (size_t i = 0; i < n; i += 64)
        fprintf(f, "%.*s\n", (int)(n - i < 64 ? n - i : 64), hex + i);
    ck_assert_int_eq(fclose(f), 0);
}

START_TEST(golden_bytes)
{
    const char *path = FL_GOLDEN_DIR "/envelope_v1.hex";
    fl_arena_t a;
    fl_event_t in = fixed_event();
    uint8_t *buf;
    size_t len;
    char *hex, *want;

    fl_arena_init(&a, 0);
    ck_assert_int_eq(fl_event_encode(&in, &buf, &len, &a), 0);
    hex = to_hex(buf, len);
    if (getenv("FL_GOLDEN_UPDATE") != NULL)
        write_golden(path, hex);
    want = read_golden(path);
    ck_assert_msg(strcmp(hex, want) == 0, "envelope bytes changed:\n got %s\nwant %s", hex, want);
    free(hex);
    free(want);
    fl_arena_free(&a);
}
END_TEST

static uint8_t *from_hex(const char *hex, size_t *len)
{
    size_t n = strlen(hex) / 2;
    uint8_t *buf = malloc(n ? n : 1);

    ck_assert_ptr_nonnull(buf);
    for (size_t i = 0; i < n; i++) {
        unsigned hi = (unsigned)(strchr("0123456789abcdef", hex[2 * i]) - "0123456789abcdef");
        unsigned lo = (unsigned)(strchr("0123456789abcdef", hex[2 * i + 1]) - "0123456789abcdef");
        buf[i] = (uint8_t)(hi << 4 | lo);
    }
    *len = n;
    return buf;
}

/* Records written by an older build must stay readable: decode the pinned bytes. */
START_TEST(golden_bytes_decode)
{
    char *hex = read_golden(FL_GOLDEN_DIR "/envelope_v1.hex");
    fl_event_t want = fixed_event(), got;
    fl_arena_t a;
    size_t len;
    uint8_t *buf = from_hex(hex, &len);

    fl_arena_init(&a, 0);
    ck_assert_int_eq(decode_copy(buf, len, &a, &got), 0);
    assert_same_event(&want, &got);
    free(buf);
    free(hex);
    fl_arena_free(&a);
}
END_TEST

/* The client's address and user agent (for the audit trail) travel in the envelope when given. */
START_TEST(client_address_and_agent_round_trip)
{
    fl_arena_t a;
    fl_event_t in = fixed_event(), out;
    uint8_t *buf, *plain;
    size_t len, plain_len;

    fl_arena_init(&a, 0);
    ck_assert_int_eq(fl_event_encode(&in, &plain, &plain_len, &a), 0);
    in.ip = "192.0.2.7:50412";
    in.ua = "curl/8.5.0 \xc3\xa9";
    ck_assert_int_eq(fl_event_encode(&in, &buf, &len, &a), 0);
    ck_assert_uint_gt(len, plain_len);
    ck_assert_int_eq(decode_copy(buf, len, &a, &out), 0);
    assert_same_event(&in, &out);
    ck_assert_int_eq(decode_copy(plain, plain_len, &a, &out), 0);
    ck_assert_str_eq(out.ip, "");
    ck_assert_str_eq(out.ua, "");
    release_copies();
    fl_arena_free(&a);
}
END_TEST

START_TEST(every_truncation_is_corrupt)
{
    fl_arena_t a;
    fl_event_t in = fixed_event(), out;
    uint8_t *buf;
    size_t len;

    fl_arena_init(&a, 0);
    ck_assert_int_eq(fl_event_encode(&in, &buf, &len, &a), 0);
    for (size_t n = 0; n < len; n++) {
        int rc = decode_copy(buf, n, &a, &out);

        ck_assert_msg(rc == FL_ECORRUPT, "%zu of %zu bytes: rc %d", n, len, rc);
    }
    fl_arena_free(&a);
}
END_TEST

START_TEST(trailing_bytes_are_corrupt)
{
    fl_arena_t a;
    fl_event_t in = fixed_event(), out;
    uint8_t *buf, *longer;
    size_t len;

    fl_arena_init(&a, 0);
    ck_assert_int_eq(fl_event_encode(&in, &buf, &len, &a), 0);
    longer = fl_arena_alloc(&a, len + 1);
    memcpy(longer, buf, len);
    longer[len] = 0x00;
    ck_assert_int_eq(decode_copy(longer, len + 1, &a, &out), FL_ECORRUPT);
    fl_arena_free(&a);
}
END_TEST

static uint32_t xorshift(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

/* A flip that still decodes must give an event that re-encodes to an equal event. */
static void check_flipped(const uint8_t *buf, size_t len, fl_arena_t *a)
{
    fl_event_t ev, again;
    uint8_t *re;
    size_t re_len;
    int rc = decode_copy(buf, len, a, &ev);

    ck_assert_msg(rc == 0 || rc == FL_ECORRUPT, "rc %d", rc);
    if (rc != 0)
        return;
    ck_assert_ptr_nonnull(ev.type);
    ck_assert_ptr_nonnull(ev.stream);
    ck_assert_ptr_nonnull(ev.actor);
    ck_assert_uint_le(ev.data_len, len);
    ck_assert_int_eq(fl_event_encode(&ev, &re, &re_len, a), 0);
    ck_assert_int_eq(decode_copy(re, re_len, a, &again), 0);
    assert_same_event(&ev, &again);
}

START_TEST(random_flips_never_crash)
{
    fl_arena_t a, scratch;
    fl_event_t in = fixed_event();
    uint8_t *buf, *work;
    size_t len;
    uint32_t seed = 0x9e3779b9u;

    fl_arena_init(&a, 0);
    fl_arena_init(&scratch, 0);
    ck_assert_int_eq(fl_event_encode(&in, &buf, &len, &a), 0);
    work = fl_arena_alloc(&a, len);
    for (int i = 0; i < 20000; i++) {
        memcpy(work, buf, len);
        for (uint32_t k = 1 + xorshift(&seed) % 3; k > 0; k--)
            work[xorshift(&seed) % len] ^= (uint8_t)(1 + xorshift(&seed) % 255);
        check_flipped(work, len, &scratch);
        release_copies();
        fl_arena_reset(&scratch);
    }
    fl_arena_free(&scratch);
    fl_arena_free(&a);
}
END_TEST

/* How the hand-built envelope below departs from a valid one. */
enum mutation {
    M_NONE,
    M_ARRAY,
    M_POS_STRING,
    M_NEG_POS,
    M_PREV_SHORT,
    M_NO_TYPE,
    M_TYPE_INT,
    M_INT_KEY,
    M_V_HUGE,
    M_DATA_TRUNC,
};

static void pack_str(msgpack_packer *pk, const char *s)
{
    msgpack_pack_str_with_body(pk, s, strlen(s));
}

static void pack_fields(msgpack_packer *pk, const fl_event_t *ev, enum mutation m)
{
    pack_str(pk, "pos");
    if (m == M_POS_STRING)
        pack_str(pk, "42");
    else if (m == M_NEG_POS)
        msgpack_pack_int64(pk, -42);
    else
        msgpack_pack_uint64(pk, ev->pos);
    pack_str(pk, "ts");
    msgpack_pack_int64(pk, ev->ts);
    if (m == M_INT_KEY)
        msgpack_pack_int(pk, 7);
    else
        pack_str(pk, m == M_NO_TYPE ? "typo" : "type");
    if (m == M_TYPE_INT)
        msgpack_pack_int(pk, 7);
    else
        pack_str(pk, ev->type);
    pack_str(pk, "v");
    msgpack_pack_uint64(pk, m == M_V_HUGE ? (uint64_t)1 << 40 : ev->v);
    pack_str(pk, "stream");
    pack_str(pk, ev->stream);
    pack_str(pk, "sv");
    msgpack_pack_uint64(pk, ev->sv);
}

static void pack_rest(msgpack_packer *pk, const fl_event_t *ev, enum mutation m)
{
    pack_str(pk, "actor");
    pack_str(pk, ev->actor);
    pack_str(pk, "cid");
    pack_str(pk, ev->cid);
    pack_str(pk, "corr");
    pack_str(pk, ev->corr);
    pack_str(pk, "num");
    pack_str(pk, ev->num);
    pack_str(pk, "data");
    if (m == M_DATA_TRUNC)
        msgpack_pack_map(pk, 2); /* announces two entries, holds none before "prev" */
    else
        msgpack_sbuffer_write(pk->data, (const char *)ev->data, ev->data_len);
    pack_str(pk, "prev");
    msgpack_pack_bin_with_body(pk, ev->prev, m == M_PREV_SHORT ? 31 : FL_LOG_HASH_LEN);
}

static int decode_mutated(enum mutation m)
{
    fl_event_t ev = fixed_event(), out;
    msgpack_sbuffer sb;
    msgpack_packer pk;
    fl_arena_t a;
    int rc;

    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    if (m == M_ARRAY)
        msgpack_pack_array(&pk, 24);
    else
        msgpack_pack_map(&pk, 12);
    pack_fields(&pk, &ev, m);
    pack_rest(&pk, &ev, m);
    fl_arena_init(&a, 0);
    rc = decode_copy((const uint8_t *)sb.data, sb.size, &a, &out);
    if (m == M_NONE && rc == 0)
        assert_same_event(&ev, &out);
    fl_arena_free(&a);
    msgpack_sbuffer_destroy(&sb);
    return rc;
}

START_TEST(malformed_envelopes_are_corrupt)
{
    static const char *names[] = {"none",    "array",     "pos string", "negative pos",
                                  "prev 31", "no type",   "type int",   "int key",
                                  "v huge",  "data trunc"};

    /* The baseline is valid, so each failure below is due to its one change. */
    ck_assert_int_eq(decode_mutated(M_NONE), 0);
    for (int m = M_ARRAY; m <= M_DATA_TRUNC; m++) {
        int rc = decode_mutated((enum mutation)m);

        ck_assert_msg(rc == FL_ECORRUPT, "%s: rc %d, want FL_ECORRUPT", names[m], rc);
    }
}
END_TEST

START_TEST(huge_declared_lengths_are_corrupt)
{
    static const uint8_t str32[] = {0x81, 0xdb, 0xff, 0xff, 0xff, 0xff, 'p'};
    static const uint8_t map32[] = {0xdf, 0xff, 0xff, 0xff, 0xff, 0xa3, 'p', 'o', 's', 0x01};
    static const uint8_t not_map[] = {0x2a};
    fl_arena_t a;
    fl_event_t out;

    fl_arena_init(&a, 0);
    ck_assert_int_eq(decode_copy(str32, sizeof(str32), &a, &out), FL_ECORRUPT);
    ck_assert_int_eq(decode_copy(map32, sizeof(map32), &a, &out), FL_ECORRUPT);
    ck_assert_int_eq(decode_copy(not_map, sizeof(not_map), &a, &out), FL_ECORRUPT);
    fl_arena_free(&a);
}
END_TEST

static Suite *envelope_suite(void)
{
    Suite *s = suite_create("envelope");
    TCase *tc = tcase_create("envelope");

    tcase_add_checked_fixture(tc, NULL, release_copies);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, round_trip_every_field);
    tcase_add_test(tc, event_owns_its_memory);
    tcase_add_test(tc, round_trip_extremes_and_empty_strings);
    tcase_add_test(tc, golden_bytes);
    tcase_add_test(tc, golden_bytes_decode);
    tcase_add_test(tc, client_address_and_agent_round_trip);
    tcase_add_test(tc, every_truncation_is_corrupt);
    tcase_add_test(tc, trailing_bytes_are_corrupt);
    tcase_add_test(tc, random_flips_never_crash);
    tcase_add_test(tc, malformed_envelopes_are_corrupt);
    tcase_add_test(tc, huge_declared_lengths_are_corrupt);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(envelope_suite());
}
