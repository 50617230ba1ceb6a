/*
 * The calendar suite: business-time arithmetic, time-zone changes, a
 * property test against a minute-by-minute reference, and decoding.
 */
#include <string.h>

#include "cal_test.h"
#include "firelater/err.h"
#include "util.h"

fl_cal_t *tc_cal(const char *json)
{
    json_error_t jerr;
    json_t *body = json_loads(json, 0, &jerr);
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

fl_time_t tc_t(const char *rfc3339)
{
    fl_time_t t;

    ck_assert_msg(fl_time_parse(rfc3339, &t) == 0, "bad test time %s", rfc3339);
    return t;
}

void tc_assert_time_at(fl_time_t got, const char *want, const char *file, int line)
{
    char g[40], w[40];

    fl_time_format(got, g, sizeof(g));
    fl_time_format(tc_t(want), w, sizeof(w));
    ck_assert_msg(strcmp(g, w) == 0, "%s:%d: got %s, want %s", file, line, g, w);
}

fl_time_t tc_add(fl_cal_t *cal, const char *start, int64_t minutes)
{
    fl_time_t out = 0;

    ck_assert_int_eq(fl_cal_add(cal, tc_t(start), minutes, &out), 0);
    return out;
}

int main(void)
{
    Suite *s = suite_create("calendar");

    suite_add_tcase(s, cal_arith_tcase());
    suite_add_tcase(s, cal_dst_tcase());
    suite_add_tcase(s, cal_property_tcase());
    suite_add_tcase(s, cal_decode_tcase());
    return tu_run(s);
}
