/*
 * The SLA fold's two readers (src/domain/sla/facts_in.c): random issue
 * events folded from their JSON data and from the same data as msgpack give
 * the same facts, state and attributes; and the msgpack reader's own rules
 * (the last of two equal keys counts, strings end at a NUL, bad bytes are
 * refused).
 */
#include <stdlib.h>
#include <string.h>

#include "firelater/codec.h"
#include "firelater/err.h"
#include "firelater/slafacts.h"
#include "slaclock_test.h"

#define REPORTER "0b9ef6e4-3c39-4c55-9b0f-3d6a6b0f4d11"
#define AGENT    "5a1c8e2f-7d44-4f0e-9c1b-2e6f3a9d8b70"

static uint64_t rng = 88172645463325252ULL;

static unsigned pick(unsigned n)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (unsigned)(rng % n);
}

/* A value for a member: mostly the strings the fold looks for, sometimes not a string. */
static json_t *value(void)
{
    static const char *const strs[] = {"new",        "pending",
                                       "resolved",   "closed",
                                       "assigned",   "in_progress",
                                       "",           "critical",
                                       "high",       "low",
                                       "medium",     "urgent",
                                       REPORTER,     "0B9EF6E4-3C39-4C55-9B0F-3D6A6B0F4D11",
                                       AGENT,        "response",
                                       "resolution", "2026-03-02T10:36:00Z",
                                       "not a time", "pending_for_a_long_time"};
    unsigned k = pick(12);

    if (k == 0)
        return json_null();
    if (k == 1)
        return json_integer(pick(5));
    if (k == 2)
        return json_boolean(pick(2));
    if (k == 3)
        return json_pack("{s:s}", "to", strs[pick(sizeof(strs) / sizeof(strs[0]))]);
    return json_string(strs[pick(sizeof(strs) / sizeof(strs[0]))]);
}

static json_t *changes(void)
{
    static const char *const keys[] = {"priority", "status", "issue_type", "application_id",
                                       "title"};
    json_t *c = json_object();

    for (unsigned i = pick(4); i > 0; i--) {
        json_t *m = pick(6) == 0 ? value() : json_pack("{s:o,s:o}", "from", value(), "to", value());
        json_object_set_new(c, keys[pick(5)], m);
    }
    return c;
}

static json_t *data(void)
{
    static const char *const keys[] = {
        "priority",   "status",     "reporter_id",    "user_id",     "to",    "metric",
        "crossed_at", "issue_type", "application_id", "is_internal", "title", "changes"};
    json_t *d = json_object();

    for (unsigned i = pick(7); i > 0; i--) {
        const char *k = keys[pick(sizeof(keys) / sizeof(keys[0]))];
        json_object_set_new(d, k,
                            strcmp(k, "changes") == 0 ? changes()
                            : strcmp(k, "title") == 0 ? json_pack("[i,{s:n}]", 1, "x")
                                                      : value());
    }
    return d;
}

/* Check marks every assertion (a write to its pipe), so these compare first and fail once. */
static bool same_str(const fl_slafacts_str_t *a, const fl_slafacts_str_t *b)
{
    return a->has == b->has &&
           (a->has != FL_SLAFACTS_STR || (a->len == b->len && memcmp(a->p, b->p, a->len) == 0));
}

static bool same_fact(const fl_slaclock_fact_t *a, const fl_slaclock_fact_t *b)
{
    return a->at == b->at && a->kind == b->kind && a->priority == b->priority &&
           a->metric == b->metric;
}

static void assert_same(const fl_slafacts_t *a, const fl_slafacts_t *b)
{
    bool same = a->n == b->n && strcmp(a->status, b->status) == 0 &&
                strcmp(a->reporter, b->reporter) == 0 && a->responded == b->responded &&
                a->responded_at == b->responded_at && memcmp(&a->st, &b->st, sizeof(a->st)) == 0;

    for (size_t i = 0; same && i < a->n; i++)
        same = same_fact(&a->facts[i], &b->facts[i]);
    if (!same)
        ck_abort_msg("JSON: %zu facts, status %s; msgpack: %zu facts, status %s", a->n, a->status,
                     b->n, b->status);
}

