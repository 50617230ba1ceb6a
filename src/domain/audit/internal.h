/*
 * The audit module's shared internals; only src/domain/audit/ includes this.
 */
#ifndef FL_AUDIT_INTERNAL_H
#define FL_AUDIT_INTERNAL_H

#include "firelater/audit.h"

/*
 * s[0..n) as text PostgreSQL accepts, in the arena: valid UTF-8 without NUL
 * (each bad byte, NUL included, becomes U+FFFD). NULL past the arena's budget.
 */
char *fl__audit_text(fl_arena_t *a, const char *s, size_t n);

#endif
