/*
 * fuzz_tlg.c - TraceLogging metadata: the parser and the source's cache.
 *
 * The input is an EVENT_SCHEMA_TL item; it is parsed directly, then looked
 * up through the source twice (as metadata and as PROV_TRAITS), which must
 * give the same answer from the cache.
 */
#include "decode/tlg.h"
#include "decode/tlg_source.h"
#include "fuzz_schema_check.h"
#include "util/error.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ef_schema s;
    struct ef_arena a;
    struct ef_schema_source src;
    struct ef_ext_item ext[2];
    struct ef_record r;
    const struct ef_schema *s1 = NULL, *s2 = NULL;
    const char *name;
    size_t len;
    int rc1, rc2;

    if (size > 65535)
        return 0;
    memset(&s, 0, sizeof(s));
    ef_arena_init(&a, 1 << 24);
    if (ef_tlg_parse(data, size, &a, &s) == 0)
        ef_fuzz_check_schema(&s);
    ef_arena_free(&a);
    if (ef_tlg_event_name(data, size, &name, &len) == 0 && name + len >= (const char *)data + size)
        __builtin_trap();
    (void)ef_tlg_hash(data, size);

    if (ef_tlg_source_create(0, &src) < 0)
        return 0;
    memset(&r, 0, sizeof(r));
    r.kind = EF_REC_EVENT;
    ext[0].type = EF_EXT_PROV_TRAITS;
    ext[0].size = (uint16_t)size;
    ext[0].data = data;
    ext[1].type = EF_EXT_EVENT_SCHEMA_TL;
    ext[1].size = (uint16_t)size;
    ext[1].data = data;
    r.ext = ext;
    r.ext_count = 2;
    rc1 = src.ops->lookup(src.ctx, &r, &s1);
    rc2 = src.ops->lookup(src.ctx, &r, &s2);
    if (rc1 != rc2 || (rc1 == 0 && s1 != s2))
        __builtin_trap();
    if (rc1 == 0)
        ef_fuzz_check_schema(s1);
    src.ops->destroy(src.ctx);
    return 0;
}
