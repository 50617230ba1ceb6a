/*
 * The list query's rows -> {data: [entries], meta: {page, per_page, total}}.
 * Every value is already redacted in the table; this only types the columns.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* An entry's members in the order shown, and whether each is an integer or JSON. */
static const struct member {
    const char *name;
    enum { M_TEXT, M_INT, M_JSON } kind;
} members[] = {
    {"position", M_INT},       {"hash", M_TEXT},       {"created_at", M_TEXT},
    {"actor", M_TEXT},         {"user_id", M_TEXT},    {"user_email", M_TEXT},
    {"user_name", M_TEXT},     {"action", M_TEXT},     {"event_type", M_TEXT},
    {"entity_type", M_TEXT},   {"entity_id", M_TEXT},  {"stream", M_TEXT},
    {"stream_version", M_INT}, {"changes", M_JSON},    {"data", M_JSON},
    {"request_id", M_TEXT},    {"ip_address", M_TEXT}, {"user_agent", M_TEXT},
};
#define N_MEMBERS (sizeof(members) / sizeof(members[0]))

static json_t *typed(const char *v, int kind)
{
    json_t *j;

    if (kind == M_INT)
        return json_integer((json_int_t)strtoll(v, NULL, 10));
    if (kind == M_TEXT)
        return json_string(v);
    j = json_loads(v, JSON_DECODE_ANY, NULL);
    return j != NULL ? j : json_null();
}

/* One entry; NULL for the padding row of an empty page. */
static json_t *entry(const fl_store_res_t *r, int row, const int *cols)
{
    json_t *e;

    if (cols[0] < 0 || fl_store_res_isnull(r, row, cols[0]))
        return NULL;
    e = json_object();
    for (size_t i = 0; i < N_MEMBERS; i++) {
        int c = cols[i + 1];
        bool null = c < 0 || fl_store_res_isnull(r, row, c);
        json_object_set_new(e, members[i].name,
                            null ? json_null()
                                 : typed(fl_store_res_value(r, row, c), (int)members[i].kind));
    }
    return e;
}

json_t *fl_audit_list_to_json(const fl_store_res_t *r, const fl_audit_list_t *q)
{
    int cols[N_MEMBERS + 1], rows = fl_store_res_rows(r), tc = fl_store_res_col(r, "_total");
    json_t *data = json_array(), *e;
    long long total = 0;

    cols[0] = fl_store_res_col(r, "_pos");
    for (size_t i = 0; i < N_MEMBERS; i++)
        cols[i + 1] = fl_store_res_col(r, members[i].name);
    for (int i = 0; i < rows; i++) {
        if ((e = entry(r, i, cols)) != NULL)
            json_array_append_new(data, e);
    }
    if (rows > 0 && tc >= 0)
        total = strtoll(fl_store_res_value(r, 0, tc), NULL, 10);
    return json_pack("{s:o,s:{s:I,s:I,s:I}}", "data", data, "meta", "page", (json_int_t)q->page,
                     "per_page", (json_int_t)q->per_page, "total", (json_int_t)total);
}
