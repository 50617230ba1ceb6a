/* The SLA configuration suite: decoding policy and business-hours bodies, the selector. */
#ifndef SLACFG_TEST_H
#define SLACFG_TEST_H

#include <check.h>

#include "firelater/sla.h"

TCase *slacfg_decode_tcase(void);
TCase *slacfg_select_tcase(void);
TCase *slacfg_config_tcase(void);
TCase *slacfg_log_tcase(void);

#endif
