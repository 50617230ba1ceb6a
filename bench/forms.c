/*
 * bench_forms: form-data validation in process, on one core, with the spec's example laptop
 * form (bench/forms_laptop.json). Issue 6's goal: at least 200,000 validations a second.
 *
 * The form is compiled once, as the catalog would cache it. Eight realistic submissions are
 * validated in turn (RAM choices that show and hide the software field, justifications of 60
 * to 400 characters, dates within the 90 days, a delivery user, sometimes an application and
 * attachments), each producing the normalised data, with the request's arena reset after each.
 * Pickers and attachments are answered from an in-memory table, as the request layer's cache
 * would. The baseline, measured in the same run, is jansson parsing the same bodies: what the
 * server already spends on each request before validation. $FL_BENCH_SECONDS sets each timed
 * run (default 2).
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "firelater/err.h"
#include "firelater/forms.h"

#define ANN     "11111111-1111-4111-8111-111111111111"
#define SELF    "33333333-3333-4333-8333-333333333333"
#define PAYROLL "77777777-7777-4777-8777-777777777777"
#define CRM     "78787878-7878-4878-8878-787878787878"
#define PDF     "cccccccc-cccc-4ccc-8ccc-cccccccccccc"
#define PNG     "c0c0c0c0-c0c0-4c0c-8c0c-c0c0c0c0c0c0"

static const char *const bodies[] = {
    "{\"field_1\":\"ThinkPad X1 Carbon Gen 12\",\"field_2\":\"32gb\",\"field_3\":[\"office\","
    "\"slack\"],\"field_4\":\"I travel weekly to customer sites and my current laptop is five "
    "years old; the battery lasts under an hour.\",\"field_5\":\"2026-12-15\",\"field_6\":\"" ANN
    "\",\"field_7\":\"" PAYROLL "\",\"field_8\":[\"" PDF "\"],\"field_9\":true,\"field_10\":1}",
    "{\"field_1\":\"MacBook Pro 14\",\"field_2\":\"16gb\",\"field_4\":\"New starter in the design "
    "team, joining on the first of next month, needs a standard machine.\",\"field_5\":"
    "\"2027-01-04\",\"field_6\":\"" SELF "\",\"field_9\":true,\"field_10\":1}",
    "{\"field_1\":\"Dell XPS 15\",\"field_2\":\"64gb\",\"field_3\":[\"adobe\"],\"field_4\":\"Video "
    "editing for the marketing launch: the current machine cannot render 4K timelines and "
    "exports take most of a day, which blocks the whole team every week.\",\"field_5\":"
    "\"2027-02-20\",\"field_6\":\"" ANN "\",\"field_8\":[\"" PDF "\",\"" PNG "\"],\"field_9\":true,"
    "\"field_10\":2}",
    "{\"field_1\":\"Surface Laptop 6\",\"field_2\":\"16gb\",\"field_3\":[\"office\"],\"field_4\":"
    "\"Replacement for a laptop stolen from a car last week; police report attached.\","
    "\"field_5\":\"2026-12-02\",\"field_6\":\"" SELF "\",\"field_7\":\"" CRM
    "\",\"field_8\":[\"" PDF "\"],\"field_9\":true}",
    "{\"field_1\":\"ThinkPad T14s\",\"field_2\":\"32gb\",\"field_3\":[],\"field_4\":\"Three "
    "laptops for the new support shift in Lisbon, which starts in January and covers the "
    "European morning.\",\"field_5\":\"2026-12-20\",\"field_6\":\"" ANN "\",\"field_9\":true,"
    "\"field_10\":3}",
    "{\"field_1\":\"HP EliteBook 840\",\"field_2\":\"32gb\",\"field_3\":[\"office\",\"adobe\","
    "\"slack\"],\"field_4\":\"Finance needs to run the quarter-end models locally; they do not fit "
    "in 16 GB and the spreadsheets crash several times a day during close. The current machine "
    "is also out of warranty since March and the hinge is cracked.\",\"field_5\":\"2027-02-28\","
    "\"field_6\":\"" SELF "\",\"field_7\":\"" PAYROLL "\",\"field_9\":true,\"field_10\":1}",
    "{\"field_1\":\"MacBook Air 13\",\"field_2\":\"16gb\",\"field_4\":\"Light machine for a "
    "sales manager who is on the road four days out of five.\",\"field_5\":\"2026-12-09\","
    "\"field_6\":\"" ANN "\",\"field_9\":true,\"field_10\":1}",
    "{\"field_1\":\"Framework Laptop 13\",\"field_2\":\"64gb\",\"field_3\":[\"slack\"],"
    "\"field_4\":\"Builds of the mobile app take forty minutes on the current laptop; this cuts "
    "them to ten and pays for itself within a month of engineer time.\",\"field_5\":"
    "\"2027-01-15\",\"field_6\":\"" ANN "\",\"field_7\":\"" CRM "\",\"field_8\":[\"" PNG "\"],"
    "\"field_9\":true,\"field_10\":1}",
};
#define N_BODIES (sizeof(bodies) / sizeof(bodies[0]))

static int user(void *ctx, const char *id, const char *group_id, fl_form_user_ref_t *out)
{
    (void)ctx, (void)group_id;
    out->status =
        strcmp(id, ANN) == 0 || strcmp(id, SELF) == 0 ? FL_FORM_REF_ACTIVE : FL_FORM_REF_MISSING;
    return 0;
}

static int application(void *ctx, const char *id, fl_form_app_ref_t *out)
{
    (void)ctx;
    if (strcmp(id, PAYROLL) == 0 || strcmp(id, CRM) == 0)
        *out = (fl_form_app_ref_t){true, "active", "P2", "production", NULL};
    return 0;
}

static int attachment(void *ctx, const char *id, fl_form_file_ref_t *out)
{
    (void)ctx;
    if (strcmp(id, PDF) == 0)
        *out = (fl_form_file_ref_t){true, "police-report.pdf", 310000};
    else if (strcmp(id, PNG) == 0)
        *out = (fl_form_file_ref_t){true, "screenshot.png", 1900000};
    return 0;
}

static const fl_form_refs_t refs = {
    .self_id = SELF, .user = user, .application = application, .attachment = attachment};

static fl_form_t *laptop_form(void)
{
    json_error_t err;
    json_t *j = json_load_file(FL_BENCH_SOURCE_DIR "/forms_laptop.json", 0, &err);
    fl_arena_t a;
    fl_decision_t d;
    fl_form_errors_t e = {.a = &a, .d = &d, .base = "form_schema"};
    fl_form_t *f = NULL;

    if (j == NULL)
        bench_die("forms: forms_laptop.json: %s\n", err.text);
    fl_arena_init(&a, 0);
    fl_decision_init(&d);
    if (fl_form_compile(j, &e, &f) != 0)
        bench_die("forms: the laptop form does not compile (%s)\n",
                  d.problem.n_errors ? d.errors[0].message : "?");
    fl_arena_free(&a);
    json_decref(j);
    return f;
}

/* Validates the parsed bodies in turn for secs; returns validations per second. */
static double validate_for(const fl_form_t *f, json_t *const *data, double secs)
{
    fl_time_t now = INT64_C(1796119200) * 1000000; /* 2026-12-01T10:00:00Z */
    fl_arena_t a;
    fl_decision_t d; /* untouched while every body passes */
    uint64_t t0 = bench_now_ns(), n = 0;
    double el;

    fl_arena_init(&a, 1 << 20);
    fl_decision_init(&d);
    do {
        for (int k = 0; k < 1000; k++, n++) {
            fl_form_errors_t e = {.a = &a, .d = &d, .base = "form_data"};
            json_t *out = NULL;
            if (fl_form_validate(f, data[n % N_BODIES], &refs, now, &e, &out) != 0)
                bench_die("forms: body %zu refused: %s %s\n", (size_t)(n % N_BODIES),
                          d.errors[0].field, d.errors[0].message);
            json_decref(out);
            fl_arena_reset(&a);
        }
    } while ((el = bench_secs_since(t0)) < secs);
    fl_arena_free(&a);
    return (double)n / el;
}

