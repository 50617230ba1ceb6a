/*
 * Shared internals of src/auth: base64url and hex without padding or
 * surprises. No other folder includes this file.
 */
#ifndef FIRELATER_AUTH_INTERNAL_H
#define FIRELATER_AUTH_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A hash of a password nobody knows, verified for unknown accounts (password.c). */
extern const char fl__auth_dummy_hash[];

/* base64url without padding of n bytes into out (NUL-terminated); FL_ETOOBIG if short. */
int fl__auth_b64_encode(const uint8_t *in, size_t n, char *out, size_t out_len);

/*
 * Decodes exactly len characters of base64url without padding; any other
 * character, padding or non-zero trailing bits are FL_EAUTH. *n gets the length.
 */
int fl__auth_b64_decode(const char *in, size_t len, uint8_t *out, size_t out_max, size_t *n);

/* True when s[0..len) are lower-case hex digits. */
bool fl__auth_is_hex(const char *s, size_t len);

#endif
