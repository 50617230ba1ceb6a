/*
 * An issue's events -> the SLA facts the clock engine (slaclock.h) reads.
 * Both the server's timers (which fold an issue's stream to find what is due)
 * and the write side (which records due dates and metrics in the events it
 * decides) use this one fold, so they can never disagree.
 *
 * The events and the facts they give:
 *   issue.created            START(ts, data.priority); the reporter and the status
 *                            (data.status, default new) are remembered
 *   issue.updated            PRIORITY(ts, changes.priority.to) when it changes; a
 *                            changes.status {from, to} is a status move, as below
 *   issue.assigned, issue.status_changed, issue.resolved, issue.closed,
 *   issue.reopened           a status move to data.to (else the event's own status:
 *                            assigned, resolved, closed, in_progress); its facts:
 *                            the first move out of `new` is RESPOND; into pending
 *                            PAUSE, out of pending RESUME; into resolved or closed
 *                            from an open status RESOLVE; out of them REOPEN
 *   issue.comment_added      RESPOND when it is the first response: a public comment
 *                            (not data.is_internal) by someone (data.user_id, else the
 *                            event's actor) other than the reporter
 *   issue.sla_warning, issue.sla_breached
 *                            WARNED / BREACHED(data.metric = response | resolution,
 *                            at = data.crossed_at): what was already fired
 * Events of other types, and facts past FL_SLAFACTS_MAX, are not folded (the
 * latter is FL_ETOOBIG: the caller stops tracking such an issue and says so).
 */
#ifndef FIRELATER_SLAFACTS_H
#define FIRELATER_SLAFACTS_H

#include <jansson.h>

#include "firelater/domain.h"
#include "firelater/log.h"
#include "firelater/slaclock.h"

#define FL_SLAFACTS_MAX 128

typedef struct fl_slafacts {
    fl_slaclock_fact_t facts[FL_SLAFACTS_MAX];
    size_t n;
    char reporter[FL_UUID_LEN + 1];
    char status[16]; /* the status after the events folded */
    bool responded;
    fl_time_t responded_at; /* 0 until the first response */
} fl_slafacts_t;

void fl_slafacts_init(fl_slafacts_t *f);

/* Folds one event (data: its decoded body, may be NULL). 0, or FL_ETOOBIG when full. */
int fl_slafacts_fold(fl_slafacts_t *f, const fl_event_t *ev, const json_t *data);

/* The index of a priority name (critical, high, medium, low), or -1. */
int fl_slafacts_priority(const char *name);

#endif
