/*
 * A private PostgreSQL cluster for one test executable: started by main()
 * before the suite runs and stopped after it (and on SIGTERM/SIGINT), so the
 * forked tests share it. Each test that needs a clean slate takes a fresh
 * database with pgfix_newdb().
 */
#ifndef FL_TEST_PGFIX_H
#define FL_TEST_PGFIX_H

#include <check.h>
#include <stdbool.h>
#include <uv.h>

#include "firelater/store.h"

/* Starts the cluster in a temporary directory on a free port; exits on failure. */
void pgfix_setup(void);
/* Stops it and removes the directory. */
void pgfix_teardown(void);
/* Runs s forked per test between the two above; the process's exit status. */
int pgfix_main(Suite *s);

/* Stop and start the same cluster (a test of PostgreSQL going away). */
void pgfix_stop(void);
void pgfix_start(void);

/* Drops and creates database name; its conninfo, malloc'd. */
char *pgfix_newdb(const char *name);

/* A blocking connection to conninfo that must succeed. */
fl_store_conn_t *pgfix_sync(const char *conninfo);
/* Runs sql on c and asserts success; the first row's first value (malloc'd) or NULL. */
char *pgfix_exec1(fl_store_conn_t *c, const char *schema, const char *sql);

/* Runs loop until *count reaches target; fails the test after timeout_ms. */
void pgfix_run_until(uv_loop_t *loop, const int *count, int target, int timeout_ms);

#endif
