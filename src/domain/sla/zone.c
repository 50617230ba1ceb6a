/*
 * Time zones through libical, with the system's tz database: the zone's
 * changes of UTC offset are found once by probing libical a day apart and
 * bisecting to the second, then kept sorted in the zone; every conversion
 * afterwards is a binary search in that table. libical is never asked to
 * convert a local time, so the rules for gaps and repeats are ours (see
 * fl__zone_to_utc) and the process's TZ is never touched.
 *
 * libical keeps its builtin zones in a global cache that expands lazily and
 * is not thread-safe: every call into libical holds ical_lock.
 */
#include <pthread.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>

#include "firelater/err.h"
#include "internal.h"

#define CHUNK_S  ((int64_t)1 << 25) /* about 388 days of changes found at once */
#define MARGIN_S (2 * FL__DAY_S)    /* more than any UTC offset */

static pthread_mutex_t ical_lock = PTHREAD_MUTEX_INITIALIZER;

/* A name libical may look up: a relative path of letters, digits and _+-/. */
static bool zone_name_ok(const char *tz)
{
    size_t len = strlen(tz);

    if (len == 0 || len >= FL_CAL_TZ_MAX || tz[0] == '/' || strstr(tz, "..") != NULL)
        return false;
    return strspn(tz, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_+-/") == len;
}

static icaltimezone *zone_lookup(const char *tz)
{
    icaltimezone *z;

    if (!zone_name_ok(tz))
        return NULL;
    pthread_mutex_lock(&ical_lock);
    z = icaltimezone_get_builtin_timezone(tz);
    pthread_mutex_unlock(&ical_lock);
    return z;
}

bool fl_cal_zone_is_valid(const char *tz)
{
    return zone_lookup(tz) != NULL;
}

static int32_t probe(const fl__zone_t *z, int64_t u)
{
    struct icaltimetype tt;
    int dst = 0;
    int off;

    pthread_mutex_lock(&ical_lock);
    tt = icaltime_from_timet_with_zone((time_t)u, 0, icaltimezone_get_utc_timezone());
    off = icaltimezone_get_utc_offset_of_utc_time(z->ical, &tt, &dst);
    pthread_mutex_unlock(&ical_lock);
    return off;
}

int fl__zone_init(fl__zone_t *z, const char *tz)
{
    memset(z, 0, sizeof(*z));
    z->ical = zone_lookup(tz);
    return z->ical != NULL ? 0 : FL_EINVAL;
}

void fl__zone_free(fl__zone_t *z)
{
    free(z->tr);
    memset(z, 0, sizeof(*z));
}

static void push(fl__zone_tr_t **v, size_t *n, size_t *cap, int64_t t, int32_t before,
                 int32_t after)
{
    if (*n == *cap) {
        *cap = *cap != 0 ? *cap * 2 : 16;
        *v = realloc(*v, *cap * sizeof(**v));
        if (*v == NULL)
            abort();
    }
    (*v)[*n] = (fl__zone_tr_t){t, t + (before < after ? before : after), before, after};
    (*n)++;
}

/* The first second in (lo, hi] whose offset is not off; probe(hi) != off. */
static int64_t bisect(const fl__zone_t *z, int64_t lo, int64_t hi, int32_t off)
{
    while (hi - lo > 1) {
        int64_t mid = lo + (hi - lo) / 2;

        if (probe(z, mid) == off)
            lo = mid;
        else
            hi = mid;
    }
    return hi;
}

/* The changes in (a, b] into a fresh array; a change reverted within a day is not seen. */
static size_t scan(const fl__zone_t *z, int64_t a, int64_t b, fl__zone_tr_t **out)
{
    size_t n = 0, cap = 0;
    int64_t cur = a;
    int32_t prev = probe(z, a);

    *out = NULL;
    while (cur < b) {
        int64_t next = cur + FL__DAY_S < b ? cur + FL__DAY_S : b;
        int64_t t;
        int32_t after;

        if (probe(z, next) == prev) {
            cur = next;
            continue;
        }
        t = bisect(z, cur, next, prev);
        after = probe(z, t);
        push(out, &n, &cap, t, prev, after);
        prev = after;
        cur = t;
    }
    return n;
}

/* Joins the changes of a new chunk below lo or at hi. */
static void merge(fl__zone_t *z, fl__zone_tr_t *add, size_t n, bool below)
{
    if (n == 0) {
        free(add);
        return;
    }
    if (z->n + n > z->cap) {
        z->cap = (z->n + n) * 2;
        z->tr = realloc(z->tr, z->cap * sizeof(*z->tr));
        if (z->tr == NULL)
            abort();
    }
    if (below) {
        if (z->n != 0)
            memmove(z->tr + n, z->tr, z->n * sizeof(*z->tr));
        memcpy(z->tr, add, n * sizeof(*add));
    } else {
        memcpy(z->tr + z->n, add, n * sizeof(*add));
    }
    z->n += n;
    free(add);
}

/* Makes the table cover u: whole chunks are added below lo or above hi. */
static void cover(fl__zone_t *z, int64_t u)
{
    fl__zone_tr_t *add;
    size_t n;

    if (z->lo == z->hi) {
        z->lo = z->hi = (u >= 0 ? u : u - CHUNK_S + 1) / CHUNK_S * CHUNK_S;
        z->lo_off = probe(z, z->lo);
    }
    while (u < z->lo) {
        n = scan(z, z->lo - CHUNK_S, z->lo, &add);
        merge(z, add, n, true);
        z->lo -= CHUNK_S;
        z->lo_off = probe(z, z->lo);
    }
    while (u >= z->hi) {
        n = scan(z, z->hi, z->hi + CHUNK_S, &add);
        merge(z, add, n, false);
        z->hi += CHUNK_S;
    }
}

/* The number of known changes with t <= u (t_le) or key <= u (!t_le). */
static size_t count_le(const fl__zone_t *z, int64_t u, bool t_le)
{
    size_t lo = 0, hi = z->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if ((t_le ? z->tr[mid].t : z->tr[mid].key) <= u)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int32_t fl__zone_offset(fl__zone_t *z, int64_t u)
{
    size_t k;

    cover(z, u);
    k = count_le(z, u, true);
    return k == 0 ? z->lo_off : z->tr[k - 1].after;
}

/*
 * Local second l to UTC. The change k that matters is the last one whose
 * first touched local second (key) is <= l. In a gap (the clock jumps
 * forward over l) the answer is the change itself, the first instant that
 * exists after l; in a repeat (the clock falls back over l) the first
 * occurrence, still at the old offset. The mapping never decreases.
 */
int64_t fl__zone_to_utc(fl__zone_t *z, int64_t l)
{
    const fl__zone_tr_t *c;
    size_t k;

    cover(z, l - MARGIN_S);
    cover(z, l + MARGIN_S);
    k = count_le(z, l, false);
    if (k == 0)
        return l - z->lo_off;
    c = &z->tr[k - 1];
    if (c->after > c->before && l < c->t + c->after)
        return c->t;
    if (c->after < c->before && l < c->t + c->before)
        return l - c->before;
    return l - c->after;
}

int64_t fl__zone_next_change(fl__zone_t *z, int64_t u, int64_t *known_to)
{
    size_t k;

    cover(z, u);
    k = count_le(z, u, true);
    *known_to = z->hi;
    return k < z->n ? z->tr[k].t : FL_CAL_NEVER;
}
