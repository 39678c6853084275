/*
 * test_schema_bin_embedded.c - the embedded-schema source on made-up records.
 *
 * Records are built as the .etl reader delivers MetaData records: classic
 * records of the MetaData task GUID, opcode 32 (EventInfo) or 33
 * (EventMapInfo). The real-file test is in test_schema_bin_real.c.
 */
#include "runner.h"
#include "schema_bin_blob.h"

#include "decode/embedded.h"
#include "decode/tei.h"
#include "util/bytes.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

static const struct ef_guid prov = {
    0x22fb2cd6, 0x0e7b, 0x422b, {0xa0, 0xc7, 0x2f, 0xad, 0x1f, 0xd0, 0xe7, 0x16}};
static const struct ef_guid mof_class = {
    0x90cbdc39, 0x4a3e, 0x11d1, {0x84, 0xf4, 0x00, 0x00, 0xf8, 0x04, 0x64, 0xe3}};

static void metadata_record(struct ef_record *r, uint8_t opcode, const uint8_t *data, size_t len)
{
    static const struct ef_guid md = EF_EMBEDDED_METADATA_GUID;

    memset(r, 0, sizeof(*r));
    r->kind = EF_REC_CLASSIC;
    r->provider = md;
    r->opcode = opcode;
    r->version = 2;
    r->user_data = data;
    r->user_data_len = (uint32_t)len;
}

/* EventInfo for prov id 2 v1: Flags (UINT32 with map ProcessFlags), Name (string). */
static void event_info(struct tb *t, const struct ef_guid *g, uint32_t ds)
{
    tb_event(t, g, 2, 1, ds, 2, 2);
    tb_name(t, 52, "Microsoft-Windows-Kernel-Process ");
    tb_name(t, 68, "ProcessStop");
    tb_prop(t, 0, 0, "Flags", EF_IN_UINT32, EF_OUT_HEXINT32, "ProcessFlags", 1, 4);
    tb_prop(t, 1, 0, "ImageName", EF_IN_UNICODESTRING, 0, NULL, 1, 0);
}

/* EventMapInfo: the provider GUID, then the map. */
static size_t map_info(uint8_t *out, const struct ef_guid *g, const char *name)
{
    struct tb *t = malloc(sizeof(*t));
    size_t n;

    tb_map(t, name, EF_TEI_MAP_MANIFEST_BITMAP, 0, 1);
    tb_entry(t, 0, "PackagedApp ", 1);
    ef_guid_write(g, out);
    memcpy(out + 16, t->b, t->len);
    n = 16 + t->len;
    free(t);
    return n;
}

START_TEST(embedded_observe_lookup)
{
    struct ef_schema_source src;
    struct tb *t = malloc(sizeof(*t));
    uint8_t mapbuf[512];
    struct ef_record r, ev;
    const struct ef_schema *s = NULL, *s2 = NULL;
    size_t n;

    ck_assert_int_eq(ef_embedded_source_create(0, &src), 0);
    ck_assert_str_eq(src.ops->name, "embedded");
    event_info(t, &prov, EF_TEI_DS_XML);
    metadata_record(&r, EF_EMBEDDED_OP_EVENTINFO, t->b, t->len);
    ck_assert_int_eq(src.ops->observe(src.ctx, &r), 1);
    /* The blob is copied: the reader's buffer may change after observe(). */
    memset(t->b, 0xEE, t->len);
    n = map_info(mapbuf, &prov, "ProcessFlags");
    metadata_record(&r, EF_EMBEDDED_OP_EVENTMAPINFO, mapbuf, n);
    ck_assert_int_eq(src.ops->observe(src.ctx, &r), 1);
    /* The same map from another provider must not be attached. */
    n = map_info(mapbuf, &mof_class, "ProcessFlags");
    metadata_record(&r, EF_EMBEDDED_OP_EVENTMAPINFO, mapbuf, n);
    ck_assert_int_eq(src.ops->observe(src.ctx, &r), 1);

    memset(&ev, 0, sizeof(ev));
    ev.kind = EF_REC_EVENT;
    ev.provider = prov;
    ev.id = 2;
    ev.version = 1;
    ck_assert_int_eq(src.ops->lookup(src.ctx, &ev, &s), 0);
    ck_assert_str_eq(s->provider->name, "Microsoft-Windows-Kernel-Process");
    ck_assert_str_eq(s->task_name, "ProcessStop");
    ck_assert_uint_eq(s->field_count, 2);
    ck_assert_str_eq(s->fields[0].name, "Flags");
    ck_assert_ptr_nonnull(s->fields[0].map);
    ck_assert_str_eq(s->fields[0].map->name, "ProcessFlags");
    ck_assert_uint_eq(s->fields[0].map->kind, EF_MAP_BITMAP);
    ck_assert_str_eq(s->fields[0].map->entries[0].name, "PackagedApp");
    ck_assert_int_eq(src.ops->lookup(src.ctx, &ev, &s2), 0);
    ck_assert_ptr_eq(s, s2);

    /* Other versions, ids, providers and kinds: not known. */
    ev.version = 0;
    ck_assert_int_eq(src.ops->lookup(src.ctx, &ev, &s2), EF_ENOENT);
    ev.version = 1;
    ev.kind = EF_REC_CLASSIC;
    ck_assert_int_eq(src.ops->lookup(src.ctx, &ev, &s2), EF_ENOENT);
    ev.kind = EF_REC_WPP;
    ck_assert_int_eq(src.ops->lookup(src.ctx, &ev, &s2), EF_ENOENT);

    /* Records that are not MetaData pass untouched. */
    ev.kind = EF_REC_EVENT;
    ck_assert_int_eq(src.ops->observe(src.ctx, &ev), 0);
    metadata_record(&r, 36, mapbuf, n);
    ck_assert_int_eq(src.ops->observe(src.ctx, &r), 0);
    src.ops->destroy(src.ctx);
    free(t);
}
END_TEST

