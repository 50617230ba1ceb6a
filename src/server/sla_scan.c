/*
 * The SLA timers' start-up scan (sla_internal.h), on the thread pool.
 *
 *   fold      one pass over the log up to its head at the start: each event of
 *             an issue or request stream is read through fl_slafacts_in_mp (the few
 *             fields the fold needs, from the msgpack data) and folded into
 *             the issue's record; its facts go to a shared pool;
 *   evaluate  each issue once, at now, on a configuration of the scan's own
 *             (calendars are not shared between threads); what is due goes to
 *             the timer queue: a crossing that passed while the server was
 *             down is due at once, and fires with its instant when the loop
 *             next ticks (sla_timers.c decides again from the log then);
 *   install   on the loop: the table, queue, configuration and position are
 *             already in the tenant's fl_srv_sla_t, which the loop leaves
 *             alone while sla->scan is set; done clears it.
 *
 * Memory: while folding, an issue costs its table entry (20-byte key and its
 * index), a 44-byte record (the fold's state, its policy attributes as
 * numbers into a table of the distinct names, its list of facts) and 16 bytes
 * a fact. After the evaluation only the table and the timer queue stay; the
 * rest is freed and given back to the system.
 *
 * The log is read in runs of RUN events, each in its own read transaction,
 * so that no snapshot is held for long (growing the map waits for this
 * process's readers), and after each run the pages read are dropped from the
 * resident set (fl_log_drop_pages: they stay in the page cache).
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firelater/applications.h"
#include "firelater/err.h"
#include "firelater/strmap.h"
#include "sla_internal.h"

#define RUN          65536 /* events a read transaction */
#define ARENA_EVENTS 256   /* events decoded between arena resets */

enum { ISSUE_DELETED = 1, ISSUE_TOO_BIG = 2 };

typedef struct scan_issue {
    fl_slafacts_state_t st;
    uint8_t n_facts;
    uint8_t flags;
    uint32_t first, last;             /* its facts in the pool: index + 1; 0 for none */
    uint32_t attr[FL_SLAFACTS_ATTRS]; /* numbers of names; 0: none */
} scan_issue_t;

typedef struct scan_fact {
    fl_time_t at;
    uint32_t next; /* index + 1 of the issue's next fact; 0 after its last */
    uint8_t kind, priority, metric;
} scan_fact_t;

struct fl_sla_scan {
    fl_srv_tenant_t *t;
    atomic_bool stop;
    int fold_rc, cfg_rc;
    uint64_t events;
    uint32_t too_big, eval_failed;
    int64_t fold_us, eval_us;
    /* The fold's working state, freed before the scan ends. */
    scan_issue_t *issues;
    uint32_t cap_issues;
    scan_fact_t *facts;
    uint32_t n_facts, cap_facts;
    fl_strmap_t name_of; /* name -> its number */
    char **names;        /* number -> name; names[0] is NULL */
    uint32_t n_names, cap_names;
    const char **tiers; /* application name number -> its tier, once looked up */
    bool *tier_known;
    fl_arena_t tier_arena;
};

/* Makes room for `need` items of `size` bytes in *p (capacity *cap, doubled). */
static void *grow(void *p, uint32_t *cap, uint64_t need, size_t size)
{
    uint64_t c = *cap;

    if (need <= c)
        return p;
    while (c < need)
        c = c < 64 ? 64 : 2 * c;
    fl_assert(c <= UINT32_MAX);
    p = realloc(p, c * size);
    if (p == NULL)
        fl_oom();
    *cap = (uint32_t)c;
    return p;
}

/* The number of a name (0 for none: the attribute is set to no value). */
static uint32_t intern(fl_sla_scan_t *sc, const fl_slafacts_str_t *s)
{
    char small[128], *key = small;
    uintptr_t n;

    if (s->has != FL_SLAFACTS_STR)
        return 0;
    if (s->len >= sizeof(small) && (key = malloc(s->len + 1)) == NULL)
        fl_oom();
    memcpy(key, s->p, s->len);
    key[s->len] = '\0';
    if ((n = (uintptr_t)fl_strmap_get(&sc->name_of, key)) == 0) {
        sc->names = grow(sc->names, &sc->cap_names, sc->n_names + 1, sizeof(*sc->names));
        if ((sc->names[sc->n_names] = strdup(key)) == NULL)
            fl_oom();
        n = sc->n_names++;
        fl_strmap_put(&sc->name_of, key, (void *)n);
    }
    if (key != small)
        free(key);
    return (uint32_t)n;
}