/* Folds one random event both ways into a (JSON) and b (msgpack). */
static void fold_both(fl_slafacts_t *a, fl_slafacts_t *b, fl_arena_t *ar, fl_time_t ts)
{
    static const char *const types[] = {
        "issue.created",      "issue.updated",        "issue.comment_added", "issue.sla_warning",
        "issue.sla_breached", "issue.assigned",       "issue.resolved",      "issue.closed",
        "issue.reopened",     "issue.status_changed", "issue.deleted",       "issue.escalated"};
    static const char *const actors[] = {"", "user:" REPORTER, "user:" AGENT, "system"};
    fl_event_t ev = {
        .type = types[pick(sizeof(types) / sizeof(types[0]))], .ts = ts, .actor = actors[pick(4)]};
    json_t *d = data();
    fl_slafacts_in_t ij, im;
    uint8_t *mp;
    size_t len;

    if (fl_codec_from_json(d, ar, &mp, &len) != 0)
        ck_abort_msg("encoding the data");
    fl_slafacts_in_json(&ij, &ev, d);
    if (fl_slafacts_in_mp(&im, ev.type, ev.ts, ev.actor, mp, len) != 0)
        ck_abort_msg("reading the msgpack data of %s", ev.type);
    for (int i = 0; i < FL_SLAFACTS_ATTRS; i++) {
        const fl_slafacts_str_t *x = fl_slafacts_attr(&ij, i), *y = fl_slafacts_attr(&im, i);
        if ((x == NULL) != (y == NULL) || (x != NULL && !same_str(x, y)))
            ck_abort_msg("attribute %d of %s differs", i, ev.type);
    }
    if (fl_slafacts_fold_in(a, &ij) != fl_slafacts_fold_in(b, &im))
        ck_abort_msg("the folds of %s returned different codes", ev.type);
    json_decref(d);
}

START_TEST(random_events_fold_alike_from_json_and_msgpack)
{
    static fl_slafacts_t a, b;
    fl_arena_t ar;

    fl_arena_init(&ar, 1u << 20);
    for (int run = 0; run < 5000; run++) {
        fl_time_t ts = sc_t("2026-03-02T09:00:00Z");
        fl_slafacts_init(&a);
        fl_slafacts_init(&b);
        for (unsigned i = pick(40); i > 0; i--) {
            fold_both(&a, &b, &ar, ts += SC_MIN);
            assert_same(&a, &b);
            fl_arena_reset(&ar);
        }
    }
    fl_arena_free(&ar);
}
END_TEST

/* msgpack bytes from a template: 'M' n a fixmap of n, 'S' a fixstr up to the next '|'. */
static size_t mp_of(const char *tpl, uint8_t *out)
{
    size_t n = 0;

    for (const char *p = tpl; *p != '\0'; p++) {
        if (*p == 'M') {
            out[n++] = (uint8_t)(0x80 | (*++p - '0'));
        } else if (*p == 'S') {
            const char *end = strchr(++p, '|');
            out[n++] = (uint8_t)(0xa0 | (end - p));
            for (; p < end; p++)
                out[n++] = *p == '0' ? 0 : (uint8_t)*p; /* '0' stands for a NUL */
        } else if (*p == 'I') {
            out[n++] = 0x07; /* a positive fixint */
        }
    }
    return n;
}

START_TEST(msgpack_reader_rules)
{
    uint8_t buf[256];
    fl_slafacts_in_t in;
    size_t n;

    n = mp_of("M2Sto|Spending|Sto|Sclosed|", buf);
    ck_assert_int_eq(fl_slafacts_in_mp(&in, "issue.status_changed", 0, NULL, buf, n), 0);
    ck_assert(in.to.has == FL_SLAFACTS_STR && in.to.len == 6 && memcmp(in.to.p, "closed", 6) == 0);

    n = mp_of("M2Schanges|M1Sstatus|M1Sto|Sclosed|Schanges|M1Spriority|M1Sto|Shigh|", buf);
    ck_assert_int_eq(fl_slafacts_in_mp(&in, "issue.updated", 0, NULL, buf, n), 0);
    ck_assert_int_eq(in.changed_status.has, FL_SLAFACTS_ABSENT); /* the second replaced it */
    ck_assert_int_eq(in.changed[FL_SLAFACTS_PRIORITY].has, FL_SLAFACTS_STR);

    n = mp_of("M1Sto|Spend0ing|", buf);
    ck_assert_int_eq(fl_slafacts_in_mp(&in, "issue.status_changed", 0, NULL, buf, n), 0);
    ck_assert_uint_eq(in.to.len, 4);

    n = mp_of("M1ISx|", buf); /* a key that is not a string */
    ck_assert_int_eq(fl_slafacts_in_mp(&in, "issue.status_changed", 0, NULL, buf, n), FL_ECORRUPT);
    ck_assert_int_eq(in.to.has, FL_SLAFACTS_ABSENT);
    n = mp_of("M2Sto|Spending|", buf); /* truncated */
    ck_assert_int_eq(fl_slafacts_in_mp(&in, "issue.status_changed", 0, NULL, buf, n), FL_ECORRUPT);
    n = mp_of("M1Sto|Spending|", buf);
    ck_assert_int_eq(fl_slafacts_in_mp(&in, "issue.status_changed", 0, NULL, buf, n + 1),
                     FL_ECORRUPT); /* a byte after the map */
}
END_TEST

TCase *sc_facts_in_tcase(void)
{
    TCase *tc = tcase_create("facts_in");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, random_events_fold_alike_from_json_and_msgpack);
    tcase_add_test(tc, msgpack_reader_rules);
    return tc;
}