/* The baseline: json_loads of the same bodies, per second. */
static double parse_for(double secs)
{
    uint64_t t0 = bench_now_ns(), n = 0;
    double el;

    do {
        for (int k = 0; k < 1000; k++, n++)
            json_decref(json_loads(bodies[n % N_BODIES], 0, NULL));
    } while ((el = bench_secs_since(t0)) < secs);
    return (double)n / el;
}

static void pin_one_core(void)
{
    cpu_set_t set;
    int cpu = sched_getcpu();

    CPU_ZERO(&set);
    CPU_SET(cpu >= 0 ? cpu : 0, &set);
    if (sched_setaffinity(0, sizeof(set), &set) != 0)
        perror("forms: sched_setaffinity");
}

int main(void)
{
    double secs = bench_run_seconds(2), rate[3], parse, median;
    json_t *data[N_BODIES];
    uint64_t t0;
    fl_form_t *f;

    pin_one_core();
    t0 = bench_now_ns();
    for (int k = 0; k < 1000; k++)
        fl_form_free(laptop_form());
    printf("forms: the spec's laptop form (10 fields, a condition), one core\n");
    printf("  load the file and compile (check, index): %.1f µs\n", bench_secs_since(t0) * 1e3);
    f = laptop_form();
    for (size_t k = 0; k < N_BODIES; k++)
        data[k] = json_loads(bodies[k], 0, NULL);
    for (int r = 0; r < 3; r++)
        rate[r] = validate_for(f, data, secs);
    parse = parse_for(secs);
    printf("  fl_form_validate: %.0f / %.0f / %.0f validations/s", rate[0], rate[1], rate[2]);
    median = bench_median(rate, 3);
    printf(" (median %.0f, %.2f µs each); goal >= 200,000: %s\n", median, 1e6 / median,
           median >= 200000 ? "met" : "missed");
    printf("  baseline json_loads of the same bodies: %.0f /s; validation costs %.2fx a parse\n",
           parse, parse / median);
    for (size_t k = 0; k < N_BODIES; k++)
        json_decref(data[k]);
    fl_form_free(f);
    return 0;
}
