/*
 * Claim streams: a unique key (an email, a group name, a role name) held by
 * one entity, or released. Each module has its own event types and state
 * type (claimed, version, the holder's id); they all fold alike, here.
 */
#ifndef FIRELATER_CLAIM_H
#define FIRELATER_CLAIM_H

#include <stdbool.h>
#include <stdint.h>

#include "firelater/domain.h"
#include "firelater/log.h"

/* A module's claim events. */
typedef struct fl_claim_kind {
    const char *claimed;  /* event type, e.g. "user.email_claimed" */
    const char *released; /* event type, e.g. "user.email_released" */
    const char *key;      /* the holder's id in the claimed event's data, e.g. "user_id" */
} fl_claim_kind_t;

/*
 * Folds one event of a claim stream: k->claimed sets *claimed and copies the
 * holder's id ("" when absent), k->released clears both, any other type is
 * skipped; *version becomes ev->sv. On an undecodable event nothing changes
 * and the codec's error is returned; otherwise 0.
 */
int fl_claim_fold(const fl_claim_kind_t *k, const fl_event_t *ev, bool *claimed, uint64_t *version,
                  char holder[FL_UUID_LEN + 1]);

#endif