static void add_fact(fl_sla_scan_t *sc, scan_issue_t *is, const fl_slaclock_fact_t *f)
{
    uint32_t i = sc->n_facts;

    if (is->n_facts == FL_SLAFACTS_MAX) {
        is->flags |= ISSUE_TOO_BIG; /* as fl_slafacts_fold_in's FL_ETOOBIG: not tracked */
        return;
    }
    sc->facts = grow(sc->facts, &sc->cap_facts, (uint64_t)i + 1, sizeof(*sc->facts));
    sc->facts[i] =
        (scan_fact_t){.at = f->at, .kind = f->kind, .priority = f->priority, .metric = f->metric};
    if (is->last != 0)
        sc->facts[is->last - 1].next = i + 1;
    else
        is->first = i + 1;
    is->last = i + 1;
    is->n_facts++;
    sc->n_facts++;
}

/* The record of an issue stream's slot, made when the slot is new. */
static scan_issue_t *issue_at(fl_sla_scan_t *sc, uint32_t slot, bool added)
{
    if (added) {
        sc->issues = grow(sc->issues, &sc->cap_issues, (uint64_t)slot + 1, sizeof(*sc->issues));
        memset(&sc->issues[slot], 0, sizeof(sc->issues[slot]));
        fl_slafacts_state_init(&sc->issues[slot].st);
    }
    return &sc->issues[slot];
}

static void fold_event(fl_sla_scan_t *sc, fl_srv_sla_t *sla, const fl_event_t *ev)
{
    const fl_slafacts_entity_t *e;
    fl_uuid_key_t k;
    fl_slafacts_in_t in;
    fl_slafacts_out_t out;
    scan_issue_t *is;
    uint32_t slot;
    bool added;

    if ((e = fl__sla_key_of(ev->stream, &k)) == NULL)
        return;
    slot = fl__sla_put(sla, e, &k, &added);
    is = issue_at(sc, slot, added);
    if ((is->flags & ISSUE_TOO_BIG) != 0 ||
        fl_slafacts_in_mp(&in, ev->type, ev->ts, ev->actor, ev->data, ev->data_len) != 0)
        return; /* data the fold cannot read gives no facts (as in sla_timers.c) */
    if (in.type == FL_SLAFT_DELETED)
        is->flags |= ISSUE_DELETED;
    for (int i = 0; i < FL_SLAFACTS_ATTRS; i++) {
        const fl_slafacts_str_t *s = fl_slafacts_attr(&in, i);
        if (s != NULL)
            is->attr[i] = intern(sc, s);
    }
    fl_slafacts_step(&is->st, &in, &out);
    for (size_t i = 0; i < out.n; i++)
        add_fact(sc, is, &out.facts[i]);
}

/* Folds the events from..to in one read transaction; sla->seen follows. */
static int fold_run(fl_sla_scan_t *sc, fl_srv_sla_t *sla, uint64_t from, uint64_t to, fl_arena_t *a)
{
    fl_log_query_t q = {.from = from, .to = to};
    fl_log_cursor_t *cur;
    fl_event_t ev;
    int rc;

    if ((rc = fl_log_cursor_open(sc->t->log, &q, &cur)) != 0)
        return rc;
    while ((rc = fl_log_cursor_next(cur, a, &ev)) == 1) {
        fold_event(sc, sla, &ev);
        sla->seen = ev.pos;
        if (++sc->events % ARENA_EVENTS == 0)
            fl_arena_reset(a);
    }
    fl_log_cursor_close(cur);
    return rc;
}

