/*
 * fuzz_tei.c - the TRACE_EVENT_INFO / EVENT_MAP_INFO reader and the
 * embedded source.
 *
 * The input is read as a TRACE_EVENT_INFO, as an EVENT_MAP_INFO (bare and
 * after a provider GUID, as MetaData/EventMapInfo records hold it), and fed
 * to the embedded source as both kinds of MetaData record before an event
 * that the EventInfo would describe is looked up.
 */
#include "decode/embedded.h"
#include "decode/tei.h"
#include "fuzz_schema_check.h"
#include "util/error.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void metadata(struct ef_record *r, uint8_t opcode, const uint8_t *data, size_t size)
{
    static const struct ef_guid md = EF_EMBEDDED_METADATA_GUID;

    memset(r, 0, sizeof(*r));
    r->kind = EF_REC_CLASSIC;
    r->provider = md;
    r->opcode = opcode;
    r->user_data = data;
    r->user_data_len = (uint32_t)size;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ef_arena a;
    const struct ef_schema *s = NULL;
    const struct ef_map *m = NULL;
    struct ef_schema_source src;
    struct ef_tei_header h;
    struct ef_record r;
    uint32_t i;

    ef_arena_init(&a, 1 << 24);
    if (ef_tei_parse(data, size, &a, NULL, &s) == 0)
        ef_fuzz_check_schema(s);
    if (ef_tei_parse_map(data, size, &a, &m) == 0) {
        for (i = 0; i < m->count; i++)
            (void)strlen(m->entries[i].name);
    }
    if (size > 16)
        (void)ef_tei_parse_map(data + 16, size - 16, &a, &m);
    ef_arena_free(&a);

    if (ef_embedded_source_create(0, &src) < 0)
        return 0;
    metadata(&r, EF_EMBEDDED_OP_EVENTMAPINFO, data, size);
    (void)src.ops->observe(src.ctx, &r);
    metadata(&r, EF_EMBEDDED_OP_EVENTINFO, data, size);
    if (src.ops->observe(src.ctx, &r) == 1 && ef_tei_header(data, size, &h) == 0) {
        memset(&r, 0, sizeof(r));
        r.kind = h.decoding_source == EF_TEI_DS_WBEM ? EF_REC_CLASSIC : EF_REC_EVENT;
        r.provider = h.decoding_source == EF_TEI_DS_WBEM ? h.event_guid : h.provider;
        r.id = h.id;
        r.opcode = h.opcode;
        r.version = h.version;
        if (src.ops->lookup(src.ctx, &r, &s) == 0)
            ef_fuzz_check_schema(s);
    }
    src.ops->destroy(src.ctx);
    return 0;
}
