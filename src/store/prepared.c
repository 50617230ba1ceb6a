/*
 * Prepared statements, per pooled connection.
 *
 * The projector's writes are a few dozen distinct INSERT/UPDATE/DELETE texts
 * run again and again, and profiling showed PostgreSQL's backend spending
 * about two fifths of its time parsing, analysing and planning them. So the
 * first time a connection sends a statement it also sends a Parse for it,
 * named fl_p<n>, in the same pipeline, and afterwards only Bind/Execute of
 * that name. The table is keyed by (schema, text): a plan names the
 * relations it was analysed against, and PostgreSQL re-analyses a statement
 * whose search_path changed, so one name per schema keeps tenants from
 * thrashing each other's plans.
 *
 * States: NONE (not on the server), PENDING (its Parse is in the running
 * pipeline, so later statements of that pipeline may already use the name:
 * a batch of many events of one type parses its INSERT once), READY (the
 * Parse succeeded). A Parse's own result settles it:
 * READY on success, NONE when it failed or was skipped by an earlier error in
 * the pipeline. Prepared statements are session state that a rollback does
 * not undo, so only a new session (a lost or closed connection) empties the
 * table. SELECTs are left unprepared: a generic plan chosen for a list with
 * LIMIT/OFFSET parameters can be far worse than a custom one, and reads are
 * mostly answered by the read cache anyway.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "firelater/err.h"
#include "internal.h"

#define PREP_SQL_MAX 16384 /* longer texts are sent unprepared */

static uint64_t key_hash(const char *schema, const char *sql)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (const char *p = schema; *p != '\0'; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    h = (h ^ 0xffu) * 1099511628211ULL;
    for (const char *p = sql; *p != '\0'; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    return h;
}

/* Whether sql is a write worth preparing. */
static bool preparable(const char *sql)
{
    static const char *const verbs[] = {"INSERT", "UPDATE", "DELETE"};
    while (*sql == ' ' || *sql == '\n' || *sql == '\t')
        sql++;
    for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
        size_t n = strlen(verbs[i]);
        if (strncasecmp(sql, verbs[i], n) == 0 && (sql[n] == ' ' || sql[n] == '\n'))
            return true;
    }
    return false;
}

void fl__store_preps_reset(fl__store_preps_t *t)
{
    for (uint32_t i = 0; i < FL__STORE_PREP_SLOTS; i++)
        free(t->slots[i].key);
    memset(t, 0, sizeof(*t));
}

int fl__store_preps_find(fl__store_preps_t *t, const char *schema, const char *sql, bool *parse)
{
    size_t ls, lq;
    uint64_t h;
    uint32_t i;

    if (!preparable(sql) || (lq = strlen(sql)) > PREP_SQL_MAX)
        return -1;
    ls = strlen(schema);
    h = key_hash(schema, sql);
    for (i = (uint32_t)h & (FL__STORE_PREP_SLOTS - 1);; i = (i + 1) & (FL__STORE_PREP_SLOTS - 1)) {
        fl__store_prep_t *e = &t->slots[i];
        if (e->key == NULL)
            break;
        if (e->hash == h && e->klen == ls + 1 + lq && memcmp(e->key, schema, ls + 1) == 0 &&
            memcmp(e->key + ls + 1, sql, lq) == 0) {
            /* A PENDING one's Parse is earlier in this pipeline: the name is usable. */
            *parse = e->state == FL__PREP_NONE;
            if (*parse)
                e->state = FL__PREP_PENDING;
            return (int)i;
        }
    }
    if (t->n >= FL__STORE_PREP_MAX)
        return -1;
    fl__store_prep_t *e = &t->slots[i];
    e->key = malloc(ls + 1 + lq + 1);
    if (e->key == NULL)
        fl_oom();
    memcpy(e->key, schema, ls + 1);
    memcpy(e->key + ls + 1, sql, lq + 1);
    e->klen = ls + 1 + lq;
    e->hash = h;
    e->id = ++t->next_id;
    e->state = FL__PREP_PENDING;
    t->n++;
    *parse = true;
    return (int)i;
}

void fl__store_preps_name(const fl__store_preps_t *t, int i, char *buf, size_t len)
{
    snprintf(buf, len, "fl_p%u", t->slots[i].id);
}

void fl__store_preps_settle(fl__store_preps_t *t, int i, bool ok)
{
    t->slots[i].state = ok ? FL__PREP_READY : FL__PREP_NONE;
}

void fl__store_plan_push(fl__store_plan_t *p, int stmt, int prep)
{
    if (p->n == p->cap) {
        int cap = p->cap == 0 ? 16 : 2 * p->cap;
        fl__store_slot_t *s = realloc(p->slots, (size_t)cap * sizeof(*s));
        if (s == NULL)
            fl_oom();
        p->slots = s;
        p->cap = cap;
    }
    if (stmt >= 0 && p->first_user < 0)
        p->first_user = p->n;
    p->slots[p->n++] = (fl__store_slot_t){.stmt = stmt, .prep = prep};
}

void fl__store_plan_free(fl__store_plan_t *p)
{
    free(p->slots);
    memset(p, 0, sizeof(*p));
}
