/*
 * flctl attachments sweep: removes the stored files that no live
 * attachment references. An upload's file is renamed into place before its
 * event is appended (bytes before facts); when that append fails, or the
 * server dies between the two, or an attachment is deleted, the file stays.
 * The sweep reads the tenant's log (attachment.uploaded / .deleted), lists
 * attachments/<aa>/<hash> and attachments/tmp/, and removes what is not
 * referenced and older than --older-than (default an hour, so that an
 * upload between its rename and its append is never taken).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "firelater/arena.h"
#include "firelater/err.h"
#include "flctl.h"

static const char sweep_help[] =
    "Removes attachment files that no live attachment references (an upload whose\n"
    "event was never appended, deleted attachments), and leftover temporary files.\n\n"
    "  --tenant SLUG         the tenant\n"
    "  --older-than SECONDS  only files not modified for this long (default 3600)\n"
    "  --dry-run             print what would be removed, remove nothing\n";

/* id -> hash of every attachment, and the hashes live ones use. */
static int live_hashes(fl_log_t *log, const char *label, json_t *live)
{
    json_t *by_id = json_object();
    fl_log_query_t q = {0};
    fl_log_cursor_t *c;
    fl_event_t ev;
    fl_arena_t a;
    int rc = fl_log_cursor_open(log, &q, &c);
    const char *id;
    json_t *h;

    if (rc < 0) {
        flctl_err("cannot read %s: %s", label, fl_strerror(rc));
        json_decref(by_id);
        return FLCTL_FAIL;
    }
    fl_arena_init(&a, 0);
    while ((rc = fl_log_cursor_next(c, &a, &ev)) == 1) {
        bool up = strcmp(ev.type, "attachment.uploaded") == 0;
        if (up || strcmp(ev.type, "attachment.deleted") == 0) {
            json_t *e = flctl_event_json(&ev, false), *data = json_object_get(e, "data");
            const char *aid = json_string_value(json_object_get(data, "id"));
            const char *hash = json_string_value(json_object_get(data, "hash"));
            if (aid != NULL && up && hash != NULL)
                json_object_set_new(by_id, aid, json_string(hash));
            else if (aid != NULL && !up)
                json_object_del(by_id, aid);
            json_decref(e);
        }
        fl_arena_reset(&a);
    }
    fl_log_cursor_close(c);
    fl_arena_free(&a);
    if (rc < 0) {
        flctl_err("cannot read %s: %s", label, fl_strerror(rc));
        json_decref(by_id);
        return FLCTL_FAIL;
    }
    json_object_foreach(by_id, id, h) json_object_set_new(live, json_string_value(h), json_true());
    json_decref(by_id);
    return FLCTL_OK;
}

static bool is_hash(const char *s)
{
    size_t n = strspn(s, "0123456789abcdef");
    return n == 64 && s[n] == '\0';
}

typedef struct sweep {
    json_t *live;
    time_t cutoff;
    bool dry_run;
    unsigned removed, kept;
} sweep_t;

/* One directory: old enough files go; with hashes, only those named by an unreferenced hash. */
static int sweep_dir(sweep_t *w, const char *dir, bool hashes)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[4096];
    struct stat st;
    int rc = FLCTL_OK;

    if (d == NULL)
        return errno == ENOENT ? FLCTL_OK : FLCTL_FAIL;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        if ((hashes && (!is_hash(e->d_name) || json_object_get(w->live, e->d_name) != NULL)) ||
            st.st_mtime > w->cutoff) {
            w->kept++;
            continue;
        }
        printf("%s %s\n", w->dry_run ? "would remove" : "removed", path);
        if (!w->dry_run && unlink(path) != 0) {
            flctl_err("cannot remove '%s': %s", path, strerror(errno));
            rc = FLCTL_FAIL;
            continue;
        }
        w->removed++;
    }
    closedir(d);
    return rc;
}

int flctl_attachments_sweep(flctl_t *ctx, int argc, char **argv)
{
    flctl_target_t t = {0};
    const char *older = NULL;
    bool dry_run = false;
    const flctl_opt_t opts[] = {{"tenant", "SLUG", &t.tenant, NULL},
                                {"older-than", "SECONDS", &older, NULL},
                                {"dry-run", NULL, NULL, &dry_run},
                                {0}};
    const flctl_spec_t spec = {
        .name = "attachments sweep",
        .usage = "flctl attachments sweep --tenant SLUG [--older-than SECONDS] [--dry-run]",
        .help = sweep_help,
        .opts = opts};
    uint64_t secs = 3600;
    char root[2048], sub[sizeof(root) + 264];
    sweep_t w = {.dry_run = false};
    fl_log_t *log;
    int rc = flctl_parse(ctx, &spec, argc, argv);

    if (rc != 0)
        return flctl_parse_exit(rc);
    if (t.tenant == NULL)
        return flctl_usage_err(&spec, "--tenant is required");
    if (older != NULL &&
        (rc = flctl_parse_u64(&spec, "--older-than", older, 0, 100ull * 365 * 86400, &secs)) != 0)
        return rc;
    if ((rc = flctl_target_open(ctx, &spec, &t, true, &log)) != 0)
        return rc;
    w.live = json_object();
    w.dry_run = dry_run;
    w.cutoff = time(NULL) - (time_t)secs;
    rc = live_hashes(log, t.label, w.live);
    fl_log_close(log);
    if (snprintf(root, sizeof(root), "%s/tenants/%s/attachments", ctx->data_dir, t.tenant) >=
        (int)sizeof(root)) {
        flctl_err("the data directory's path is too long");
        rc = FLCTL_FAIL;
    }
    DIR *d = rc == FLCTL_OK ? opendir(root) : NULL;
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL) {
        if (strlen(e->d_name) != 2 || strspn(e->d_name, "0123456789abcdef") != 2)
            continue; /* only the <aa> directories; tmp/ below */
        snprintf(sub, sizeof(sub), "%s/%s", root, e->d_name);
        if (sweep_dir(&w, sub, true) != FLCTL_OK)
            rc = FLCTL_FAIL;
    }
    if (d != NULL)
        closedir(d);
    snprintf(sub, sizeof(sub), "%s/tmp", root);
    if (rc == FLCTL_OK && sweep_dir(&w, sub, false) != FLCTL_OK)
        rc = FLCTL_FAIL;
    if (rc == FLCTL_OK)
        printf("%s %u files, kept %u (%zu hashes referenced)\n",
               dry_run ? "would remove" : "removed", w.removed, w.kept, json_object_size(w.live));
    json_decref(w.live);
    return rc;
}
