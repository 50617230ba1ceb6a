/*
 * flctl, the operator's command line: tenants, and the event logs read and
 * written directly (dump, tail, stats, verify, append, replay). main() finds
 * the command in a static table and hands it the remaining arguments; each
 * command lives in a file of its own.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flctl.h"

typedef int (*flctl_cmd_fn)(flctl_t *ctx, int argc, char **argv);

typedef struct flctl_cmd {
    const char *group; /* "tenant", "log", or the command itself */
    const char *name;  /* NULL for a command of one word */
    flctl_cmd_fn fn;
} flctl_cmd_t;

static const flctl_cmd_t commands[] = {
    {"tenant", "create", flctl_tenant_create},
    {"tenant", "list", flctl_tenant_list},
    {"tenant", "suspend", flctl_tenant_suspend},
    {"tenant", "resume", flctl_tenant_resume},
    {"log", "dump", flctl_log_dump},
    {"log", "tail", flctl_log_tail},
    {"log", "stats", flctl_log_stats},
    {"log", "verify", flctl_log_verify},
    {"log", "append", flctl_log_append},
    {"replay", NULL, flctl_replay},
    {"migrate", NULL, flctl_migrate},
    {"projections", "status", flctl_projections_status},
    {"projections", "rebuild", flctl_projections_rebuild},
    {"audit", "export", flctl_audit_export},
    {"attachments", "sweep", flctl_attachments_sweep},
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static const char usage_text[] =
    "usage: flctl [--data DIR] COMMAND [ARGS...]\n"
    "\n"
    "Tenants (events in the platform log, <data>/platform):\n"
    "  tenant create SLUG --name NAME        register a tenant and initialise its log\n"
    "  tenant list [--json]                  every tenant, its status and dates\n"
    "  tenant suspend SLUG [--reason TEXT]   suspend an active tenant\n"
    "  tenant resume SLUG [--reason TEXT]    resume a suspended tenant\n"
    "\n"
    "Event logs (LOG is '--tenant SLUG' or '--platform'):\n"
    "  log dump LOG [--from POS] [--to POS] [--stream STREAM] [--hash]\n"
    "  log tail LOG [--from POS] [--hash]    follow new events until interrupted\n"
    "  log stats LOG [--json]                events, streams, bytes, map use, head\n"
    "  log verify LOG                        decode every record, check the hash chain\n"
    "  log append LOG --stream STREAM --type TYPE [--data JSON] [--expect VERSION]\n"
    "             [--key IDEMPOTENCY_KEY] [--actor ACTOR] [--number PREFIX]\n"
    "  replay LOG --stream STREAM [--as-of TIME | --at POS] [--hash]\n"
    "\n"
    "PostgreSQL (CONNINFO: --pg, else $FIRELATER_PG):\n"
    "  migrate [--pg CONNINFO]               apply migrations to public and every tenant\n"
    "  projections status [--pg CONNINFO] [--json]\n"
    "                                        per tenant: log head, checkpoint, lag\n"
    "  projections rebuild --tenant SLUG [--pg CONNINFO]\n"
    "                                        replay the log into a shadow schema, swap it in\n"
    "\n"
    "Auditors:\n"
    "  audit export LOG [--from TIME] [--to TIME]\n"
    "                                        events as JSON lines with their stored bytes\n"
    "                                        (raw, base64) and hashes, to check elsewhere\n"
    "\n"
    "Attachments:\n"
    "  attachments sweep --tenant SLUG [--older-than SECONDS] [--dry-run]\n"
    "                                        remove stored files no live attachment uses\n"
    "\n"
    "Options:\n"
    "  --data DIR   the data directory (default: $FIRELATER_DATA, else ./.data);\n"
    "               also --data-dir DIR, which 'log append' needs after the\n"
    "               command word because its --data is the event's data\n"
    "  --help       this help; 'flctl COMMAND --help' describes one command\n"
    "\n"
    "Exit status: 0 success, 1 failure, 2 usage error.\n";

__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...)
{
    va_list ap;

    fputs("flctl: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry 'flctl --help' for the list of commands.\n", stderr);
    return FLCTL_USAGE;
}

