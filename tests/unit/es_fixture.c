/*
 * es_fixture.c - made-up EventSource manifests and ManifestData records.
 *
 * The manifest has the shape EventSource's ManifestBuilder writes: one
 * provider, tasks with Start opcodes, the Session keywords, templates, and
 * an en-US string table for the messages. The "changed" version adds a
 * field to RequestStart and a third event, as a new build of the app would.
 */
#include "es_fixture.h"

#include "decode/eventsource.h"
#include "util/bytes.h"

#include <stdio.h>
#include <string.h>

const struct ef_guid es_prov_a = {
    0x5e5d6b7a, 0x1c2b, 0x4d3e, {0x8f, 0x90, 0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6}};
const struct ef_guid es_prov_b = {
    0x0b0b0b0b, 0x1111, 0x2222, {0x33, 0x33, 0x44, 0x44, 0x55, 0x55, 0x66, 0x66}};

size_t es_manifest(char *out, size_t cap, const struct ef_guid *guid, const char *name, int changed)
{
    char g[EF_GUID_STR_SIZE];
    int n;

    ef_guid_format(guid, g);
    n = snprintf(
        out, cap,
        "<instrumentationManifest xmlns=\"http://schemas.microsoft.com/win/2004/08/events\">\n"
        " <instrumentation xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" "
        "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
        "xmlns:win=\"http://manifests.microsoft.com/win/2004/08/windows/events\">\n"
        "  <events xmlns=\"http://schemas.microsoft.com/win/2004/08/events\">\n"
        "<provider name=\"%s\" guid=\"%s\" resourceFileName=\"%s\" messageFileName=\"%s\" "
        "symbol=\"App\">\n"
        " <tasks>\n"
        "  <task name=\"Request\" message=\"$(string.task_Request)\" value=\"1\"/>\n"
        "  <task name=\"Ping\" message=\"$(string.task_Ping)\" value=\"65533\"/>\n"
        "%s"
        " </tasks>\n"
        " <keywords>\n"
        "  <keyword name=\"Session3\" message=\"$(string.keyword_Session3)\" "
        "mask=\"0x100000000000\"/>\n"
        "  <keyword name=\"Session0\" message=\"$(string.keyword_Session0)\" "
        "mask=\"0x800000000000\"/>\n"
        " </keywords>\n"
        " <events>\n"
        "  <event value=\"1\" version=\"0\" level=\"win:Informational\" "
        "message=\"$(string.event_RequestStart)\" opcode=\"win:Start\" task=\"Request\" "
        "template=\"RequestStartArgs\"/>\n"
        "  <event value=\"2\" version=\"0\" level=\"win:Verbose\" task=\"Ping\" "
        "template=\"PingArgs\"/>\n"
        "%s"
        " </events>\n"
        " <templates>\n"
        "  <template tid=\"RequestStartArgs\">\n"
        "   <data name=\"url\" inType=\"win:UnicodeString\"/>\n"
        "   <data name=\"size\" inType=\"win:Int32\"/>\n"
        "%s"
        "  </template>\n"
        "  <template tid=\"PingArgs\">\n"
        "   <data name=\"count\" inType=\"win:UInt32\"/>\n"
        "  </template>\n"
        " </templates>\n"
        "</provider>\n"
        "</events>\n"
        "</instrumentation>\n"
        "<localization>\n"
        " <resources culture=\"en-US\">\n"
        "  <stringTable>\n"
        "   <string id=\"task_Request\" value=\"Request\"/>\n"
        "   <string id=\"task_Ping\" value=\"Ping\"/>\n"
        "   <string id=\"task_Stop\" value=\"Stop\"/>\n"
        "   <string id=\"keyword_Session3\" value=\"Session3\"/>\n"
        "   <string id=\"keyword_Session0\" value=\"Session0\"/>\n"
        "   <string id=\"event_RequestStart\" value=\"Request %%1 of %%2 bytes\"/>\n"
        "  </stringTable>\n"
        " </resources>\n"
        "</localization>\n"
        "</instrumentationManifest>\n",
        name, g, name, name,
        changed ? "  <task name=\"Stop\" message=\"$(string.task_Stop)\" value=\"65532\"/>\n" : "",
        changed ? "  <event value=\"3\" version=\"0\" level=\"win:Warning\" task=\"Stop\"/>\n" : "",
        changed ? "   <data name=\"retries\" inType=\"win:UInt16\"/>\n" : "");
    return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

size_t es_chunk(uint8_t *out, uint8_t format, uint8_t magic, uint16_t total, uint16_t number,
                const void *data, size_t len)
{
    out[0] = format;
    out[1] = 1;
    out[2] = 0;
    out[3] = magic;
    ef_put_le16(out + 4, total);
    ef_put_le16(out + 6, number);
    if (len)
        memcpy(out + EF_ES_ENVELOPE_SIZE, data, len);
    return EF_ES_ENVELOPE_SIZE + len;
}

void es_record(struct ef_record *r, const struct ef_guid *provider, const uint8_t *payload,
               size_t len)
{
    memset(r, 0, sizeof(*r));
    r->kind = EF_REC_EVENT;
    r->provider = *provider;
    r->id = EF_ES_MANIFEST_ID;
    r->version = 1;
    r->opcode = EF_ES_MANIFEST_OPCODE;
    r->task = EF_ES_MANIFEST_TASK;
    r->keywords = 0x00ffffffffffffffull;
    r->pointer_size = 8;
    r->user_data = payload;
    r->user_data_len = (uint32_t)len;
}

int es_feed_chunk(struct ef_schema_source *src, const struct ef_guid *provider, const char *xml,
                  size_t len, uint16_t total, uint16_t number)
{
    static uint8_t payload[EF_ES_ENVELOPE_SIZE + 65536];
    size_t per = (len + total - 1) / total, off = (size_t)number * per, n;
    struct ef_record r;

    n = off >= len ? 0 : (len - off < per ? len - off : per);
    if (n > 65536)
        return -1000; /* the fixture's own limit, never the source's */
    n = es_chunk(payload, EF_ES_FORMAT_XML, EF_ES_MAGIC, total, number, xml + off, n);
    es_record(&r, provider, payload, n);
    return src->ops->observe(src->ctx, &r);
}

int es_feed(struct ef_schema_source *src, const struct ef_guid *provider, const char *xml,
            size_t len, uint16_t total)
{
    uint16_t i;
    int rc = 0;

    for (i = 0; i < total; i++)
        rc = es_feed_chunk(src, provider, xml, len, total, i);
    return rc;
}
