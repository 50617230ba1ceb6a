/*
 * Shared by the forms suite's files: the test cases each file adds, one collector of errors
 * per test (set up and torn down by each case), and a tenant of users, groups, applications,
 * environments and attachments answered through fl_form_refs_t.
 */
#ifndef FL_TEST_FORMS_H
#define FL_TEST_FORMS_H

#include <check.h>
#include <stdbool.h>

#include <jansson.h>

#include "firelater/forms.h"
#include "util.h"

TCase *forms_schema_tcase(void);
TCase *forms_cond_tcase(void);
TCase *forms_values_tcase(void);
TCase *forms_visibility_tcase(void);
TCase *forms_refs_tcase(void);
TCase *forms_adversarial_tcase(void);

/* 2026-12-01T10:00:00Z: "today" is 2026-12-01. */
#define FT_NOW (INT64_C(1796119200) * 1000000)

/* The tenant (lowercase ids). */
#define FT_ANN       "11111111-1111-4111-8111-111111111111" /* active, in FT_TEAM */
#define FT_BOB       "22222222-2222-4222-8222-222222222222" /* inactive */
#define FT_SELF      "33333333-3333-4333-8333-333333333333" /* active, the requester */
#define FT_TEAM      "44444444-4444-4444-8444-444444444444" /* team */
#define FT_DEPT      "55555555-5555-4555-8555-555555555555" /* department */
#define FT_OLD_GROUP "66666666-6666-4666-8666-666666666666" /* inactive team */
#define FT_PAYROLL   "77777777-7777-4777-8777-777777777777" /* active P1 production */
#define FT_LEGACY    "88888888-8888-4888-8888-888888888888" /* deprecated P3 sunset */
#define FT_PAY_PROD  "99999999-9999-4999-8999-999999999999" /* active env of payroll */
#define FT_LEG_DEV   "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa" /* active env of legacy */
#define FT_PAY_OFF   "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb" /* inactive env of payroll */
#define FT_PDF       "cccccccc-cccc-4ccc-8ccc-cccccccccccc" /* spec.pdf, 2 MiB */
#define FT_BIG_PDF   "dddddddd-dddd-4ddd-8ddd-dddddddddddd" /* huge.pdf, 20 MiB */
#define FT_EXE       "eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee" /* setup.exe, 1 KiB */
#define FT_JPEG      "ffffffff-ffff-4fff-8fff-ffffffffffff" /* Photo.JPEG, 1 MiB */
#define FT_NOBODY    "01234567-89ab-4cde-8f01-23456789abcd" /* exists nowhere */

/* One test's errors: a fresh arena and decision, base "form_schema" or "form_data". */
typedef struct ft {
    fl_arena_t a;
    fl_decision_t d;
    fl_form_errors_t e;
    int lookups;     /* callback calls */
    int fail_lookup; /* when not 0, every callback returns it */
} ft_t;

extern ft_t ft;
extern const fl_form_refs_t ft_refs;

void ft_setup(void);
void ft_teardown(void);

/* Clears the errors collected so far (keeps the arena). */
void ft_clear(void);

/* fl_form_schema_check of JSON text (base "form_schema"). */
int ft_check(const char *schema);

/* A compiled form from JSON text; the test fails (showing the errors) when it does not compile. */
fl_form_t *ft_form(const char *schema);

/* A form of one field {"id":"f","label":"F", <members>}. */
fl_form_t *ft_field(const char *members);

/* fl_form_validate of JSON text at FT_NOW with ft_refs (base "form_data"); *out may be NULL. */
int ft_validate(const fl_form_t *f, const char *data, json_t **out);

/* ft_field(members) then ft_validate({"f": value}); the form is freed. */
int ft_value(const char *members, const char *value);

/* {"fields":[{"id":"f0","type":"text"<members>}, ... f<n-1>]<rest>}, malloc'd. */
char *ft_fields(int n, const char *members, const char *rest);

/* The message of the error at field, or NULL when there is none. */
const char *ft_msg(const char *field);

/* Asserts an error at field (whose message contains part, when part is not NULL). */
void ft_assert_err(const char *field, const char *part);

/* Asserts v dumps (compact, sorted keys) to text. */
void ft_assert_json(const json_t *v, const char *text);

/* The errors as text, for failure messages (in the arena). */
const char *ft_dump(void);

/* The spec's example laptop form (bench/forms_laptop.json); caller decrefs. */
json_t *ft_laptop(void);

/* The laptop form compiled (the caller frees it). */
fl_form_t *ft_laptop_form(void);

/* A JSON text of the laptop form's answers that passes. */
extern const char ft_laptop_ok[];

#endif