/* --data DIR, --data=DIR, and the same with --data-dir; 0 when arg is neither. */
static int take_data_dir(flctl_t *ctx, int argc, char **argv, int *i)
{
    const char *arg = argv[*i];
    size_t n = strncmp(arg, "--data-dir", 10) == 0 ? 10 : 6;

    if (strncmp(arg, "--data", 6) != 0 || (arg[n] != '\0' && arg[n] != '='))
        return 0;
    if (arg[n] == '=' && arg[n + 1] != '\0')
        ctx->data_dir = arg + n + 1;
    else if (arg[n] == '\0' && *i + 1 < argc && argv[*i + 1][0] != '\0')
        ctx->data_dir = argv[++*i];
    else
        return usage_error("option '%.*s' needs a non-empty value", (int)n, arg);
    return 1;
}

/* Options before the command word: only --data (--data-dir) and --help. */
static int parse_global(flctl_t *ctx, int argc, char **argv, int *i)
{
    int rc;

    for (; *i < argc && argv[*i][0] == '-'; (*i)++) {
        const char *arg = argv[*i];

        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            fputs(usage_text, stdout);
            return FLCTL_HELP;
        }
        rc = take_data_dir(ctx, argc, argv, i);
        if (rc == 0)
            return usage_error("unknown option '%s'", arg);
        if (rc != 1)
            return rc;
    }
    return 0;
}

/* Finds the command named by argv[*i] (and argv[*i + 1] for a group); advances *i past it. */
static const flctl_cmd_t *find_command(int argc, char **argv, int *i)
{
    const char *group = argv[*i];
    const char *name = *i + 1 < argc ? argv[*i + 1] : NULL;
    size_t k;

    for (k = 0; k < N_COMMANDS; k++) {
        const flctl_cmd_t *c = &commands[k];

        if (strcmp(c->group, group) != 0)
            continue;
        if (c->name == NULL) {
            *i += 1;
            return c;
        }
        if (name != NULL && strcmp(c->name, name) == 0) {
            *i += 2;
            return c;
        }
    }
    return NULL;
}

static bool is_group(const char *word)
{
    return strcmp(word, "tenant") == 0 || strcmp(word, "log") == 0 ||
           strcmp(word, "projections") == 0 || strcmp(word, "audit") == 0 ||
           strcmp(word, "attachments") == 0;
}

/* A write error on stdout (a full disk, a closed pipe) must not pass for success. */
static int finish_output(int rc)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        flctl_err("cannot write the output: %s", strerror(errno));
        return rc == FLCTL_OK ? FLCTL_FAIL : rc;
    }
    return rc;
}

int main(int argc, char **argv)
{
    const char *env = getenv("FIRELATER_DATA");
    flctl_t ctx = {.data_dir = env != NULL && env[0] != '\0' ? env : "./.data"};
    const flctl_cmd_t *cmd;
    int i = 1;
    int rc;

    rc = parse_global(&ctx, argc, argv, &i);
    if (rc != 0)
        return flctl_parse_exit(rc);
    if (i >= argc)
        return usage_error("%s", "a command is needed");
    cmd = find_command(argc, argv, &i);
    if (cmd == NULL && is_group(argv[i]) && i + 1 < argc)
        return usage_error("unknown command '%s %s'", argv[i], argv[i + 1]);
    if (cmd == NULL && is_group(argv[i]))
        return usage_error("'%s' needs a subcommand", argv[i]);
    if (cmd == NULL)
        return usage_error("unknown command '%s'", argv[i]);
    rc = cmd->fn(&ctx, argc - i, argv + i);
    return finish_output(rc);
}
