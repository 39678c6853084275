/*
 * fuzz_manifest.c - the manifest loader (expat walk, string tables, schema
 * build) on arbitrary bytes. A loaded manifest's schemas are walked to
 * check that every field reference stays inside its schema.
 */
#include "decode/manifest.h"
#include "util/buf.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_schema(const struct ef_schema *s)
{
    uint16_t i;

    for (i = 0; i < s->field_count; i++) {
        const struct ef_field *f = &s->fields[i];

        if (((f->flags & EF_FIELD_COUNT_REF) && f->count_ref >= i) ||
            ((f->flags & EF_FIELD_LENGTH_REF) && f->length_ref >= i) ||
            ((f->flags & EF_FIELD_STRUCT) &&
             (uint32_t)f->struct_first + f->struct_count > s->field_count) ||
            strlen(f->name) == 0)
            __builtin_trap();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ef_schema_source src;
    struct ef_buf err;
    const struct ef_provider_info *p;
    const struct ef_schema *s;
    uint32_t id;

    if (ef_manifest_source_new(&src) < 0)
        return 0;
    ef_buf_init(&err, 4096);
    if (ef_manifest_source_add_buffer(src.ctx, "fuzz.man", (const char *)data, size, &err) == 0) {
        p = ef_manifest_source_provider(src.ctx, "Test-Provider");
        for (id = 0; p && id < 64; id++) {
            if (ef_manifest_source_find(src.ctx, &p->guid, (uint16_t)id, 0, &s) == 0)
                check_schema(s);
        }
    }
    ef_buf_free(&err);
    src.ops->destroy(src.ctx);
    return 0;
}
