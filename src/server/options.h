/* The server's command line and environment. Private to src/server/. */
#ifndef FIRELATER_SERVER_OPTIONS_H
#define FIRELATER_SERVER_OPTIONS_H

#include <stdio.h>

#include "app.h"

/* Fills cfg from FIRELATER_* variables and argv. Returns -1 to go on, else the exit status. */
int fl_srv_options(fl_server_config_t *cfg, int argc, char **argv);

/* Opens cfg->access_log ("-": stdout, "off": none, else a file appended to). */
int fl_srv_open_access_log(const fl_server_config_t *cfg, FILE **out);

#endif
