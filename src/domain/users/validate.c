/*
 * The rules a field's value must satisfy, without JSON: email syntax, time
 * zones (the system tz database), URLs, role names, text and passwords.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define ZONEINFO_DIR "/usr/share/zoneinfo/"

size_t fl__utf8_chars(const char *s)
{
    size_t n = 0;

    for (; *s != '\0'; s++) {
        if (((unsigned char)*s & 0xc0) != 0x80)
            n++;
    }
    return n;
}

bool fl__has_control(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
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

bool fl__users_email_ok(const char *s, size_t len)
{
    const char *at = memchr(s, '@', len);

    if (len > FL_USERS_EMAIL_MAX || at == NULL || strlen(s) != len)
        return false;
    return local_ok(s, (size_t)(at - s)) && domain_ok(at + 1, len - (size_t)(at - s) - 1);
}

bool fl__users_role_name_ok(const char *s)
{
    size_t len = strlen(s);

    if (len == 0 || len > FL_USERS_ROLE_MAX)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return false;
    }
    return true;
}

static bool tz_name_ok(const char *s, size_t len)
{
    if (len == 0 || len > FL_USERS_TZ_MAX || s[0] == '/' || s[len - 1] == '/')
        return false;
    if (strstr(s, "..") != NULL || strstr(s, "//") != NULL || strlen(s) != len)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!is_alnum(c) && c != '_' && c != '+' && c != '/' && c != '-')
            return false;
    }
    return true;
}

/* The name must be a regular file of the tz database that starts as TZif files do. */
bool fl__users_tz_ok(const char *s, size_t len)
{
    char path[sizeof(ZONEINFO_DIR) + FL_USERS_TZ_MAX + 1];
    char magic[4];
    struct stat st;
    bool ok = false;

    if (!tz_name_ok(s, len))
        return false;
    snprintf(path, sizeof(path), "%s%s", ZONEINFO_DIR, s);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return false;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
        ok = read(fd, magic, sizeof(magic)) == (ssize_t)sizeof(magic) &&
             memcmp(magic, "TZif", 4) == 0;
    close(fd);
    return ok;
}

/* http(s)://host... with no whitespace or control characters. */
bool fl__users_url_ok(const char *s, size_t len)
{
    size_t skip;

    if (len > FL_USERS_URL_MAX || strlen(s) != len || fl__has_control(s, len))
        return false;
    if (strncasecmp(s, "https://", 8) == 0)
        skip = 8;
    else if (strncasecmp(s, "http://", 7) == 0)
        skip = 7;
    else
        return false;
    if (strchr(s, ' ') != NULL || s[skip] == '\0' || strchr("/?#@:", s[skip]) != NULL)
        return false;
    return true;
}

bool fl_users_check_password(const char *password, const char *email, const char *field,
                             fl_decision_t *d)
{
    const char *why = NULL;

    if (strlen(password) > FL_USERS_PASSWORD_MAX)
        why = "must be at most 1024 bytes";
    else if (fl__utf8_chars(password) < FL_USERS_PASSWORD_MIN)
        why = "must be at least 12 characters";
    else if (email != NULL && strcasecmp(password, email) == 0)
        why = "must not be the email address";
    if (why == NULL)
        return true;
    fl_decision_field(d, field, why);
    return false;
}
