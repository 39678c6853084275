/*
 * fuzz_eventsource.c - EventSource manifest chunk assembly and the schemas
 * it loads.
 *
 * The input is a sequence of records, each [selector u8][length u16 LE]
 * [payload]: the selector's low two bits pick one of four providers (the
 * first is the GUID of tests/fuzz/seeds/manifest-small.xml), bit 2 makes it
 * an ordinary event whose id is selector >> 3 instead of a ManifestData
 * chunk. Every record goes through a decoder that holds only the
 * EventSource source, with small bounds so the limits are reached; every
 * schema the source hands out is checked.
 */
#include "decode/decoder.h"
#include "decode/eventsource.h"
#include "fuzz_schema_check.h"
#include "util/bytes.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct ef_guid providers[4] = {
    {0x11111111, 0x2222, 0x3333, {0x44, 0x44, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55}},
    {0x2e5dba47, 0xa3d2, 0x4d16, {0x8e, 0xe0, 0x66, 0x71, 0xff, 0xdc, 0xd7, 0xb5}},
    {0x8e9f5090, 0x2d75, 0x4d03, {0x8a, 0x81, 0xe5, 0xaf, 0xbf, 0x85, 0xda, 0xf1}},
    {0xa8a71ac1, 0x040f, 0x54a2, {0x07, 0xca, 0x00, 0xa8, 0x9b, 0x5a, 0xb7, 0x61}},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ef_es_opts o = {64 * 1024, 256 * 1024, 3};
    struct ef_decoder_opts dopts = {16, 1024};
    struct ef_decoder *d = NULL;
    struct ef_schema_source src;
    const struct ef_schema *s;
    struct ef_record r;
    struct ef_event ev;
    size_t off = 0, len;
    uint8_t sel;

    if (ef_decoder_new(&dopts, &d) < 0)
        return 0;
    if (ef_es_source_create(&o, &src) < 0 || ef_decoder_add_source(d, src) < 0) {
        ef_decoder_free(d);
        return 0;
    }
    while (size - off >= 3) {
        sel = data[off];
        len = ef_le16(data + off + 1);
        off += 3;
        if (len > size - off)
            len = size - off;
        memset(&r, 0, sizeof(r));
        r.kind = EF_REC_EVENT;
        r.provider = providers[sel & 3];
        r.pointer_size = 8;
        r.user_data = data + off;
        r.user_data_len = (uint32_t)len;
        if (sel & 4) {
            r.id = sel >> 3;
        } else {
            r.id = EF_ES_MANIFEST_ID;
            r.version = 1;
            r.opcode = EF_ES_MANIFEST_OPCODE;
            r.task = EF_ES_MANIFEST_TASK;
        }
        (void)ef_decoder_decode(d, &r, &ev);
        s = NULL;
        if (src.ops->lookup(src.ctx, &r, &s) == 0)
            ef_fuzz_check_schema(s);
        off += len;
    }
    ef_decoder_free(d);
    return 0;
}
