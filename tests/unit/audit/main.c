/*
 * The audit suite: building rows from events (entity rules, redaction, the
 * client's address, text PostgreSQL accepts), the projection's statement and
 * the list query builder.
 */
#include "audit_test.h"
#include "util.h"

fl_event_t at_event(const char *type, const char *stream, const char *actor)
{
    static const uint8_t raw[] = "stored bytes";

    return (fl_event_t){.pos = 7,
                        .ts = 1764072000000000LL,
                        .type = type,
                        .v = 1,
                        .stream = stream,
                        .sv = 3,
                        .actor = actor,
                        .cid = "req-42",
                        .corr = "",
                        .ip = "127.0.0.1:53422",
                        .ua = "audit-test/1.0",
                        .num = "",
                        .raw = raw,
                        .raw_len = sizeof(raw) - 1};
}

int main(void)
{
    Suite *s = suite_create("audit");

    suite_add_tcase(s, audit_row_tcase());
    suite_add_tcase(s, audit_redact_tcase());
    suite_add_tcase(s, audit_project_tcase());
    suite_add_tcase(s, audit_query_tcase());
    return tu_run(s);
}
