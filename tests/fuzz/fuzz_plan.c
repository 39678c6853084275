/*
 * fuzz_plan.c - the plan compiler, the interpreter and both renderers on
 * random schemas and payloads. The input's first byte gives the field
 * count, then 6 bytes describe each field (InType, OutType, flags, count or
 * length, a reference, struct range); the rest is the payload. Whatever the
 * schema, compilation either refuses it or the decode stays inside the
 * payload and the renderer produces a document.
 */
#include "decode/plan.h"
#include "render/render.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint16_t intypes[] = {
    EF_IN_UNICODESTRING,
    EF_IN_ANSISTRING,
    EF_IN_INT8,
    EF_IN_UINT8,
    EF_IN_INT16,
    EF_IN_UINT16,
    EF_IN_INT32,
    EF_IN_UINT32,
    EF_IN_INT64,
    EF_IN_UINT64,
    EF_IN_FLOAT,
    EF_IN_DOUBLE,
    EF_IN_BOOLEAN,
    EF_IN_BINARY,
    EF_IN_GUID,
    EF_IN_POINTER,
    EF_IN_FILETIME,
    EF_IN_SYSTEMTIME,
    EF_IN_SID,
    EF_IN_HEXINT32,
    EF_IN_HEXINT64,
    EF_IN_MANIFEST_COUNTEDSTRING,
    EF_IN_MANIFEST_COUNTEDANSISTRING,
    EF_IN_MANIFEST_COUNTEDBINARY,
    EF_IN_COUNTEDSTRING,
    EF_IN_COUNTEDANSISTRING,
    EF_IN_REVERSEDCOUNTEDSTRING,
    EF_IN_REVERSEDCOUNTEDANSISTRING,
    EF_IN_NONNULLTERMINATEDSTRING,
    EF_IN_NONNULLTERMINATEDANSISTRING,
    EF_IN_UNICODECHAR,
    EF_IN_ANSICHAR,
    EF_IN_SIZET,
    EF_IN_HEXDUMP,
    EF_IN_WBEMSID,
    999,
};
static const uint16_t outtypes[] = {
    0,           EF_OUT_STRING, EF_OUT_BOOLEAN,       EF_OUT_HEXINT32, EF_OUT_PORT,
    EF_OUT_IPV4, EF_OUT_IPV6,   EF_OUT_SOCKETADDRESS, EF_OUT_NTSTATUS, EF_OUT_HRESULT};
static const struct ef_map_entry entries[] = {{0, "Zero"}, {1, "One"}, {2, "Two"}, {3, "Both"}};
static const struct ef_map maps[2] = {{"v", EF_MAP_VALUE, 4, entries},
                                      {"b", EF_MAP_BITMAP, 4, entries}};
static const struct ef_provider_info prov = {{1, 2, 3, {4}}, "Fuzz", 0, NULL};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ef_field fields[16];
    struct ef_schema s;
    struct ef_plan *plan = NULL;
    struct ef_plan_ws ws;
    struct ef_record rec;
    struct ef_event ev;
    struct ef_renderer *ren;
    struct ef_render_opts ro = {EF_RENDER_NATIVE, 0, "h", "s"};
    struct ef_buf out, msg;
    unsigned n, i;

    if (size < 1)
        return 0;
    n = data[0] % 16 + 1;
    if (size < 1 + 6 * n)
        return 0;
    memset(fields, 0, sizeof(fields));
    for (i = 0; i < n; i++) {
        const uint8_t *d = data + 1 + 6 * i;
        struct ef_field *f = &fields[i];

        f->name = (d[0] & 1) ? "a" : "b\xff";
        f->intype = intypes[d[0] % (sizeof(intypes) / sizeof(intypes[0]))];
        f->outtype = outtypes[d[1] % (sizeof(outtypes) / sizeof(outtypes[0]))];
        f->flags = (uint16_t)(d[2] | ((d[1] & 0x80) ? EF_FIELD_COUNT_PREFIX : 0));
        f->count = f->length = d[3] % 8;
        f->count_ref = f->length_ref = d[4] % 16;
        f->struct_first = d[5] % 16;
        f->struct_count = (uint16_t)(d[5] >> 4);
        f->map = (d[1] & 0x40) ? &maps[(d[1] >> 5) & 1] : NULL;
    }
    memset(&s, 0, sizeof(s));
    s.provider = &prov;
    s.fields = fields;
    s.field_count = (uint16_t)n;
    s.top_count = (uint16_t)(data[0] / 16 % n + 1);
    s.message = "%1 %2!s! %% %n %99";
    /* MOF's early end at a field boundary and the version fallback marks. */
    s.flags = (uint8_t)((data[1] >> 6) & (EF_SCHEMA_VERSIONED | EF_SCHEMA_END_AT_FIELD));
    if (ef_plan_compile(&s, &plan) < 0)
        return 0;
    plan->fallback = (data[1] >> 5) & 1;
    memset(&rec, 0, sizeof(rec));
    rec.pointer_size = (data[0] & 0x80) ? 4 : 8;
    rec.user_data = data + 1 + 6 * n;
    rec.user_data_len = (uint32_t)(size - 1 - 6 * n);
    ef_plan_ws_init(&ws, 4096);
    ef_plan_run(plan, &rec, &ws, &ev);
    for (i = 0; i < ev.count; i++) {
        const struct ef_value *v = &ev.values[i];

        if ((v->kind == EF_V_SID || v->kind == EF_V_BINARY) && v->v.s.len &&
            ((const uint8_t *)v->v.s.p < rec.user_data ||
             (const uint8_t *)v->v.s.p + v->v.s.len > rec.user_data + rec.user_data_len))
            __builtin_trap();
        if ((uint64_t)i + v->span >= ev.count)
            __builtin_trap();
    }
    ef_buf_init(&out, 1 << 22);
    ef_buf_init(&msg, 1 << 20);
    for (i = 0; i < 2; i++) {
        ro.format = (int)i;
        if (ef_renderer_new(&ro, &ren) == 0) {
            ef_buf_reset(&out);
            ef_render_event(ren, &ev, &out);
            ef_renderer_free(ren);
        }
    }
    ef_render_message(&ev, &msg);
    ef_buf_free(&out);
    ef_buf_free(&msg);
    ef_plan_ws_free(&ws);
    ef_plan_free(plan);
    return 0;
}
