/*
 * validate_env.h - `validate`'s checks of what `run` needs from this
 * machine: schema files that load, folders that can be written.
 */
#ifndef EF_SERVICE_VALIDATE_ENV_H
#define EF_SERVICE_VALIDATE_ENV_H

#include <stdio.h>

#include "config/config.h"

/*
 * Prints each problem to out as "CONF:LINE: [section] key: problem" and
 * returns how many there were. Creates nothing (a probe file is created
 * and removed in each folder). Any thread.
 */
unsigned ef_validate_environment(const struct ef_config *cfg, const char *conf, FILE *out);

#endif
