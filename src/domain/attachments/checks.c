/*
 * What an upload must pass before a byte is stored: the entity types it may
 * be linked to, the filename, the content type allow-list; and the
 * Content-Disposition of a download, which must survive any filename.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "firelater/attachments.h"

static const fl_attach_entity_t entities[] = {
    {"issue", "issue:"},
    {"request", "request:"},
};

const fl_attach_entity_t *fl_attach_entity(const char *name)
{
    for (size_t i = 0; name != NULL && i < sizeof(entities) / sizeof(entities[0]); i++)
        if (strcmp(entities[i].name, name) == 0)
            return &entities[i];
    return NULL;
}

/* Well-formed UTF-8 (no overlongs, no surrogates, at most U+10FFFF). */
static bool utf8_valid(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        size_t k = c < 0x80             ? 0
                   : (c & 0xe0) == 0xc0 ? 1
                   : (c & 0xf0) == 0xe0 ? 2
                   : (c & 0xf8) == 0xf0 ? 3
                                        : 9;
        unsigned cp = k == 0 ? c : k == 1 ? c & 0x1f : k == 2 ? c & 0x0f : c & 0x07;

        if (k == 9 || i + k >= n + (k == 0))
            return false;
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + j] & 0x3f);
        }
        if ((k == 1 && cp < 0x80) || (k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) ||
            cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x7f && cp < 0xa0))
            return false;
        i += k + 1;
    }
    return true;
}

const char *fl_attach_filename_problem(const char *name)
{
    size_t n = name != NULL ? strlen(name) : 0;

    if (n == 0)
        return "is required (?filename= or a Content-Disposition header)";
    if (n > FL_ATTACH_FILENAME_MAX)
        return "must be at most 255 bytes";
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || strpbrk(name, "/\\") != NULL)
        return "must be a file name without path parts";
    if (fl_text_has_control(name, n, false))
        return "must not hold control characters";
    if (!utf8_valid((const unsigned char *)name, n))
        return "must be valid UTF-8 without control characters";
    return NULL;
}

/* Media types that are only ever downloaded (Content-Disposition: attachment, nosniff). */
static const char *const allowed[] = {
    "application/pdf",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/rtf",
    "application/json",
    "application/xml",
    "application/zip",
    "application/gzip",
    "application/x-gzip",
    "application/x-tar",
    "application/x-7z-compressed",
    "application/octet-stream",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/bmp",
    "image/tiff",
    "text/plain",
    "text/csv",
    "text/markdown",
    "text/xml",
    "text/x-log",
};

/* Prefixes of whole families: the OOXML and OpenDocument formats. */
static const char *const allowed_prefix[] = {
    "application/vnd.openxmlformats-officedocument.",
    "application/vnd.oasis.opendocument.",
};

const char *fl_attach_type_allowed(fl_arena_t *a, const char *content_type)
{
    size_t n;
    char *t;

    if (content_type == NULL)
        return NULL;
    n = strcspn(content_type, "; \t");
    if (n == 0 || n > 100 || (t = fl_arena_strndup(a, content_type, n)) == NULL)
        return NULL;
    for (char *p = t; *p != '\0'; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
        if (strcmp(t, allowed[i]) == 0)
            return t;
    for (size_t i = 0; i < sizeof(allowed_prefix) / sizeof(allowed_prefix[0]); i++)
        if (strncmp(t, allowed_prefix[i], strlen(allowed_prefix[i])) == 0 &&
            strspn(t + strlen(allowed_prefix[i]), "abcdefghijklmnopqrstuvwxyz0123456789.-+") ==
                strlen(t + strlen(allowed_prefix[i])))
            return t;
    return NULL;
}

/* RFC 5987 attr-char: ALPHA / DIGIT / "!#$&+-.^_`|~"; everything else is %XX. */
static bool attr_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           strchr("!#$&+-.^_`|~", c) != NULL;
}

char *fl_attach_disposition(fl_arena_t *a, const char *filename)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(filename);
    char *out = fl_arena_alloc(a, 64 + 2 * n + 3 * n);
    size_t o = 0;

    if (out == NULL)
        return NULL;
    o += (size_t)snprintf(out, 32, "attachment; filename=\"");
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)filename[i];
        if ((c & 0xc0) == 0x80)
            continue; /* one _ per code point, for its lead byte */
        if (c == '"' || c == '\\')
            out[o++] = '\\';
        out[o++] = c >= 0x20 && c < 0x7f ? (char)c : '_';
    }
    o += (size_t)snprintf(out + o, 32, "\"; filename*=UTF-8''");
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)filename[i];
        if (attr_char(c)) {
            out[o++] = (char)c;
            continue;
        }
        out[o++] = '%';
        out[o++] = hex[c >> 4];
        out[o++] = hex[c & 15];
    }
    out[o] = '\0';
    return out;
}
