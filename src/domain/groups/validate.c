/*
 * The rules a field's value must satisfy, without JSON: the domain's shared
 * text rules (src/domain/text.c), so a group address passes where a user's
 * would.
 */
#include <string.h>

#include "internal.h"

size_t fl__groups_utf8_chars(const char *s)
{
    return fl_utf8_chars(s);
}

bool fl__groups_has_control(const char *s, size_t len, bool allow_newlines)
{
    return fl_text_has_control(s, len, allow_newlines);
}

bool fl__groups_email_ok(const char *s, size_t len)
{
    return fl_email_is_valid(s, len, FL_GROUPS_EMAIL_MAX);
}
