/*
 * flctl's option parser. getopt_long is not used because its messages name
 * neither the command nor the expected value, and an operator deserves both;
 * this one accepts "--opt VALUE" and "--opt=VALUE" anywhere among the
 * positional arguments, and "--" to end the options.
 */
#include <errno.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flctl.h"

void flctl_err(const char *fmt, ...)
{
    va_list ap;

    fputs("flctl: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int flctl_usage_err(const flctl_spec_t *spec, const char *fmt, ...)
{
    va_list ap;

    fputs("flctl: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nusage: %s\nTry 'flctl %s --help' for more.\n", spec->usage, spec->name);
    return FLCTL_USAGE;
}

int flctl_parse_exit(int rc)
{
    return rc == FLCTL_HELP ? FLCTL_OK : rc;
}

static const flctl_opt_t *find_opt(const flctl_spec_t *spec, const char *name, size_t len)
{
    const flctl_opt_t *o;

    for (o = spec->opts; o != NULL && o->name != NULL; o++) {
        if (strlen(o->name) == len && memcmp(o->name, name, len) == 0)
            return o;
    }
    return NULL;
}

static int print_help(const flctl_spec_t *spec)
{
    printf("usage: %s\n", spec->usage);
    if (spec->help != NULL)
        printf("\n%s", spec->help);
    if (find_opt(spec, "data", 4) == NULL)
        printf(
            "\n  --data DIR        the data directory (default: $FIRELATER_DATA, else ./.data)\n");
    else
        printf(
            "\n  --data-dir DIR    the data directory (default: $FIRELATER_DATA, else ./.data);\n"
            "                    'flctl --data DIR %s ...' works too\n",
            spec->name);
    printf("  --help            this help\n");
    return FLCTL_HELP;
}

/* Takes the value of --name from "=VALUE" or the next argument. */
static int take_value(const flctl_spec_t *spec, const char *name, const char *eq, int argc,
                      char **argv, int *i, const char **out)
{
    if (eq != NULL)
        *out = eq + 1;
    else if (*i + 1 < argc)
        *out = argv[++*i];
    else
        return flctl_usage_err(spec, "option '--%s' needs a value", name);
    if ((*out)[0] == '\0')
        return flctl_usage_err(spec, "option '--%s' needs a non-empty value", name);
    return 0;
}

static int parse_long(flctl_t *ctx, const flctl_spec_t *spec, int argc, char **argv, int *i)
{
    const char *arg = argv[*i] + 2;
    const char *eq = strchr(arg, '=');
    size_t len = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
    const flctl_opt_t *o;

    if (len == 4 && memcmp(arg, "help", 4) == 0)
        return print_help(spec);
    o = find_opt(spec, arg, len);
    /*
     * A command's own option comes first: for 'log append', --data is the
     * event's data, and the directory goes before the command or in --data-dir.
     */
    if (o == NULL && len == 4 && memcmp(arg, "data", 4) == 0)
        return take_value(spec, "data", eq, argc, argv, i, &ctx->data_dir);
    if (o == NULL && len == 8 && memcmp(arg, "data-dir", 8) == 0)
        return take_value(spec, "data-dir", eq, argc, argv, i, &ctx->data_dir);
    if (o == NULL)
        return flctl_usage_err(spec, "unknown option '--%.*s' for '%s'", (int)len, arg, spec->name);
    if (o->metavar != NULL)
        return take_value(spec, o->name, eq, argc, argv, i, o->value);
    if (eq != NULL)
        return flctl_usage_err(spec, "option '--%s' takes no value", o->name);
    *o->flag = true;
    return 0;
}

static int check_arg_count(const flctl_spec_t *spec, size_t got)
{
    if (got < spec->n_args)
        return flctl_usage_err(spec, "'%s' needs %s", spec->name, spec->arg_names);
    return 0;
}

int flctl_parse(flctl_t *ctx, const flctl_spec_t *spec, int argc, char **argv)
{
    bool options_done = false;
    size_t got = 0;
    int rc;
    int i;

    for (i = 0; i < argc; i++) {
        const char *arg = argv[i];

        if (!options_done && strcmp(arg, "--") == 0) {
            options_done = true;
        } else if (!options_done && strncmp(arg, "--", 2) == 0) {
            rc = parse_long(ctx, spec, argc, argv, &i);
            if (rc != 0)
                return rc;
        } else if (!options_done && arg[0] == '-' && arg[1] != '\0') {
            if (strcmp(arg, "-h") == 0)
                return print_help(spec);
            return flctl_usage_err(spec, "unknown option '%s' for '%s'", arg, spec->name);
        } else if (got < spec->n_args) {
            spec->args[got++] = arg;
        } else {
            return flctl_usage_err(spec, "unexpected argument '%s'", arg);
        }
    }
    return check_arg_count(spec, got);
}

int flctl_parse_u64(const flctl_spec_t *spec, const char *opt, const char *s, uint64_t min,
                    uint64_t max, uint64_t *out)
{
    unsigned long long v;
    char *end;

    /* strtoull accepts signs and blanks; a position or a version has neither. */
    if (s[0] < '0' || s[0] > '9')
        goto out_invalid;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max)
        goto out_invalid;
    *out = v;
    return 0;
out_invalid:
    return flctl_usage_err(spec,
                           "invalid %s '%s': expected an integer from %" PRIu64 " to %" PRIu64, opt,
                           s, min, max);
}

const char *flctl_actor(char *buf, size_t len)
{
    const struct passwd *pw = getpwuid(geteuid());

    if (pw != NULL && pw->pw_name != NULL)
        snprintf(buf, len, "flctl:%s", pw->pw_name);
    else
        snprintf(buf, len, "flctl:uid%u", (unsigned)geteuid());
    return buf;
}
