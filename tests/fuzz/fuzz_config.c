/*
 * fuzz_config.c - the configuration loader on arbitrary bytes: reading,
 * validation, the summary and freeing.
 */
#include "config/config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ef_config_errors errs = {0};
    struct ef_provider_cfg p;
    struct ef_config *cfg = NULL;
    char err[256], spec[512];
    size_t i;
    FILE *f;

    if (ef_config_load_string((const char *)data, size, "fuzz.ini", &cfg, &errs) == 0) {
        f = fopen("/dev/null", "w");
        if (f) {
            ef_config_print_summary(cfg, NULL, f);
            fclose(f);
        }
        if (errs.n)
            __builtin_trap();
    }
    for (i = 0; i < errs.n; i++) {
        if (strncmp(errs.msgs[i], "fuzz.ini", 8) != 0)
            __builtin_trap();
    }
    ef_config_errors_free(&errs);
    ef_config_free(cfg);
    /* The provider string parser alone, on the first line. */
    for (i = 0; i < size && i + 1 < sizeof(spec) && data[i] && data[i] != '\n'; i++)
        spec[i] = (char)data[i];
    spec[i] = '\0';
    if (ef_provider_spec_parse(spec, &p, err, sizeof(err)) == 0)
        ef_provider_cfg_free(&p);
    return 0;
}
