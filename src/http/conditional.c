/*
 * The request headers that make an answer conditional or partial (RFC 9110
 * 13.1.2 If-None-Match, 14.2 Range), as pure functions of the header's text
 * so the rules are tested without a server. Both fail safe: a header they
 * cannot read is ignored, so a client gets the whole representation rather
 * than a wrong 304 or a wrong slice.
 */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "firelater/http.h"

#define OWS " \t"

/*
 * One entity-tag at *p (W/ and the quotes included): its opaque part, quotes
 * included, in [*tag, *tag + *n), and *p moved past it. False when it is not
 * a quoted tag. An etagc may be ',', so the closing quote ends the tag.
 */
static bool entity_tag(const char **p, const char **tag, size_t *n)
{
    const char *s = *p, *close;

    if (strncmp(s, "W/", 2) == 0)
        s += 2;
    if (*s != '"' || (close = strchr(s + 1, '"')) == NULL)
        return false;
    *tag = s;
    *n = (size_t)(close + 1 - s);
    *p = close + 1;
    return true;
}

bool fl_http_none_match(const char *inm, const char *etag)
{
    const char *p = inm, *tag;
    size_t n, len;
    bool found = false;

    if (inm == NULL)
        return false;
    if (strncmp(etag, "W/", 2) == 0)
        etag += 2;
    n = strlen(etag);
    p += strspn(p, OWS);
    if (*p == '*')
        return p[1 + strspn(p + 1, OWS)] == '\0';
    p += strspn(p, OWS ",");
    for (;;) {
        if (!entity_tag(&p, &tag, &len))
            return false;
        found = found || (len == n && memcmp(tag, etag, n) == 0);
        p += strspn(p, OWS);
        if (*p != ',' && *p != '\0')
            return false;
        p += strspn(p, OWS ",");
        if (*p == '\0')
            return found;
    }
}

/*
 * Decimal digits at *p into *out, *p moved past them; a number too large for
 * 64 bits saturates at UINT64_MAX, which lies past the end of any file. False
 * when *p is not a digit.
 */
static bool number(const char **p, uint64_t *out)
{
    const char *s = *p;
    uint64_t v = 0;

    if (*s < '0' || *s > '9')
        return false;
    for (; *s >= '0' && *s <= '9'; s++) {
        unsigned d = (unsigned)(*s - '0');

        v = v > (UINT64_MAX - d) / 10 ? UINT64_MAX : v * 10 + d;
    }
    *p = s;
    *out = v;
    return true;
}

/* The suffix range "-b": the last b bytes, all of them when the file is shorter. */
static int suffix_range(uint64_t b, uint64_t size, uint64_t *off, uint64_t *len)
{
    if (b == 0 || size == 0)
        return 416;
    *len = b < size ? b : size;
    *off = size - *len;
    return 206;
}

/* "a-b" or "a-" (b = UINT64_MAX): from a, up to b or the end of the file. */
static int first_last_range(uint64_t a, uint64_t b, uint64_t size, uint64_t *off, uint64_t *len)
{
    if (b < a)
        return 0;
    if (a >= size)
        return 416;
    *off = a;
    *len = (b < size ? b + 1 : size) - a;
    return 206;
}

int fl_http_parse_range(const char *h, uint64_t size, uint64_t *off, uint64_t *len)
{
    uint64_t a = 0, b = UINT64_MAX;
    bool suffix;

    if (h == NULL)
        return 0;
    h += strspn(h, OWS);
    if (strncasecmp(h, "bytes=", 6) != 0)
        return 0;
    h += 6;
    if ((suffix = *h == '-'))
        h++;
    if (!number(&h, suffix ? &b : &a))
        return 0;
    if (!suffix) {
        if (*h != '-')
            return 0;
        h++;
        if (*h >= '0' && *h <= '9')
            number(&h, &b);
    }
    h += strspn(h, OWS);
    if (*h != '\0') /* several ranges, or not a range at all */
        return 0;
    return suffix ? suffix_range(b, size, off, len) : first_last_range(a, b, size, off, len);
}
