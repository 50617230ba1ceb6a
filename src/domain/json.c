/*
 * JSON values every module's responses share: optional strings and times,
 * and an entity's version.
 */
#include <stdlib.h>

#include "firelater/domain.h"

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
