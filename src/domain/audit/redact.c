/*
 * What the audit trail keeps of an event's data: secrets redacted, and text
 * that PostgreSQL accepts. The projector retries a failed batch forever, so
 * a value the log accepted must never make the audit insert fail: strings
 * are made valid UTF-8 and free of NUL before they reach the database.
 */
#include <string.h>
#include <strings.h>

#include "internal.h"

#define REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD */

/* word: lowercase ASCII. The first letter is compared inline: this runs for every key. */
static bool contains_nocase(const char *s, const char *word)
{
    size_t n = strlen(word);

    for (; *s != '\0'; s++) {
        if ((*s | 0x20) == word[0] && strncasecmp(s, word, n) == 0)
            return true;
    }
    return false;
}

bool fl_audit_key_is_secret(const char *key)
{
    size_t len = key != NULL ? strlen(key) : 0;

    if (len == 0)
        return false;
    if (len >= 5 && strcasecmp(key + len - 5, "_hash") == 0)
        return true;
    return contains_nocase(key, "password") || contains_nocase(key, "secret") ||
           contains_nocase(key, "token");
}

/* How many bytes a UTF-8 sequence starting with c has; 0 when c cannot start one. */
static size_t utf8_lead(unsigned char c)
{
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return 2;
    if (c >= 0xE0 && c <= 0xEF)
        return 3;
    return c >= 0xF0 && c <= 0xF4 ? 4 : 0;
}

/* The length of the valid UTF-8 sequence at s (at most n bytes), 0 when invalid or NUL. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    size_t len = utf8_lead(s[0]);

    if (len == 0 || len > n || s[0] == 0)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    }
    /* Overlong forms, surrogates and code points past U+10FFFF. */
    if ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] > 0x9F) ||
        (s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] > 0x8F))
        return 0;
    return len;
}

/* True when s[0..n) is valid UTF-8 without NUL. */
static bool utf8_clean(const char *s, size_t n)
{
    for (size_t i = 0, k; i < n; i += k) {
        k = utf8_seq((const unsigned char *)s + i, n - i);
        if (k == 0)
            return false;
    }
    return true;
}

char *fl__audit_text(fl_arena_t *a, const char *s, size_t n)
{
    char *out, *p;

    if (utf8_clean(s, n))
        return fl_arena_strndup(a, s, n);
    out = p = fl_arena_alloc(a, 3 * n + 1);
    if (out == NULL)
        return NULL;
    for (size_t i = 0, k; i < n; i += k) {
        k = utf8_seq((const unsigned char *)s + i, n - i);
        if (k == 0) {
            memcpy(p, REPLACEMENT, 3);
            p += 3, k = 1;
        } else {
            memcpy(p, s + i, k);
            p += k;
        }
    }
    *p = '\0';
    return out;
}

/* A string without NUL characters (jansson's strings are valid UTF-8 already). */
static json_t *clean_string(const json_t *v)
{
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    json_t *out;
    fl_arena_t a;

    if (memchr(s, '\0', n) == NULL)
        return json_stringn(s, n);
    fl_arena_init(&a, 0);
    s = fl__audit_text(&a, s, n);
    out = json_string(s != NULL ? s : "");
    fl_arena_free(&a);
    return out;
}

json_t *fl_audit_redact(const json_t *v)
{
    json_t *out, *item;
    const char *key;
    size_t i;

    if (v == NULL)
        return NULL;
    if (json_is_string(v))
        return clean_string(v);
    if (json_is_array(v)) {
        out = json_array();
        json_array_foreach(v, i, item)
        {
            json_array_append_new(out, fl_audit_redact(item));
        }
        return out;
    }
    if (!json_is_object(v))
        return json_deep_copy(v);
    out = json_object();
    json_object_foreach((json_t *)v, key, item)
    {
        json_object_set_new(out, key,
                            fl_audit_key_is_secret(key) ? json_string(FL_AUDIT_REDACTED)
                                                        : fl_audit_redact(item));
    }
    return out;
}