static int fold_log(fl_sla_scan_t *sc, fl_srv_sla_t *sla)
{
    fl_log_stats_t st;
    fl_arena_t a;
    int rc;

    if ((rc = fl_log_stats(sc->t->log, &st)) != 0)
        return rc;
    /* Most streams of a tenant with many open issues are issues: room for them at once. */
    fl_idtab_init(&sla->ids, st.streams < (1u << 26) ? (uint32_t)st.streams : 1u << 26);
    sc->issues = grow(sc->issues, &sc->cap_issues, sla->ids.cap, sizeof(*sc->issues));
    fl_arena_init(&a, 64u << 20);
    while (rc == 0 && sla->seen < st.head_pos && !atomic_load(&sc->stop)) {
        uint64_t from = sla->seen + 1;
        rc = fold_run(sc, sla, from, st.head_pos - sla->seen > RUN ? sla->seen + RUN : st.head_pos,
                      &a);
        if (rc == 0 && sla->seen < from)
            rc = FL_ECORRUPT; /* positions are dense: a run cannot be empty */
        fl_log_drop_pages(sc->t->log);
    }
    fl_arena_free(&a);
    return rc;
}

/* The tier of an application (a name number), looked up once, uncached: the cache is the loop's. */
static const char *tier_of(fl_sla_scan_t *sc, uint32_t app)
{
    const char *id = sc->names[app], *tier;
    fl_app_state_t state;
    uint64_t version;
    char *stream;

    if (app == 0 || sc->tier_known[app])
        return sc->tiers[app];
    sc->tier_known[app] = true;
    if (!fl_uuid_is_valid(id) || (stream = fl_apps_stream(&sc->tier_arena, id)) == NULL ||
        fl_agg_load_uncached(sc->t->log, &fl_app_agg, stream, &sc->tier_arena, &state, &version) !=
            0 ||
        version == 0 || (tier = state.v[FL_APP_TIER]) == NULL)
        return NULL;
    sc->tiers[app] = fl_arena_strndup(&sc->tier_arena, tier, strlen(tier));
    return sc->tiers[app];
}

/* Evaluates the issue or request in slot at now and queues it at its next due instant. */
static void eval_issue(fl_sla_scan_t *sc, fl_srv_sla_t *sla, uint32_t slot, fl_time_t now)
{
    const scan_issue_t *is = &sc->issues[slot];
    fl_slaclock_fact_t facts[FL_SLAFACTS_MAX];
    fl_slaclock_t out[FL_SLA_METRICS];
    fl_time_t due;
    size_t n = 0;
    int rc;

    if ((is->flags & ISSUE_TOO_BIG) != 0)
        sc->too_big++;
    if (is->flags != 0 || is->n_facts == 0)
        return;
    for (uint32_t f = is->first; f != 0; f = sc->facts[f - 1].next) {
        const scan_fact_t *sf = &sc->facts[f - 1];
        facts[n++] = (fl_slaclock_fact_t){
            .at = sf->at, .kind = sf->kind, .priority = sf->priority, .metric = sf->metric};
    }
    const fl_slafacts_entity_t *e = fl__sla_entity(sla, slot);
    const char *attr[FL_SLAFACTS_ATTRS];
    for (int i = 0; i < FL_SLAFACTS_ATTRS; i++)
        attr[i] = sc->names[is->attr[i]];
    const char *tier =
        e == &fl_slafacts_issue ? tier_of(sc, is->attr[FL_SLAFACTS_APPLICATION]) : NULL;
    if (fl_sla_entity_clocks(&sla->cfg.cfg, e, attr, tier, facts, n, now, out, &rc) != NULL &&
        (due = fl_slaclock_next_due(out)) != FL_SLACLOCK_NONE)
        fl_timerq_set(&sla->q, slot, due);
    sc->eval_failed += rc != 0;
}

static void eval_all(fl_sla_scan_t *sc, fl_srv_sla_t *sla)
{
    fl_time_t now = fl_clock_now();

    sc->tiers = calloc(sc->n_names, sizeof(*sc->tiers));
    sc->tier_known = calloc(sc->n_names, sizeof(*sc->tier_known));
    if (sc->tiers == NULL || sc->tier_known == NULL)
        fl_oom();
    fl_arena_init(&sc->tier_arena, 0);
    fl_timerq_init(&sla->q, sla->ids.n);
    for (uint32_t slot = 0; slot < sla->ids.n && !atomic_load(&sc->stop); slot++)
        eval_issue(sc, sla, slot, now);
}

/* Frees the fold's working state and gives the heap's free memory back to the system. */
static void release_working(fl_sla_scan_t *sc)
{
    for (uint32_t i = 1; i < sc->n_names; i++)
        free(sc->names[i]);
    free(sc->names);
    fl_strmap_free(&sc->name_of, NULL);
    free(sc->issues);
    free(sc->facts);
    free(sc->tiers);
    free(sc->tier_known);
    fl_arena_free(&sc->tier_arena);
    sc->issues = NULL, sc->facts = NULL, sc->names = NULL, sc->tiers = NULL;
    malloc_trim(0);
}

