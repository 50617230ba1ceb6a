/*
 * flctl log verify: proves a log intact, or names the first record that is not.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "firelater/err.h"
#include "flctl.h"

static const char verify_help[] =
    "Checks that every record decodes, positions are dense, every stream's versions\n"
    "are dense, and the hash chain holds up to the head. Prints an OK line and exits 0,\n"
    "or names the first bad position and why, and exits 1.\n\n"
    "  --tenant SLUG     the tenant's log\n"
    "  --platform        the platform log\n";

/* src/log's messages may start with the position, which the line names already. */
static const char *without_position(const char *msg, uint64_t pos)
{
    char prefix[48];
    int n = snprintf(prefix, sizeof(prefix), "position %" PRIu64 ": ", pos);

    if (n > 0 && strncmp(msg, prefix, (size_t)n) == 0)
        return msg + n;
    return msg;
}

static int report(fl_log_t *log, const flctl_target_t *t, int rc, uint64_t bad_pos, const char *msg)
{
    fl_log_head_t head;
    char hash[2 * FL_LOG_HASH_LEN + 1];

    if (rc == FL_ECORRUPT || rc == FL_ECHAIN) {
        flctl_err("%s is damaged at position %" PRIu64 ": %s (%s)", t->label, bad_pos,
                  msg[0] != '\0' ? without_position(msg, bad_pos) : fl_strerror(rc),
                  fl_log_path(log));
        return FLCTL_FAIL;
    }
    if (rc == 0)
        rc = fl_log_head(log, &head);
    if (rc < 0) {
        flctl_err("cannot verify %s: %s", t->label, fl_strerror(rc));
        return FLCTL_FAIL;
    }
    flctl_hex(head.hash, FL_LOG_HASH_LEN, hash);
    printf("OK: %s: %" PRIu64 " events, hash chain intact up to position %" PRIu64 " (%s)\n",
           t->label, head.pos, head.pos, hash);
    return FLCTL_OK;
}

int flctl_log_verify(flctl_t *ctx, int argc, char **argv)
{
    flctl_target_t t = {0};
    const flctl_opt_t opts[] = {FLCTL_TARGET_OPTS(&t), {0}};
    const flctl_spec_t spec = {.name = "log verify",
                               .usage = "flctl log verify (--tenant SLUG | --platform)",
                               .help = verify_help,
                               .opts = opts};
    char msg[512] = "";
    uint64_t bad_pos = 0;
    fl_log_t *log;
    int rc;

    rc = flctl_parse(ctx, &spec, argc, argv);
    if (rc != 0)
        return flctl_parse_exit(rc);
    rc = flctl_target_open(ctx, &spec, &t, true, &log);
    if (rc != 0)
        return rc;
    rc = fl_log_verify(log, &bad_pos, msg, sizeof(msg));
    rc = report(log, &t, rc, bad_pos, msg);
    fl_log_close(log);
    return rc;
}
