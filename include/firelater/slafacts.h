/*
 * An issue's or a request's events -> the SLA facts the clock engine
 * (slaclock.h) reads. Both the server's timers (which fold a stream to find
 * what is due) and the write side (which records due dates and metrics in the
 * events it decides) use this one fold, so they can never disagree. What is
 * particular to an entity (its streams, event names, statuses, the
 * attributes that choose its policy) is its fl_slafacts_entity_t; an event's
 * entity is the one whose event prefix ("issue.", "request.") its type has.
 *
 * An issue's events and the facts they give:
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
 * A request's (src/domain/requests/README.md "SLA"):
 *   request.created          START(ts, data.priority)
 *   request.updated          PRIORITY as for issues
 *   request.submitted, .approved, .rejected, .completed, .cancelled, .reopened,
 *   .progressed              a status move to data.to (none without it): into
 *                            pending_approval PAUSE, out of it RESUME; into completed,
 *                            cancelled or rejected RESOLVE; out of them REOPEN (leaving
 *                            new is no response)
 *   request.assigned, request.started
 *                            RESPOND when it is the first (the first fulfilment move),
 *                            then started's move to data.to
 *   request.sla_warning, request.sla_breached   as the issue's
 * Events of other types, and facts past FL_SLAFACTS_MAX, are not folded (the
 * latter is FL_ETOOBIG: the caller stops tracking such an issue and says so).
 *
 * The fold reads an event through fl_slafacts_in_t, the few fields it needs,
 * filled from the event's msgpack data directly (fl_slafacts_in_mp: what the
 * timers use, no JSON) or from decoded JSON (fl_slafacts_in_json). Between
 * events it keeps fl_slafacts_state_t, 19 bytes, so that a scan can fold a
 * million issues at once and keep their facts elsewhere (fl_slafacts_step);
 * fl_slafacts_t is the same fold with the facts kept inline.
 */
#ifndef FIRELATER_SLAFACTS_H
#define FIRELATER_SLAFACTS_H

#include <jansson.h>

#include "firelater/domain.h"
#include "firelater/log.h"
#include "firelater/slaclock.h"

#define FL_SLAFACTS_MAX  128
#define FL_SLAFACTS_STEP 4 /* facts one event gives at most (PRIORITY, RESPOND, RESUME, PAUSE) */

/* An event's field as the fold sees it. */
typedef enum fl_slafacts_has {
    FL_SLAFACTS_ABSENT, /* not in the event */
    FL_SLAFACTS_NOSTR,  /* present, but not a string (null, a number...) */
    FL_SLAFACTS_STR     /* a string: p, len (up to its first NUL, as C reads it) */
} fl_slafacts_has_t;

typedef struct fl_slafacts_str {
    const char *p; /* into the event's data; not NUL-terminated */
    uint32_t len;
    uint8_t has; /* fl_slafacts_has_t */
} fl_slafacts_str_t;

/* The event types the fold tells apart. */
typedef enum fl_slafacts_type {
    FL_SLAFT_OTHER,
    FL_SLAFT_CREATED,
    FL_SLAFT_UPDATED,
    FL_SLAFT_DELETED,
    FL_SLAFT_COMMENT,  /* issue.comment_added */
    FL_SLAFT_WARNED,   /* issue.sla_warning */
    FL_SLAFT_BREACHED, /* issue.sla_breached */
    FL_SLAFT_ASSIGNED, /* the status moves: data.to, else the status named */
    FL_SLAFT_RESOLVED,
    FL_SLAFT_CLOSED,
    FL_SLAFT_REOPENED,
    FL_SLAFT_STATUS_CHANGED, /* data.to only */
    FL_SLAFT_FULFIL          /* the first is RESPOND; then a move to data.to, if any */
} fl_slafacts_type_t;

/*
 * The attributes that choose an entity's policy, set by its created and
 * updated events: for issues priority, issue_type and application_id, for
 * requests priority, sla_policy_id and catalog_item_id (a bundle's parent has
 * none: it has no clocks of its own).
 */
typedef enum fl_slafacts_attr {
    FL_SLAFACTS_PRIORITY,
    FL_SLAFACTS_ISSUE_TYPE,
    FL_SLAFACTS_APPLICATION,
    FL_SLAFACTS_ATTRS,
    FL_SLAFACTS_REQ_POLICY = FL_SLAFACTS_ISSUE_TYPE,
    FL_SLAFACTS_REQ_ITEM = FL_SLAFACTS_APPLICATION
} fl_slafacts_attr_t;

/* An event type and what the fold makes of it (fl_slafacts_type_t). */
typedef struct fl_slafacts_event {
    const char *name;
    uint8_t type;
} fl_slafacts_event_t;

/* A status name and the class the rules see (fl_slafacts_status_t). */
typedef struct fl_slafacts_class {
    const char *name;
    uint8_t status;
} fl_slafacts_class_t;

/* What is particular to one kind of entity with SLA clocks. */
typedef struct fl_slafacts_entity {
    uint8_t id;                /* fl_sla_entity_t: FL_SLA_ISSUE, FL_SLA_REQUEST */
    const char *name;          /* the policies' entity_type: "issue", "request" */
    const char *stream_prefix; /* "issue:" */
    size_t stream_prefix_len;
    const char *event_prefix;           /* "issue." */
    const char *warned, *breached;      /* the events the timers append */
    const fl_slafacts_event_t *events;  /* NULL-ended; any other type gives nothing */
    const fl_slafacts_class_t *classes; /* NULL-ended; any other status is OTHER */
    const char *attr_keys[FL_SLAFACTS_ATTRS];
    bool respond_leaving_new; /* issues: the first move out of new is the first response */
} fl_slafacts_entity_t;

