/*
 * One event -> one row: which entity it concerns (data.id, data.<entity>_id,
 * the stream), who (a user actor's id), from where (the address without its
 * port), what changed, the event's hash, and text PostgreSQL accepts.
 */
#include <string.h>

#include <sodium.h>

#include "audit_test.h"
#include "firelater/err.h"

#define UID      "11111111-2222-4333-8444-555555555555"
#define ACTOR_ID "00000000-0000-4000-8000-000000000001"
#define ACTOR    "user:" ACTOR_ID

static fl_arena_t arena;
static fl_audit_row_t row;

static void setup(void)
{
    fl_arena_init(&arena, 0);
    memset(&row, 0, sizeof(row));
}

static void teardown(void)
{
    fl_audit_row_release(&row);
    fl_arena_free(&arena);
}

/* Builds the row of ev with data given as JSON text (NULL: no data). */
static void build_ev(const fl_event_t *ev, const char *data_text)
{
    json_t *data = data_text != NULL ? tu_json(data_text) : NULL;

    fl_audit_row_release(&row);
    ck_assert_int_eq(fl_audit_row_build(ev, data, &arena, &row), 0);
    json_decref(data);
}

static void build(const char *type, const char *stream, const char *data_text)
{
    fl_event_t ev = at_event(type, stream, ACTOR);

    build_ev(&ev, data_text);
}

static void entity_is(const char *type, const char *action, const char *id)
{
    ck_assert_str_eq(row.entity_type, type);
    ck_assert_str_eq(row.action, action);
    ck_assert_str_eq(row.entity_id, id);
}

START_TEST(entity_from_data_id)
{
    build("user.updated", "user:" UID,
          "{\"id\":\"" UID "\",\"changes\":{\"name\":{\"from\":\"A\",\"to\":\"B\"}}}");
    entity_is("user", "updated", UID);
    ck_assert_str_eq(row.event_type, "user.updated");
    ck_assert_str_eq(row.stream, "user:" UID);
}
END_TEST

START_TEST(entity_from_entity_id_member)
{
    /* No data.id: group_id names the group, not user_id. */
    build("group.member_added", "group:g-1", "{\"group_id\":\"g-2\",\"user_id\":\"" UID "\"}");
    entity_is("group", "member_added", "g-2");
    /* A claim belongs to its holder: the user's history shows their address claims. */
    build("user.email_claimed", "email:ann@acme.test",
          "{\"email\":\"Ann@acme.test\",\"user_id\":\"" UID "\"}");
    entity_is("user", "email_claimed", UID);
    build("api_key.revoked", "api_key:k-9", "{\"api_key_id\":\"k-9\"}");
    entity_is("api_key", "revoked", "k-9");
}
END_TEST

START_TEST(entity_from_stream)
{
    build("session.refreshed", "session:abc123", "{\"token_hash\":\"t\"}");
    entity_is("session", "refreshed", "abc123");
    /* An empty data.id is no id; nor is a non-string one. */
    build("role.renamed", "role:r-1", "{\"id\":\"\",\"role_id\":7}");
    entity_is("role", "renamed", "r-1");
    /* Only the first ':' splits the stream; a stream without one is the id. */
    build("thing.made", "thing:a:b", NULL);
    entity_is("thing", "made", "a:b");
    build("legacy", "plain", "{}");
    entity_is("legacy", "legacy", "plain");
    /* Multi-part verbs stay whole. */
    build("change.task.created", "change:c-1", "{\"change_id\":\"c-1\"}");
    entity_is("change", "task.created", "c-1");
}
END_TEST

START_TEST(actor_user_id)
{
    fl_event_t ev = at_event("user.updated", "user:" UID, ACTOR);

    build_ev(&ev, "{}");
    ck_assert_str_eq(row.user_id, ACTOR_ID);
    ck_assert_str_eq(row.actor, ACTOR);
    const char *others[] = {"apikey:k-1", "flctl:root", "user:not-a-uuid", "", "system"};
    for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
        ev.actor = others[i];
        build_ev(&ev, "{}");
        ck_assert_ptr_null(row.user_id);
        ck_assert_str_eq(row.actor, others[i]);
    }
}
END_TEST

START_TEST(client_address)
{
    static const char *const cases[][2] = {
        {"127.0.0.1:53422", "127.0.0.1"},
        {"[::1]:8080", "::1"},
        {"[2001:db8::7]:1", "2001:db8::7"},
        {"10.1.2.3", "10.1.2.3"},
        {"fe80::1", "fe80::1"},
        {"", NULL},
        {"unknown:12", NULL},
        {"[::1", NULL},
        {"[]:1", NULL},
        {"1.2.3.4.5:6", NULL},
        {"127.0.0.1:80'); DROP TABLE audit_logs;--", "127.0.0.1"},
    };
    fl_event_t ev = at_event("user.updated", "user:" UID, ACTOR);

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ev.ip = cases[i][0];
        build_ev(&ev, "{}");
        if (cases[i][1] == NULL)
            ck_assert_msg(row.ip == NULL, "%s gave %s", cases[i][0], row.ip);
        else
            ck_assert_str_eq(row.ip, cases[i][1]);
    }
}
END_TEST

