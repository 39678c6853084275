/*
 * suite_render.c - the core/render suite: native and ECS JSON, messages.
 */
#include "runner.h"

TCase *ef_render_json_case(void);
TCase *ef_render_fast_case(void);

const char *const ef_suite_name = "render";
TCase *(*const ef_suite_cases[])(void) = {
    ef_render_json_case,
    ef_render_fast_case,
    NULL,
};