extern const fl_slafacts_entity_t fl_slafacts_issue, fl_slafacts_request;
#define FL_SLAFACTS_ENTITIES 2
extern const fl_slafacts_entity_t *const fl_slafacts_entities[FL_SLAFACTS_ENTITIES];

/* The entity whose streams stream is one of (its prefix and a non-empty rest), or NULL. */
const fl_slafacts_entity_t *fl_slafacts_entity_of_stream(const char *stream);

/*
 * The fields of one event the fold reads. Strings point into the event's
 * data (and actor) and live as long as it.
 */
typedef struct fl_slafacts_in {
    const fl_slafacts_entity_t *entity; /* by the type's prefix; the issue's for any other */
    uint8_t type;                       /* fl_slafacts_type_t */
    fl_time_t ts;
    const char *actor; /* NUL-terminated; "" when none */
    /* data.<key> */
    fl_slafacts_str_t status, reporter_id, user_id, to, metric, crossed_at;
    fl_slafacts_str_t attr[FL_SLAFACTS_ATTRS];    /* data.<entity->attr_keys[i]> */
    fl_slafacts_str_t changed[FL_SLAFACTS_ATTRS]; /* data.changes.<attr>.to */
    fl_slafacts_str_t changed_status;             /* data.changes.status.to */
    bool is_internal;                             /* data.is_internal is true */
} fl_slafacts_in_t;

/*
 * Fills in from an event: its type, ts, actor (NUL-terminated, may be NULL)
 * and msgpack data (len 0: none). Returns 0, or FL_ECORRUPT when data is not
 * well-formed msgpack (the event is then not folded). Keys that are not
 * strings are skipped, and of a key given twice the last counts (as in JSON).
 */
int fl_slafacts_in_mp(fl_slafacts_in_t *in, const char *type, fl_time_t ts, const char *actor,
                      const uint8_t *data, size_t len);

/* The same from decoded JSON data (may be NULL); its strings live as long as data. */
void fl_slafacts_in_json(fl_slafacts_in_t *in, const fl_event_t *ev, const json_t *data);

/*
 * The attribute as this event sets it: data.<key> when present, else
 * data.changes.<key>.to; NULL when the event leaves it as it was (its type is
 * not created or updated, or it names neither). has NOSTR sets it to none.
 */
const fl_slafacts_str_t *fl_slafacts_attr(const fl_slafacts_in_t *in, fl_slafacts_attr_t which);

/* Statuses as the fold tells them apart: only these have rules (RESOLVED and CLOSED: done). */
typedef enum fl_slafacts_status {
    FL_SLAFS_NEW,
    FL_SLAFS_OTHER,
    FL_SLAFS_PENDING,
    FL_SLAFS_RESOLVED,
    FL_SLAFS_CLOSED
} fl_slafacts_status_t;

/*
 * Who someone is, to compare a commenter with the reporter: a lower-case
 * UUID's 16 bytes, or a 128-bit BLAKE2b hash of any other text.
 */
typedef struct fl_slafacts_who {
    uint8_t tag; /* 0: "" (none), 1: UUID bytes, 2: hash */
    uint8_t b[16];
} fl_slafacts_who_t;

/* What the fold keeps of an issue between its events. */
typedef struct fl_slafacts_state {
    fl_slafacts_who_t reporter;
    uint8_t status; /* fl_slafacts_status_t */
    bool responded;
} fl_slafacts_state_t;

/* What one event gave. */
typedef struct fl_slafacts_out {
    fl_slaclock_fact_t facts[FL_SLAFACTS_STEP];
    size_t n;
    fl_slafacts_str_t status; /* the status name moved to (has STR), else ABSENT */
} fl_slafacts_out_t;

void fl_slafacts_state_init(fl_slafacts_state_t *st);

/* Folds one event into st; its facts, in order, into out. Pure. */
void fl_slafacts_step(fl_slafacts_state_t *st, const fl_slafacts_in_t *in, fl_slafacts_out_t *out);

typedef struct fl_slafacts {
    fl_slaclock_fact_t facts[FL_SLAFACTS_MAX];
    size_t n;
    fl_slafacts_state_t st;
    char reporter[FL_UUID_LEN + 1];
    char status[16]; /* the issue's status after the events folded (truncated) */
    bool responded;
    fl_time_t responded_at; /* 0 until the first response */
} fl_slafacts_t;

void fl_slafacts_init(fl_slafacts_t *f);

/* Folds one event (data: its decoded body, may be NULL). 0, or FL_ETOOBIG when full. */
int fl_slafacts_fold(fl_slafacts_t *f, const fl_event_t *ev, const json_t *data);

/* Folds one event read with fl_slafacts_in_*. 0, or FL_ETOOBIG when full. */
int fl_slafacts_fold_in(fl_slafacts_t *f, const fl_slafacts_in_t *in);

/* The index of a priority name (critical, high, medium, low), or -1. */
int fl_slafacts_priority(const char *name);

/* The same for a name that is not NUL-terminated. */
int fl_slafacts_priority_n(const char *name, size_t len);

#endif
