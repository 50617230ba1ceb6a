/*
 * JSON values every module's responses share: optional strings and times,
 * and an entity's version.
 */
#include <stdlib.h>

#include "firelater/domain.h"
#include "firelater/store.h"

json_t *fl_json_str_or_null(const char *s)
{
    return s == NULL ? json_null() : json_string(s);
}

json_t *fl_json_time_or_null(fl_time_t t)
{
    char buf[40];

    if (t == 0)
        return json_null();
    fl_time_format(t, buf, sizeof(buf));
    return json_string(buf);
}

json_t *fl_json_version(uint64_t folded, const char *stream_version)
{
    char *end = NULL;
    unsigned long long v;

    if (stream_version == NULL || *stream_version < '0' || *stream_version > '9')
        return json_integer((json_int_t)folded);
    v = strtoull(stream_version, &end, 10);
    if (*end != '\0' || v > (unsigned long long)INT64_MAX)
        return json_integer((json_int_t)folded);
    return json_integer((json_int_t)v);
}

json_t *fl_json_row(const fl_store_res_t *r, int row)
{
    int col = fl_store_res_col(r, "j");

    if (col < 0 || fl_store_res_isnull(r, row, col))
        return NULL;
    return json_loads(fl_store_res_value(r, row, col), 0, NULL);
}

json_t *fl_json_page(const fl_store_res_t *r, long page, long per_page)
{
    int rows = fl_store_res_rows(r), tc = fl_store_res_col(r, "_total");
    json_t *data = json_array();
    long long total = 0;

    for (int i = 0; i < rows; i++) {
        json_t *one = fl_json_row(r, i);
        if (one != NULL)
            json_array_append_new(data, one);
    }
    if (rows > 0 && tc >= 0)
        total = strtoll(fl_store_res_value(r, 0, tc), NULL, 10);
    return json_pack("{s:o,s:{s:I,s:I,s:I}}", "data", data, "meta", "page", (json_int_t)page,
                     "per_page", (json_int_t)per_page, "total", (json_int_t)total);
}
