/*
 * The SLA clock suite: the engine's rules, a property test against a
 * minute-stepping reference, and the timer queue against a naive one.
 */
#include <string.h>

#include "firelater/err.h"
#include "slaclock_test.h"
#include "util.h"

static const char *office =
    "{\"name\": \"Office\", \"timezone\": \"UTC\", \"schedule\": ["
    "{\"day_of_week\": 1, \"start_time\": \"09:00\", \"end_time\": \"12:00\"},"
    "{\"day_of_week\": 1, \"start_time\": \"13:00\", \"end_time\": \"17:30\"},"
    "{\"day_of_week\": 2, \"start_time\": \"09:00\", \"end_time\": \"12:00\"},"
    "{\"day_of_week\": 2, \"start_time\": \"13:00\", \"end_time\": \"17:30\"},"
    "{\"day_of_week\": 3, \"start_time\": \"09:00\", \"end_time\": \"12:00\"},"
    "{\"day_of_week\": 3, \"start_time\": \"13:00\", \"end_time\": \"17:30\"},"
    "{\"day_of_week\": 4, \"start_time\": \"09:00\", \"end_time\": \"12:00\"},"
    "{\"day_of_week\": 4, \"start_time\": \"13:00\", \"end_time\": \"17:30\"},"
    "{\"day_of_week\": 5, \"start_time\": \"09:00\", \"end_time\": \"12:00\"},"
    "{\"day_of_week\": 5, \"start_time\": \"13:00\", \"end_time\": \"17:30\"}],"
    "\"holidays\": []}";

fl_cal_t *sc_office(void)
{
    json_error_t jerr;
    json_t *body = json_loads(office, 0, &jerr);
    fl_arena_t a;
    fl_decision_t d;
    fl_cal_def_t def;
    fl_cal_t *cal = NULL;

    ck_assert_msg(body != NULL, "bad test JSON: %s", jerr.text);
    fl_arena_init(&a, 1 << 20);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_cal_decode(body, &a, &d, &def), 0);
    ck_assert_int_eq(fl_cal_new(&def, &cal), 0);
    fl_decision_release(&d);
    fl_arena_free(&a);
    json_decref(body);
    return cal;
}

fl_time_t sc_t(const char *rfc3339)
{
    fl_time_t t;

    ck_assert_msg(fl_time_parse(rfc3339, &t) == 0, "bad test time %s", rfc3339);
    return t;
}

void sc_assert_time_at(fl_time_t got, const char *want, const char *file, int line)
{
    char g[40], w[40];

    if (want == NULL) {
        if (got != FL_SLACLOCK_NONE)
            fl_time_format(got, g, sizeof(g));
        ck_assert_msg(got == FL_SLACLOCK_NONE, "%s:%d: got %s, want none", file, line,
                      got == FL_SLACLOCK_NONE ? "" : g);
        return;
    }
    ck_assert_msg(got != FL_SLACLOCK_NONE, "%s:%d: got none, want %s", file, line, want);
    fl_time_format(got, g, sizeof(g));
    fl_time_format(sc_t(want), w, sizeof(w));
    ck_assert_msg(strcmp(g, w) == 0, "%s:%d: got %s, want %s", file, line, g, w);
}

void sc_policy(fl_slaclock_policy_t *p, fl_cal_t *cal)
{
    static const int64_t minutes[FL_SLA_PRIORITIES] = {60, 120, 240, 480};

    memset(p, 0, sizeof(*p));
    for (int m = 0; m < FL_SLA_METRICS; m++) {
        p->cal[m] = cal;
        for (int i = 0; i < FL_SLA_PRIORITIES; i++)
            p->targets[m][i] = (fl_slaclock_target_t){minutes[i] * (m == 0 ? 1 : 4), 80, true};
    }
}

int main(void)
{
    Suite *s = suite_create("slaclock");

    suite_add_tcase(s, sc_engine_tcase());
    suite_add_tcase(s, sc_property_tcase());
    suite_add_tcase(s, sc_timerq_tcase());
    suite_add_tcase(s, sc_facts_tcase());
    suite_add_tcase(s, sc_facts_in_tcase());
    suite_add_tcase(s, sc_idtab_tcase());
    return tu_run(s);
}