START_TEST(envelope_text)
{
    fl_event_t ev = at_event("user.updated", "user:" UID, ACTOR);

    build_ev(&ev, "{}");
    ck_assert_str_eq(row.request_id, "req-42");
    ck_assert_str_eq(row.user_agent, "audit-test/1.0");
    /* "" in the envelope means absent. */
    ev.cid = ev.ua = "";
    ev.ip = NULL;
    build_ev(&ev, "{}");
    ck_assert_ptr_null(row.request_id);
    ck_assert_ptr_null(row.user_agent);
    ck_assert_ptr_null(row.ip);
    /* Bytes that are not UTF-8 (a client's User-Agent is any bytes) become U+FFFD. */
    ev.ua = "bad \xff byte, surrogate \xed\xa0\x80, overlong \xc0\xaf, cut \xe2\x82";
    build_ev(&ev, "{}");
    ck_assert_str_eq(row.user_agent, "bad \xEF\xBF\xBD byte, surrogate \xEF\xBF\xBD\xEF\xBF\xBD"
                                     "\xEF\xBF\xBD, overlong \xEF\xBF\xBD\xEF\xBF\xBD,"
                                     " cut \xEF\xBF\xBD\xEF\xBF\xBD");
    ev.ua = "caf\xc3\xa9 \xf0\x9f\x94\x92";
    build_ev(&ev, "{}");
    ck_assert_str_eq(row.user_agent, "caf\xc3\xa9 \xf0\x9f\x94\x92");
}
END_TEST

START_TEST(hash_of_the_stored_bytes)
{
    uint8_t want[32];
    char hex[65];

    build("user.updated", "user:" UID, "{}");
    crypto_generichash(want, sizeof(want), (const uint8_t *)"stored bytes", 12, NULL, 0);
    sodium_bin2hex(hex, sizeof(hex), want, sizeof(want));
    ck_assert_str_eq(row.hash, hex);
}
END_TEST

static void json_is(const json_t *got, const char *want_text)
{
    json_t *want = tu_json(want_text);
    char *g = json_dumps(got, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENCODE_ANY);

    ck_assert_msg(json_equal(got, want), "got %s, want %s", g, want_text);
    free(g);
    json_decref(want);
}

START_TEST(changes_as_carried)
{
    build("user.updated", "user:" UID,
          "{\"id\":\"" UID "\",\"changes\":{\"name\":{\"from\":\"A\",\"to\":\"B\"},"
          "\"roles\":{\"from\":[\"agent\"],\"to\":[\"admin\"]}}}");
    json_is(row.changes, "{\"name\":{\"from\":\"A\",\"to\":\"B\"},\"roles\":{\"from\":[\"agent\"],"
                         "\"to\":[\"admin\"]}}");
    /* A secret change shows only that it happened. */
    build("user.password_changed", "user:" UID,
          "{\"id\":\"" UID "\",\"password_hash\":\"$argon2id$x\","
          "\"changes\":{\"password\":{\"redacted\":true}}}");
    json_is(row.changes, "{\"password\":\"[redacted]\"}");
    json_is(row.data, "{\"id\":\"" UID "\",\"password_hash\":\"[redacted]\","
                      "\"changes\":{\"password\":\"[redacted]\"}}");
}
END_TEST

START_TEST(changes_of_created)
{
    build("user.created", "user:" UID,
          "{\"id\":\"" UID "\",\"email\":\"a@b.co\",\"phone\":null,\"roles\":[\"agent\"],"
          "\"password_hash\":\"$argon2id$secret\"}");
    json_is(row.changes, "{\"email\":{\"from\":null,\"to\":\"a@b.co\"},"
                         "\"phone\":{\"from\":null,\"to\":null},"
                         "\"roles\":{\"from\":null,\"to\":[\"agent\"]},"
                         "\"password_hash\":\"[redacted]\"}");
    ck_assert_str_eq(json_string_value(json_object_get(row.data, "password_hash")),
                     FL_AUDIT_REDACTED);
    /* Other events without changes have none; their data says what happened. */
    build("group.member_added", "group:g-1", "{\"group_id\":\"g-1\",\"user_id\":\"u\"}");
    ck_assert_ptr_null(row.changes);
    json_is(row.data, "{\"group_id\":\"g-1\",\"user_id\":\"u\"}");
    /* No data at all is an empty object. */
    build("thing.touched", "thing:1", NULL);
    ck_assert_ptr_null(row.changes);
    json_is(row.data, "{}");
}
END_TEST

TCase *audit_row_tcase(void)
{
    TCase *tc = tcase_create("row");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, entity_from_data_id);
    tcase_add_test(tc, entity_from_entity_id_member);
    tcase_add_test(tc, entity_from_stream);
    tcase_add_test(tc, actor_user_id);
    tcase_add_test(tc, client_address);
    tcase_add_test(tc, envelope_text);
    tcase_add_test(tc, hash_of_the_stored_bytes);
    tcase_add_test(tc, changes_as_carried);
    tcase_add_test(tc, changes_of_created);
    return tc;
}
