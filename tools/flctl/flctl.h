/*
 * flctl's shared internals: the command context, the option parser, how a
 * command finds and opens the log it works on, and the JSON form of an event.
 *
 * Every command returns its exit status: 0 success, 1 failure (the message is
 * on stderr, naming what failed), 2 usage error.
 */
#ifndef FLCTL_H
#define FLCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "firelater/log.h"
#include "firelater/store.h"
#include "firelater/tenant.h"

enum {
    FLCTL_OK = 0,
    FLCTL_FAIL = 1,
    FLCTL_USAGE = 2,
    FLCTL_HELP = -1, /* --help was printed: exit 0 without running the command */
};

typedef struct flctl {
    const char *data_dir; /* --data, else $FIRELATER_DATA, else ./.data */
} flctl_t;

/* An option: with a metavar it takes a value (*value), without one it is a flag (*flag). */
typedef struct flctl_opt {
    const char *name; /* without the leading "--" */
    const char *metavar;
    const char **value;
    bool *flag;
} flctl_opt_t;

/* What a command accepts; opts ends with a zeroed entry. */
typedef struct flctl_spec {
    const char *name;  /* "log dump", for messages */
    const char *usage; /* the first line: "flctl log dump (--tenant SLUG | --platform) ..." */
    const char *help;  /* the rest of --help */
    const flctl_opt_t *opts;
    const char **args; /* where the positional arguments go */
    size_t n_args;     /* how many are required, exactly */
    const char *arg_names;
} flctl_spec_t;

/*
 * Parses a command's arguments (argv[0] is the first after the command's
 * words). --data and --help are understood everywhere. Returns 0, FLCTL_HELP
 * after printing the help, or FLCTL_USAGE after printing what was wrong.
 */
int flctl_parse(flctl_t *ctx, const flctl_spec_t *spec, int argc, char **argv);

/* The exit status a non-zero flctl_parse result stands for. */
int flctl_parse_exit(int rc);

__attribute__((format(printf, 1, 2))) void flctl_err(const char *fmt, ...);

/* Prints "flctl: <message>" and the command's usage line; returns FLCTL_USAGE. */
__attribute__((format(printf, 2, 3))) int flctl_usage_err(const flctl_spec_t *spec, const char *fmt,
                                                          ...);

/* Parses a decimal u64 within [min, max] for option `opt`; FLCTL_USAGE after a message. */
int flctl_parse_u64(const flctl_spec_t *spec, const char *opt, const char *s, uint64_t min,
                    uint64_t max, uint64_t *out);

/* "flctl:<unix user>", the actor of the events flctl appends, in buf. */
const char *flctl_actor(char *buf, size_t len);

/* The log a command addresses: --tenant SLUG or --platform, exactly one. */
typedef struct flctl_target {
    const char *tenant;
    bool platform;
    char label[96]; /* "tenant 'acme'" or "the platform log", for messages */
} flctl_target_t;

/* The --tenant and --platform entries, for a command's option table. */
#define FLCTL_TARGET_OPTS(t)                                                                       \
    {"tenant", "SLUG", &(t)->tenant, NULL},                                                        \
    {                                                                                              \
        "platform", NULL, NULL, &(t)->platform                                                     \
    }

/*
 * Checks the target's options, makes sure the tenant is registered, and opens
 * its log (read-only for commands that only read). Returns 0 with *out the
 * caller's to fl_log_close, or an exit status after printing why.
 */
int flctl_target_open(flctl_t *ctx, const flctl_spec_t *spec, flctl_target_t *t, bool read_only,
                      fl_log_t **out);

/* Lower-case hex of n bytes into out (2n + 1 bytes). */
void flctl_hex(const uint8_t *p, size_t n, char *out);

/* An event as flctl prints it: the envelope, data decoded, prev (and hash) in hex. NULL when
 * its data does not decode. The caller owns the result. */
json_t *flctl_event_json(const fl_event_t *ev, bool with_hash);

/* Writes j as one compact line on stdout and releases it. */
void flctl_print_json_line(json_t *j);

/*
 * Prints every event q selects as JSON lines (with each record's own hash when
 * with_hash). *last is the position of the last event printed (unchanged when
 * none). Returns 0 or FLCTL_FAIL after naming the bad record.
 */
int flctl_print_events(fl_log_t *log, const flctl_target_t *t, const fl_log_query_t *q,
                       bool with_hash, uint64_t *last);

/*
 * Connects to PostgreSQL: pg (--pg), else $FIRELATER_PG. Returns 0 with *out
 * the caller's to fl_store_sync_close, or an exit status after saying why.
 */
int flctl_pg_open(const char *pg, fl_store_conn_t **out);

/* Every registered tenant, sorted by slug, in a (none without a platform log); or an exit status.
 */
int flctl_tenants(flctl_t *ctx, fl_arena_t *a, fl_tenant_t **t, size_t *n);

/* The commands. */
int flctl_tenant_create(flctl_t *ctx, int argc, char **argv);
int flctl_tenant_list(flctl_t *ctx, int argc, char **argv);
int flctl_tenant_suspend(flctl_t *ctx, int argc, char **argv);
int flctl_tenant_resume(flctl_t *ctx, int argc, char **argv);
int flctl_log_dump(flctl_t *ctx, int argc, char **argv);
int flctl_log_tail(flctl_t *ctx, int argc, char **argv);
int flctl_log_stats(flctl_t *ctx, int argc, char **argv);
int flctl_log_verify(flctl_t *ctx, int argc, char **argv);
int flctl_log_append(flctl_t *ctx, int argc, char **argv);
int flctl_replay(flctl_t *ctx, int argc, char **argv);
int flctl_migrate(flctl_t *ctx, int argc, char **argv);
int flctl_projections_status(flctl_t *ctx, int argc, char **argv);
int flctl_projections_rebuild(flctl_t *ctx, int argc, char **argv);
int flctl_audit_export(flctl_t *ctx, int argc, char **argv);
int flctl_attachments_sweep(flctl_t *ctx, int argc, char **argv);

#endif
