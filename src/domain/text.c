/*
 * Text rules shared by the domain modules: counting characters, control
 * characters, and email syntax (practical: local@domain.tld, no quoted local
 * parts, no IP literals).
 */
#include <string.h>

#include "firelater/domain.h"

size_t fl_utf8_chars(const char *s)
{
    size_t n = 0;

    for (; *s != '\0'; s++) {
        if (((unsigned char)*s & 0xc0) != 0x80)
            n++;
    }
    return n;
}

bool fl_text_has_control(const char *s, size_t len, bool allow_newlines)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (allow_newlines && (c == '\n' || c == '\r' || c == '\t'))
            continue;
        if (c < 0x20 || c == 0x7f)
            return true;
    }
    return false;
}

static bool is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* The dot-atom of RFC 5322: no leading, trailing or doubled dots. */
static bool local_ok(const char *s, size_t len)
{
    static const char specials[] = "!#$%&'*+/=?^_`{|}~-";

    if (len == 0 || len > 64 || s[0] == '.' || s[len - 1] == '.')
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '.' && s[i + 1] == '.')
            return false;
        if (!is_alnum(c) && c != '.' && (c == '\0' || strchr(specials, c) == NULL))
            return false;
    }
    return true;
}

/* Labels of letters, digits and inner hyphens; at least two; a TLD of two letters or more. */
static bool domain_ok(const char *s, size_t len)
{
    size_t label = 0, labels = 1, tld_alpha = 0;

    if (len == 0 || len > 253)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '.') {
            if (label == 0 || label > 63 || s[i - 1] == '-')
                return false;
            labels++, label = 0, tld_alpha = 0;
            continue;
        }
        if (!is_alnum(c) && !(c == '-' && label > 0))
            return false;
        label++;
        tld_alpha += (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
    return labels >= 2 && label >= 2 && label <= 63 && tld_alpha == label && s[len - 1] != '-';
}

bool fl_email_is_valid(const char *s, size_t len, size_t max)
{
    const char *at = memchr(s, '@', len);

    if (len > max || at == NULL || strlen(s) != len)
        return false;
    return local_ok(s, (size_t)(at - s)) && domain_ok(at + 1, len - (size_t)(at - s) - 1);
}

const char *fl_param_count(const char *v, long max, long *out)
{
    char *end;
    long n;

    if (*v < '0' || *v > '9' || strlen(v) > 9)
        return "must be a positive integer";
    n = strtol(v, &end, 10);
    if (*end != '\0' || n < 1 || n > max)
        return max == 100 ? "must be an integer from 1 to 100"
                          : "must be an integer from 1 to 1000000";
    *out = n;
    return NULL;
}
