/*
 * The result view both faces hand out, and the translation of PostgreSQL's
 * errors into FireLater codes. A result owns at most one PGresult: the last
 * statement's rows on success, the failing statement's on error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

void fl__store_res_init(fl_store_res_t *r)
{
    r->pg = NULL;
    r->err = 0;
    r->failed_stmt = -1;
    r->sqlstate[0] = '\0';
    r->msg[0] = '\0';
}

void fl__store_res_clear(fl_store_res_t *r)
{
    PQclear(r->pg);
    fl__store_res_init(r);
}

fl_store_res_t *fl__store_res_new(void)
{
    fl_store_res_t *r = malloc(sizeof(*r));

    if (r == NULL)
        fl_oom();
    fl__store_res_init(r);
    return r;
}

/*
 * Class 23 is integrity, 40 transaction rollback, 22 data, 08 connection,
 * 57P0x the server shutting down, 53 resources (PostgreSQL's errcodes.txt).
 */
int fl__store_sqlstate_err(const char *s)
{
    if (s == NULL || strlen(s) != 5)
        return FL_EUNAVAIL; /* no SQLSTATE: libpq's own error, the connection */
    if (strcmp(s, "23505") == 0)
        return FL_EEXIST;
    if (strcmp(s, "53100") == 0)
        return FL_ENOSPACE;
    if (strcmp(s, "3F000") == 0)
        return FL_ENOTFOUND;
    if (strncmp(s, "23", 2) == 0 || strncmp(s, "40", 2) == 0)
        return FL_ECONFLICT;
    if (strncmp(s, "22", 2) == 0)
        return FL_EINVAL;
    if (strncmp(s, "08", 2) == 0 || strncmp(s, "57P0", 4) == 0 || strncmp(s, "53", 2) == 0)
        return FL_EUNAVAIL;
    return FL_EIO;
}

void fl__store_res_fail(fl_store_res_t *r, int err, const char *msg)
{
    size_t n;

    if (r->err != 0)
        return;
    r->err = err;
    snprintf(r->msg, sizeof(r->msg), "%s", msg != NULL ? msg : fl_strerror(err));
    /* libpq's messages end in a newline; a result's message should not. */
    n = strlen(r->msg);
    while (n > 0 && r->msg[n - 1] == '\n')
        r->msg[--n] = '\0';
}

void fl__store_res_fail_pg(fl_store_res_t *r, PGresult *pg, int stmt)
{
    const char *state = PQresultErrorField(pg, PG_DIAG_SQLSTATE);
    const char *msg = PQresultErrorField(pg, PG_DIAG_MESSAGE_PRIMARY);

    if (r->err != 0) {
        PQclear(pg);
        return;
    }
    fl__store_res_fail(r, fl__store_sqlstate_err(state),
                       msg != NULL ? msg : PQresultErrorMessage(pg));
    snprintf(r->sqlstate, sizeof(r->sqlstate), "%s", state != NULL ? state : "");
    r->failed_stmt = stmt;
    PQclear(r->pg);
    r->pg = pg;
}

int fl__store_res_take(fl_store_res_t *r, PGresult *pg, int stmt, bool keep)
{
    switch (PQresultStatus(pg)) {
    case PGRES_COMMAND_OK:
    case PGRES_TUPLES_OK:
    case PGRES_EMPTY_QUERY:
        if (keep && r->err == 0) {
            PQclear(r->pg);
            r->pg = pg;
        } else {
            PQclear(pg);
        }
        return 0;
    case PGRES_PIPELINE_ABORTED:
        PQclear(pg);
        return r->err != 0 ? r->err : FL_EIO;
    default:
        fl__store_res_fail_pg(r, pg, stmt);
        return r->err;
    }
}

int fl_store_res_err(const fl_store_res_t *r)
{
    return r->err;
}

const char *fl_store_res_sqlstate(const fl_store_res_t *r)
{
    return r->sqlstate;
}

const char *fl_store_res_message(const fl_store_res_t *r)
{
    return r->msg;
}

int fl_store_res_failed_stmt(const fl_store_res_t *r)
{
    return r->failed_stmt;
}

int fl_store_res_rows(const fl_store_res_t *r)
{
    return r->err == 0 && r->pg != NULL ? PQntuples(r->pg) : 0;
}

int fl_store_res_cols(const fl_store_res_t *r)
{
    return r->err == 0 && r->pg != NULL ? PQnfields(r->pg) : 0;
}

long long fl_store_res_affected(const fl_store_res_t *r)
{
    const char *s = r->err == 0 && r->pg != NULL ? PQcmdTuples(r->pg) : "";

    return s[0] != '\0' ? strtoll(s, NULL, 10) : 0;
}

static bool in_range(const fl_store_res_t *r, int row, int col)
{
    return row >= 0 && col >= 0 && row < fl_store_res_rows(r) && col < fl_store_res_cols(r);
}

const char *fl_store_res_value(const fl_store_res_t *r, int row, int col)
{
    return in_range(r, row, col) ? PQgetvalue(r->pg, row, col) : NULL;
}

bool fl_store_res_isnull(const fl_store_res_t *r, int row, int col)
{
    return !in_range(r, row, col) || PQgetisnull(r->pg, row, col);
}

int fl_store_res_col(const fl_store_res_t *r, const char *name)
{
    int n = fl_store_res_cols(r);

    for (int i = 0; i < n; i++) {
        if (strcmp(PQfname(r->pg, i), name) == 0)
            return i;
    }
    return -1;
}

void fl_store_res_free(fl_store_res_t *r)
{
    if (r == NULL)
        return;
    PQclear(r->pg);
    free(r);
}
