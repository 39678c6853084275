/*
 * schema_bin_blob.c - the test blob builder (see schema_bin_blob.h).
 */
#include "schema_bin_blob.h"

#include "decode/tei.h"
#include "util/bytes.h"

#include <string.h>

void tb_event(struct tb *t, const struct ef_guid *provider, uint16_t id, uint8_t version,
              uint32_t decoding_source, uint32_t n, uint32_t top)
{
    memset(t, 0, sizeof(*t));
    ef_guid_write(provider, t->b);
    ef_put_le16(t->b + 32, id);
    t->b[34] = version;
    t->b[35] = 16;
    t->b[36] = 4;
    t->b[37] = 1;
    ef_put_le16(t->b + 38, 7);
    ef_put_le64(t->b + 40, 0x8000000000000010ull);
    ef_put_le32(t->b + 48, decoding_source);
    ef_put_le32(t->b + 100, n);
    ef_put_le32(t->b + 104, top);
    t->props = EF_TEI_HEADER_SIZE;
    t->len = EF_TEI_HEADER_SIZE + (size_t)n * EF_TEI_PROPERTY_SIZE;
}

uint32_t tb_str(struct tb *t, const char *s)
{
    uint32_t off = (uint32_t)t->len;

    if (!s)
        return 0;
    for (; *s; s++) {
        t->b[t->len] = (uint8_t)*s;
        t->len += 2;
    }
    t->len += 2;
    return off;
}

void tb_name(struct tb *t, size_t at, const char *s)
{
    ef_put_le32(t->b + at, tb_str(t, s));
}

void tb_prop(struct tb *t, uint32_t i, uint32_t flags, const char *name, uint16_t in, uint16_t out,
             const char *map, uint16_t count, uint16_t length)
{
    uint8_t *p = t->b + t->props + (size_t)i * EF_TEI_PROPERTY_SIZE;

    ef_put_le32(p, flags);
    ef_put_le32(p + 4, tb_str(t, name));
    ef_put_le16(p + 8, in);
    ef_put_le16(p + 10, out);
    ef_put_le32(p + 12, tb_str(t, map));
    ef_put_le16(p + 16, count);
    ef_put_le16(p + 18, length);
}

void tb_struct(struct tb *t, uint32_t i, const char *name, uint16_t first, uint16_t n)
{
    uint8_t *p = t->b + t->props + (size_t)i * EF_TEI_PROPERTY_SIZE;

    ef_put_le32(p, EF_TEI_PROP_STRUCT);
    ef_put_le32(p + 4, tb_str(t, name));
    ef_put_le16(p + 8, first);
    ef_put_le16(p + 10, n);
    ef_put_le16(p + 16, 1);
}

void tb_map(struct tb *t, const char *name, uint32_t flag, uint32_t type, uint32_t n)
{
    memset(t, 0, sizeof(*t));
    t->props = EF_TEI_MAP_HEADER_SIZE;
    t->len = EF_TEI_MAP_HEADER_SIZE + (size_t)n * EF_TEI_MAP_ENTRY_SIZE;
    ef_put_le32(t->b, tb_str(t, name));
    ef_put_le32(t->b + 4, flag);
    ef_put_le32(t->b + 8, n);
    ef_put_le32(t->b + 12, type);
}

void tb_entry(struct tb *t, uint32_t i, const char *out, uint32_t value)
{
    uint8_t *e = t->b + t->props + (size_t)i * EF_TEI_MAP_ENTRY_SIZE;

    ef_put_le32(e, tb_str(t, out));
    ef_put_le32(e + 4, value);
}
