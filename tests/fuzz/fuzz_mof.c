/*
 * fuzz_mof.c - the kernel MOF lexer, parser and schema build on arbitrary
 * bytes, then lookups of every event type of one group GUID.
 */
#include "decode/mof.h"
#include "util/buf.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char g1[] = "{aaaaaaaa-0000-0000-0000-000000000001}";
    struct ef_schema_source src;
    struct ef_buf err;
    struct ef_guid g;
    const struct ef_schema *s;
    uint32_t t, i;

    if (ef_mof_source_new(&src) < 0)
        return 0;
    ef_buf_init(&err, 4096);
    ef_guid_parse(g1, strlen(g1), &g);
    if (ef_mof_source_add_buffer(src.ctx, "fuzz.mof", (const char *)data, size, &err) == 0) {
        for (t = 0; t < 256; t++) {
            if (ef_mof_source_find(src.ctx, &g, (uint8_t)t, 255, &s) != 0)
                continue;
            for (i = 0; i < s->field_count; i++) {
                if ((s->fields[i].flags & EF_FIELD_COUNT_REF) && s->fields[i].count_ref >= i)
                    __builtin_trap();
            }
        }
    }
    ef_buf_free(&err);
    src.ops->destroy(src.ctx);
    return 0;
}
