/*
 * The router: a static table (Redis's command table) matched segment by
 * segment. The table holds tens of routes, so a linear scan over it costs
 * less than building and keeping a tree; the path is split and decoded once.
 * When several patterns match, the one whose first literal segment comes
 * earliest wins ("/users/me" over "/users/{id}"), then table order.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

#define MAX_SEGS 32

typedef struct segs {
    char *s[MAX_SEGS];
    size_t n;
} segs_t;

/* The pattern segment at p, up to '/' or the end; its length. */
static size_t seg_len(const char *p)
{
    return strcspn(p, "/");
}

static bool is_param(const char *p, size_t n)
{
    return n >= 2 && p[0] == '{' && p[n - 1] == '}';
}

static int check_pattern(const char *pat)
{
    size_t segs = 0, params = 0;

    if (pat == NULL || pat[0] != '/')
        return FL_EINVAL;
    for (const char *p = pat + 1;; p++) {
        size_t n = seg_len(p);
        const char *brace = memchr(p, '{', n);
        const char *close = memchr(p, '}', n);

        if (brace != NULL || close != NULL) {
            if (!is_param(p, n) || n == 2 || memchr(p + 1, '{', n - 2) || memchr(p + 1, '}', n - 2))
                return FL_EINVAL;
            params++;
        }
        if (++segs > MAX_SEGS || params > FL_HTTP_MAX_PARAMS)
            return FL_EINVAL;
        p += n;
        if (*p == '\0')
            return 0;
    }
}

int fl_http_router_init(fl_http_router_t *r, const fl_http_route_t *routes, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const fl_http_route_t *rt = &routes[i];

        if (rt->method == NULL || rt->method[0] == '\0' || rt->handler == NULL ||
            check_pattern(rt->pattern) < 0)
            return FL_EINVAL;
        for (size_t j = 0; j < i; j++)
            if (strcmp(routes[j].method, rt->method) == 0 &&
                strcmp(routes[j].pattern, rt->pattern) == 0)
                return FL_EINVAL;
    }
    r->routes = routes;
    r->n_routes = n;
    return 0;
}

/* Splits "/a/b%2Fc" into decoded segments {"a", "b/c"}. */
static int split_path(fl_arena_t *a, const char *raw, segs_t *out)
{
    out->n = 0;
    if (raw[0] != '/')
        return 0; /* "*": no segments, so nothing matches */
    for (const char *p = raw + 1;; p++) {
        size_t n = seg_len(p);

        if (out->n == MAX_SEGS)
            return 0;
        if (fl__http_percent_decode(a, p, n, false, &out->s[out->n]) < 0)
            return FL_EINVAL;
        out->n++;
        p += n;
        if (*p == '\0')
            return 0;
    }
}

/* Whether pat matches; *score has a bit per literal segment, earlier ones higher. */
static bool match_pattern(const char *pat, const segs_t *segs, uint32_t *score)
{
    const char *p = pat + 1;
    size_t i = 0;

    *score = 0;
    for (;; i++) {
        size_t n = seg_len(p);

        if (i == segs->n)
            return false;
        if (is_param(p, n)) {
            if (segs->s[i][0] == '\0')
                return false;
        } else if (strlen(segs->s[i]) != n || memcmp(segs->s[i], p, n) != 0) {
            return false;
        } else {
            *score |= UINT32_C(1) << (MAX_SEGS - 1 - i);
        }
        p += n;
        if (*p == '\0')
            return i + 1 == segs->n;
        p++;
    }
}

static void fill_params(fl_http_match_t *m, const char *pat, const segs_t *segs, fl_arena_t *a)
{
    const char *p = pat + 1;

    m->n_params = 0;
    for (size_t i = 0; i < segs->n; i++) {
        size_t n = seg_len(p);

        if (is_param(p, n)) {
            m->params[m->n_params].name = fl_arena_strndup(a, p + 1, n - 2);
            m->params[m->n_params++].value = segs->s[i];
        }
        p += n + (p[n] == '/');
    }
}

static void allow_add(char *allow, size_t cap, const char *method)
{
    size_t len = strlen(allow), n = strlen(method);
    const char *hit = strstr(allow, method);

    /* A whole-word hit only: "PUT" must not be found inside "OUTPUT". */
    while (hit != NULL) {
        if ((hit == allow || hit[-2] == ',') && (hit[n] == '\0' || hit[n] == ','))
            return;
        hit = strstr(hit + 1, method);
    }
    snprintf(allow + len, cap - len, "%s%s", len ? ", " : "", method);
}

/* The best route for method among those whose pattern matches; NULL if none. */
static const fl_http_route_t *best(const fl_http_router_t *r, const char *method,
                                   const segs_t *segs, char *allow, size_t cap)
{
    const fl_http_route_t *win = NULL;
    uint32_t win_score = 0, score;

    for (size_t i = 0; i < r->n_routes; i++) {
        const fl_http_route_t *rt = &r->routes[i];

        if (!match_pattern(rt->pattern, segs, &score))
            continue;
        allow_add(allow, cap, rt->method);
        if (strcmp(rt->method, "GET") == 0)
            allow_add(allow, cap, "HEAD");
        if (strcmp(rt->method, method) == 0 && (win == NULL || score > win_score)) {
            win = rt;
            win_score = score;
        }
    }
    return win;
}

int fl_http_router_match(const fl_http_router_t *r, const char *method, const char *raw_path,
                         fl_arena_t *a, fl_http_match_t *m)
{
    segs_t segs;
    int rc = split_path(a, raw_path, &segs);

    memset(m, 0, sizeof(*m));
    if (rc < 0)
        return rc;
    m->route = best(r, method, &segs, m->allow, sizeof(m->allow));
    /* HEAD is GET without the body, unless the table routes HEAD itself. */
    if (m->route == NULL && strcmp(method, "HEAD") == 0)
        m->route = best(r, "GET", &segs, m->allow, sizeof(m->allow));
    if (m->route != NULL)
        fill_params(m, m->route->pattern, &segs, a);
    else
        m->status = m->allow[0] != '\0' ? 405 : 404;
    return 0;
}

void fl_http_router_each(const fl_http_router_t *r,
                         void (*fn)(const fl_http_route_t *route, void *ctx), void *ctx)
{
    for (size_t i = 0; i < r->n_routes; i++)
        fn(&r->routes[i], ctx);
}