static void scan_work(uv_work_t *w)
{
    fl_sla_scan_t *sc = w->data;
    fl_srv_sla_t *sla = sc->t->sla;
    int64_t t0 = fl_clock_mono();

    sc->fold_rc = fold_log(sc, sla);
    sc->fold_us = fl_clock_mono() - t0;
    /*
     * The configuration is read after the fold: it is then at least as new as
     * the last position folded, and a change after that position is one the
     * first tick sees (and re-evaluates every issue for).
     */
    if (!atomic_load(&sc->stop)) {
        sc->cfg_rc = fl__sla_config_read(sc->t->log, &sla->cfg);
    }
    if (sla->cfg.loaded && !atomic_load(&sc->stop))
        eval_all(sc, sla);
    sc->eval_us = fl_clock_mono() - t0 - sc->fold_us;
    release_working(sc);
}

static void report(const fl_sla_scan_t *sc, const fl_srv_sla_t *sla)
{
    const char *slug = sc->t->slug;

    if (sc->fold_rc != 0)
        fprintf(stderr, "firelater: sla timers (%s): reading the log: %s\n", slug,
                fl_strerror(sc->fold_rc));
    if (sc->cfg_rc != 0)
        fprintf(stderr, "firelater: sla timers (%s): reading sla:config: %s\n", slug,
                fl_strerror(sc->cfg_rc));
    if (sc->too_big > 0)
        fprintf(stderr,
                "firelater: sla timers (%s): %u issues or requests with more than %d SLA facts not "
                "tracked\n",
                slug, sc->too_big, FL_SLAFACTS_MAX);
    if (sc->eval_failed > 0)
        fprintf(stderr,
                "firelater: sla timers (%s): %u issues or requests could not be evaluated\n", slug,
                sc->eval_failed);
    fprintf(stderr,
            "firelater: sla timers (%s) armed in %lld ms: %llu events and %u issues and requests "
            "read in"
            " %lld ms, %u clocks running after %lld ms of evaluation\n",
            slug, (long long)((fl_clock_mono() - sla->scan_started) / 1000),
            (unsigned long long)sc->events, sla->ids.n, (long long)(sc->fold_us / 1000),
            fl_timerq_len(&sla->q), (long long)(sc->eval_us / 1000));
}

/* Installs the scan's result (already in place): the loop's ticks take the tenant on. */
static void finish(fl_sla_scan_t *sc, bool stopped)
{
    fl_srv_sla_t *sla = sc->t->sla;

    if (!stopped)
        report(sc, sla);
    sla->scan = NULL;
    free(sc);
}

static void scan_done(uv_work_t *w, int status)
{
    fl_sla_scan_t *sc = w->data;
    fl_server_t *s = sc->t->srv;
    bool stopped = status != 0 || atomic_load(&sc->stop);

    finish(sc, stopped);
    if (!stopped)
        fl__sla_tick(s); /* fire what passed while down; start the next tenant's scan */
}

void fl__sla_scan_start(fl_server_t *s, fl_srv_tenant_t *t)
{
    fl_srv_sla_t *sla = calloc(1, sizeof(*sla));
    fl_sla_scan_t *sc = calloc(1, sizeof(*sc));

    if (sla == NULL || sc == NULL)
        fl_oom();
    t->sla = sla;
    sc->t = t;
    atomic_init(&sc->stop, false);
    sc->names = grow(NULL, &sc->cap_names, 1, sizeof(*sc->names));
    sc->names[0] = NULL; /* number 0: no value */
    sc->n_names = 1;
    sla->scan = sc;
    sla->scan_started = fl_clock_mono();
    sla->work.data = sc;
    if (uv_queue_work(s->loop, &sla->work, scan_work, scan_done) != 0) {
        /* Not expected with a live loop: scan here, blocking it; the next tick fires. */
        scan_work(&sla->work);
        finish(sc, false);
    }
}

void fl__sla_scan_stop(fl_srv_tenant_t *t)
{
    if (t->sla != NULL && t->sla->scan != NULL)
        atomic_store(&t->sla->scan->stop, true);
}