START_TEST(embedded_mof_and_errors)
{
    struct ef_schema_source src;
    struct tb *t = malloc(sizeof(*t));
    uint8_t mapbuf[512];
    struct ef_record r, ev;
    const struct ef_schema *s = NULL;
    size_t n;

    ck_assert_int_eq(ef_embedded_source_create(0, &src), 0);
    /* A MOF schema is keyed on its event class GUID and opcode. */
    event_info(t, &prov, EF_TEI_DS_WBEM);
    ef_guid_write(&mof_class, t->b + 16);
    t->b[37] = 64;
    metadata_record(&r, EF_EMBEDDED_OP_EVENTINFO, t->b, t->len);
    ck_assert_int_eq(src.ops->observe(src.ctx, &r), 1);
    memset(&ev, 0, sizeof(ev));
    ev.kind = EF_REC_CLASSIC;
    ev.provider = mof_class;
    ev.opcode = 64;
    ev.version = 1;
    ck_assert_int_eq(src.ops->lookup(src.ctx, &ev, &s), 0);
    ck_assert_str_eq(s->event_name, "ProcessStop");
    ck_assert_ptr_null(s->fields[0].map); /* its map never came */

    /* Short records are errors; so is a broken blob, at lookup, every time. */
    metadata_record(&r, EF_EMBEDDED_OP_EVENTINFO, t->b, 50);
    ck_assert_int_eq(src.ops->observe(src.ctx, &r), EF_ETRUNC);
    metadata_record(&r, EF_EMBEDDED_OP_EVENTMAPINFO, t->b, 10);
    ck_assert_int_eq(src.ops->observe(src.ctx, &r), EF_ETRUNC);
    n = map_info(mapbuf, &prov, "M");
    ef_put_le32(mapbuf + 16, 0); /* a map without a name */
    metadata_record(&r, EF_EMBEDDED_OP_EVENTMAPINFO, mapbuf, n);
    ck_assert_int_eq(src.ops->observe(src.ctx, &r), EF_EFORMAT);

    event_info(t, &prov, EF_TEI_DS_XML);
    ef_put_le32(t->b + 104, 9); /* more top-level properties than properties */
    metadata_record(&r, EF_EMBEDDED_OP_EVENTINFO, t->b, t->len);
    ck_assert_int_eq(src.ops->observe(src.ctx, &r), 1);
    ev.kind = EF_REC_EVENT;
    ev.provider = prov;
    ev.id = 2;
    ck_assert_int_eq(src.ops->lookup(src.ctx, &ev, &s), EF_EFORMAT);
    ck_assert_int_eq(src.ops->lookup(src.ctx, &ev, &s), EF_EFORMAT);
    /* A later good copy does not replace the first: merged traces repeat them. */
    event_info(t, &prov, EF_TEI_DS_XML);
    metadata_record(&r, EF_EMBEDDED_OP_EVENTINFO, t->b, t->len);
    ck_assert_int_eq(src.ops->observe(src.ctx, &r), 1);
    ck_assert_int_eq(src.ops->lookup(src.ctx, &ev, &s), EF_EFORMAT);
    src.ops->destroy(src.ctx);
    free(t);
}
END_TEST

START_TEST(embedded_cap)
{
    struct ef_schema_source src;
    struct tb *t = malloc(sizeof(*t));
    struct ef_record r;
    int i, rc = 1;

    ck_assert_int_eq(ef_embedded_source_create(64 * 1024, &src), 0);
    for (i = 0; i < 10000 && rc == 1; i++) {
        event_info(t, &prov, EF_TEI_DS_XML);
        ef_put_le16(t->b + 32, (uint16_t)i);
        metadata_record(&r, EF_EMBEDDED_OP_EVENTINFO, t->b, t->len);
        rc = src.ops->observe(src.ctx, &r);
    }
    ck_assert_int_eq(rc, EF_ELIMIT);
    src.ops->destroy(src.ctx);
    free(t);
}
END_TEST

TCase *ef_schema_bin_embedded_case(void);
TCase *ef_schema_bin_embedded_case(void)
{
    TCase *tc = tcase_create("embedded");

    tcase_add_test(tc, embedded_observe_lookup);
    tcase_add_test(tc, embedded_mof_and_errors);
    tcase_add_test(tc, embedded_cap);
    return tc;
}
