/*
 * The key a client holds: "fl_<tenant slug>_<key id>_<secret>". The tenant
 * and the key are read from the key itself, so authenticating one is a
 * lookup, never a scan. The id (a UUID) and the secret (base64url of 32
 * bytes) have fixed lengths, so the key is split from its end: a slug may
 * hold '_' and a secret may hold '_' and '-'.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "firelater/apikeys.h"
#include "firelater/err.h"

#define B64 sodium_base64_VARIANT_URLSAFE_NO_PADDING

static bool slug_ok(const char *s, size_t n)
{
    if (n < 2 || n > FL_APIKEYS_SLUG_MAX || s[0] < 'a' || s[0] > 'z')
        return false;
    for (size_t i = 1; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    }
    return true;
}

/* A UUID as fl_uuid_new writes it: lowercase, so that one key has one spelling. */
static bool id_ok(const char *s)
{
    if (!fl_uuid_is_valid(s))
        return false;
    for (; *s != '\0'; s++) {
        if (*s >= 'A' && *s <= 'F')
            return false;
    }
    return true;
}

int fl_apikeys_parse(const char *key, fl_api_key_parts_t *out)
{
    size_t n = strnlen(key, FL_APIKEYS_KEY_MAX + 1),
           tail = 1 + FL_UUID_LEN + 1 + FL_APIKEYS_SECRET_LEN;
    size_t bin_len = 0;
    const char *end = NULL;
    if (n > FL_APIKEYS_KEY_MAX || n < 3 + 2 + tail || strncmp(key, "fl_", 3) != 0)
        return FL_EINVAL;
    size_t slug_len = n - 3 - tail;
    const char *id = key + 3 + slug_len + 1, *secret = id + FL_UUID_LEN + 1;
    if (id[-1] != '_' || secret[-1] != '_' || !slug_ok(key + 3, slug_len))
        return FL_EINVAL;
    memcpy(out->slug, key + 3, slug_len);
    out->slug[slug_len] = '\0';
    memcpy(out->id, id, FL_UUID_LEN);
    out->id[FL_UUID_LEN] = '\0';
    if (!id_ok(out->id) ||
        sodium_base642bin(out->secret, sizeof(out->secret), secret, FL_APIKEYS_SECRET_LEN, NULL,
                          &bin_len, &end, B64) != 0 ||
        bin_len != FL_APIKEYS_SECRET_BYTES || end != secret + FL_APIKEYS_SECRET_LEN)
        return FL_EINVAL;
    return 0;
}

int fl_apikeys_format(const fl_api_key_parts_t *parts, char *buf, size_t len)
{
    char secret[FL_APIKEYS_SECRET_LEN + 1];
    if (!slug_ok(parts->slug, strlen(parts->slug)) || !id_ok(parts->id))
        return FL_EINVAL;
    sodium_bin2base64(secret, sizeof(secret), parts->secret, sizeof(parts->secret), B64);
    int n = snprintf(buf, len, "fl_%s_%s_%s", parts->slug, parts->id, secret);
    sodium_memzero(secret, sizeof(secret));
    return n > 0 && (size_t)n < len ? 0 : FL_EINVAL;
}

void fl_apikeys_prefix(const char *slug, const char *id, char *buf, size_t len)
{
    snprintf(buf, len, "fl_%s_%.8s", slug, id);
}

void fl_apikeys_hash(const uint8_t secret[FL_APIKEYS_SECRET_BYTES],
                     uint8_t out[FL_APIKEYS_HASH_BYTES])
{
    crypto_generichash(out, FL_APIKEYS_HASH_BYTES, secret, FL_APIKEYS_SECRET_BYTES, NULL, 0);
}

void fl_apikeys_effective(const fl_perms_t *scopes, const fl_perms_t *creator, fl_perms_t *out)
{
    *out = (fl_perms_t){{0, 0}};
    for (int r = 0; r < FL_RES_COUNT; r++) {
        for (int a = 0; a < FL_ACT_COUNT; a++) {
            bool manage = a == FL_ACT_MANAGE;
            const fl_perms_t *s = scopes, *c = creator;
            bool both = manage ? fl_perms_has_exact(s, (fl_resource_t)r, FL_ACT_MANAGE) &&
                                     fl_perms_has_exact(c, (fl_resource_t)r, FL_ACT_MANAGE)
                               : fl_perms_allow(s, (fl_resource_t)r, (fl_action_t)a) &&
                                     fl_perms_allow(c, (fl_resource_t)r, (fl_action_t)a);
            if (both)
                fl_perms_add(out, (fl_resource_t)r, (fl_action_t)a);
        }
    }
}

char *fl_apikeys_stream(fl_arena_t *a, const char *id)
{
    size_t n = strlen(id);
    char *s = fl_arena_alloc(a, n + 8);
    if (s != NULL)
        snprintf(s, n + 8, "apikey:%s", id);
    return s;
}

bool fl_api_key_is_usable(const fl_api_key_state_t *k, fl_time_t now)
{
    return k->exists && !k->revoked && (k->expires_at == 0 || now < k->expires_at);
}

bool fl_api_key_secret_matches(const fl_api_key_state_t *k,
                               const uint8_t secret[FL_APIKEYS_SECRET_BYTES])
{
    uint8_t h[FL_APIKEYS_HASH_BYTES];
    fl_apikeys_hash(secret, h);
    return k->exists && sodium_memcmp(h, k->secret_hash, sizeof(h)) == 0;
}
