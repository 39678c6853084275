/*
 * decode_fixture.c - helpers for hand-built decode and render tests.
 */
#include "decode_fixture.h"

#include "util/bytes.h"
#include "util/error.h"

#include <string.h>

static const struct ef_keyword_name fx_keywords[] = {
    {0x10, "KW_PROCESS"},
    {0x20, "KW_THREAD"},
};

const struct ef_provider_info fx_provider = {
    {0x11111111, 0x2222, 0x3333, {0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB}},
    "Test-Provider",
    2,
    fx_keywords,
};

void fx_bytes(struct fx_payload *p, const void *s, size_t n)
{
    if (p->len + n > sizeof(p->b))
        return;
    memcpy(p->b + p->len, s, n);
    p->len += (uint32_t)n;
}

void fx_u8(struct fx_payload *p, uint8_t v)
{
    fx_bytes(p, &v, 1);
}

void fx_u16(struct fx_payload *p, uint16_t v)
{
    uint8_t b[2];

    ef_put_le16(b, v);
    fx_bytes(p, b, 2);
}

void fx_u32(struct fx_payload *p, uint32_t v)
{
    uint8_t b[4];

    ef_put_le32(b, v);
    fx_bytes(p, b, 4);
}

void fx_u64(struct fx_payload *p, uint64_t v)
{
    uint8_t b[8];

    ef_put_le64(b, v);
    fx_bytes(p, b, 8);
}

void fx_wstr(struct fx_payload *p, const char *s, int nul)
{
    for (; *s; s++)
        fx_u16(p, (uint8_t)*s);
    if (nul)
        fx_u16(p, 0);
}

void fx_record(struct ef_record *r, uint16_t id, const struct fx_payload *p)
{
    memset(r, 0, sizeof(*r));
    r->provider = fx_provider.guid;
    r->id = id;
    r->level = 4;
    r->keywords = 0x8000000000000010ULL;
    r->pid = 1234;
    r->tid = 5678;
    r->processor = 2;
    r->timestamp = 134086107381234567ULL; /* 2025-11-26T06:05:38.1234567Z */
    r->pointer_size = 8;
    r->kind = EF_REC_EVENT;
    r->user_data = p ? p->b : NULL;
    r->user_data_len = p ? p->len : 0;
}

static int fx_lookup(void *ctx, const struct ef_record *r, const struct ef_schema **out)
{
    struct fx_source *s = ctx;
    unsigned i;

    s->lookups++;
    if (s->fail_with)
        return s->fail_with;
    for (i = 0; i < s->count; i++) {
        if (s->schemas[i]->id == r->id &&
            ef_guid_equal(&r->provider, &s->schemas[i]->provider->guid)) {
            *out = s->schemas[i];
            return 0;
        }
    }
    return EF_ENOENT;
}

static void fx_destroy(void *ctx)
{
    (void)ctx;
}

static const struct ef_schema_source_ops fx_ops = {
    .name = "fixture",
    .lookup = fx_lookup,
    .destroy = fx_destroy,
};

struct ef_schema_source fx_source_make(struct fx_source *s)
{
    struct ef_schema_source src = {&fx_ops, s};

    return src;
}
