/*
 * base64url for tokens. libsodium does the work; these wrappers fix the
 * variant (URL-safe, no padding) and make decoding all-or-nothing, so that
 * one token has exactly one spelling.
 */
#include <sodium.h>

#include "firelater/err.h"
#include "internal.h"

int fl__auth_b64_encode(const uint8_t *in, size_t n, char *out, size_t out_len)
{
    int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;

    if (out_len < sodium_base64_ENCODED_LEN(n, variant))
        return FL_ETOOBIG;
    sodium_bin2base64(out, out_len, in, n, variant);
    return 0;
}

int fl__auth_b64_decode(const char *in, size_t len, uint8_t *out, size_t out_max, size_t *n)
{
    const char *end = NULL;

    /*
     * libsodium stops at the first character outside the alphabet and
     * refuses non-zero leftover bits; asking for the end and checking it is
     * the whole input refuses the rest (padding, whitespace, garbage).
     */
    if (sodium_base642bin(out, out_max, in, len, NULL, n, &end,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
        return FL_EAUTH;
    return end == in + len ? 0 : FL_EAUTH;
}

bool fl__auth_is_hex(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return true;
}
