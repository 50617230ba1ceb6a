/*
 * The projection's statement: one idempotent insert for all the events of a
 * batch, every value in its one JSON parameter, no secret among them; and the
 * handler is a wildcard.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_test.h"
#include "firelater/err.h"
#include "internal.h"

#define UID "11111111-2222-4333-8444-555555555555"

static fl_proj_out_t out;
static json_t *rows; /* the sealed statement's parameter, parsed */

static void setup(void)
{
    fl__proj_out_init(&out);
}

static void teardown(void)
{
    fl__proj_out_free(&out);
    json_decref(rows);
    rows = NULL;
}

static int project(const fl_event_t *ev, const char *data_text)
{
    json_t *data = tu_json(data_text);
    int rc;

    ck_assert_str_eq(fl_audit_projections[0].type, FL_PROJ_ANY_TYPE);
    ck_assert_ptr_null(fl_audit_projections[1].type);
    rc = fl_audit_projections[0].fn(&out, ev, data);
    json_decref(data);
    return rc;
}

/* Row k's value of key as text (numbers and objects compact), or NULL for JSON null. */
static const char *field(size_t k, const char *key)
{
    static char buf[1024];
    const json_t *v;
    char *text;

    ck_assert_int_eq(out.n, 1);
    ck_assert_int_eq(out.stmts[0].nparams, 1);
    fl__proj_out_seal(&out);
    json_decref(rows);
    rows = tu_json(out.stmts[0].params[0]);
    ck_assert(json_is_array(rows));
    v = json_object_get(json_array_get(rows, k), key);
    ck_assert_msg(v != NULL, "row %zu has no %s", k, key);
    if (json_is_null(v))
        return NULL;
    text = json_is_string(v) ? NULL : json_dumps(v, JSON_COMPACT);
    snprintf(buf, sizeof(buf), "%s", text != NULL ? text : json_string_value(v));
    free(text);
    return buf;
}

static const char *param(int i)
{
    static const char *const keys[16] = {
        "position",  "user_id",    "actor",          "action",  "event_type", "entity_type",
        "entity_id", "stream",     "stream_version", "changes", "data",       "request_id",
        "ip",        "user_agent", "hash",           "ts"};

    return field(0, keys[i]);
}

START_TEST(insert_per_event)
{
    fl_event_t ev = at_event("user.created", "user:" UID, "user:" UID);
    const char *want[16] = {"7",
                            UID,
                            "user:" UID,
                            "created",
                            "user.created",
                            "user",
                            UID,
                            "user:" UID,
                            "3",
                            NULL, /* changes, below */
                            NULL, /* data, below */
                            "req-42",
                            "127.0.0.1",
                            "audit-test/1.0",
                            NULL, /* hash: its own test */
                            "2025-11-25T12:00:00.000000Z"};

    ck_assert_int_eq(project(&ev, "{\"id\":\"" UID "\",\"email\":\"a@b.co\","
                                  "\"password_hash\":\"$argon2id$v=19$TOPSECRET\"}"),
                     0);
    ck_assert_ptr_nonnull(strstr(out.stmts[0].sql, "INSERT INTO audit_logs"));
    ck_assert_ptr_nonnull(strstr(out.stmts[0].sql, "ON CONFLICT (position) DO NOTHING"));
    fl__proj_out_seal(&out);
    ck_assert_ptr_null(strstr(out.stmts[0].params[0], "TOPSECRET"));
    for (int i = 0; i < 16; i++) {
        if (want[i] != NULL)
            ck_assert_str_eq(param(i), want[i]);
        ck_assert_msg(param(i) == NULL || strstr(param(i), "TOPSECRET") == NULL,
                      "param %d holds the secret: %s", i, param(i));
    }
    ck_assert_str_eq(param(9), "{\"email\":{\"from\":null,\"to\":\"a@b.co\"},"
                               "\"password_hash\":\"[redacted]\"}");
    ck_assert_str_eq(param(10),
                     "{\"id\":\"" UID "\",\"email\":\"a@b.co\",\"password_hash\":\"[redacted]\"}");
    ck_assert_uint_eq(strlen(param(14)), 64);
}
END_TEST

START_TEST(nulls_for_what_is_absent)
{
    fl_event_t ev = at_event("session.revoked", "session:ab12", "flctl:root");

    ev.cid = ev.ua = ev.ip = "";
    ck_assert_int_eq(project(&ev, "{\"reason\":\"admin\"}"), 0);
    ck_assert_ptr_null(param(1)); /* user_id */
    ck_assert_str_eq(param(6), "ab12");
    ck_assert_ptr_null(param(9));  /* changes */
    ck_assert_ptr_null(param(11)); /* request_id */
    ck_assert_ptr_null(param(12)); /* ip_address */
    ck_assert_ptr_null(param(13)); /* user_agent */
}
END_TEST

/* A batch's events share one statement, whatever was emitted between them. */
START_TEST(one_statement_for_the_batch)
{
    fl_event_t ev = at_event("session.revoked", "session:ab12", "flctl:root");
    const char *none[1] = {NULL};

    ck_assert_int_eq(project(&ev, "{\"reason\":\"admin\"}"), 0);
    ck_assert_int_eq(fl_proj_emit(&out, "UPDATE other SET x = 1", 0, none), 0);
    ev.pos = 8;
    ck_assert_int_eq(project(&ev, "{\"reason\":\"expired\"}"), 0);
    ck_assert_int_eq(out.n, 2);
    ck_assert_ptr_nonnull(strstr(out.stmts[0].sql, "INSERT INTO audit_logs"));
    fl__proj_out_seal(&out);
    rows = tu_json(out.stmts[0].params[0]);
    ck_assert_int_eq(json_array_size(rows), 2);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(rows, 1), "position")), "8");
    ck_assert_str_eq(json_string_value(json_object_get(
                         json_object_get(json_array_get(rows, 1), "data"), "reason")),
                     "expired");
}
END_TEST

TCase *audit_project_tcase(void)
{
    TCase *tc = tcase_create("project");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, insert_per_event);
    tcase_add_test(tc, nulls_for_what_is_absent);
    tcase_add_test(tc, one_statement_for_the_batch);
    return tc;
}
