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
    return fl_utf8_chars(s);
}

bool fl__has_control(const char *s, size_t len)
{
    return fl_text_has_control(s, len, false);
}

static bool is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool fl__users_email_ok(const char *s, size_t len)
{
    return fl_email_is_valid(s, len, FL_USERS_EMAIL_MAX);
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
