/*
 * sample_trace.c - `etwfwd-sample-trace DIR`: writes DIR/sample.etl and
 * DIR/sample.man, a small trace of a manifest provider and its manifest,
 * made with the project's own test writer. packaging/demo.sh replays it when
 * ../shared/testdata is not there, so the README's first command works on a
 * fresh clone. Not part of etwfwd itself.
 */
#include "etlwriter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROVIDER_GUID "{6D1E3AF0-5B6C-4C39-9E0A-2F2D8A3B7C11}"

static const char manifest[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<instrumentationManifest xmlns=\"http://schemas.microsoft.com/win/2004/08/events\"\n"
    "    xmlns:win=\"http://manifests.microsoft.com/win/2004/08/windows/events\">\n"
    "<instrumentation><events>\n"
    "<provider name=\"Etwfwd-Sample\" guid=\"" PROVIDER_GUID "\" symbol=\"ETWFWD_SAMPLE\"\n"
    "    resourceFileName=\"etwfwd.exe\" messageFileName=\"etwfwd.exe\">\n"
    "<tasks><task name=\"Login\" value=\"1\"/><task name=\"Request\" value=\"2\"/></tasks>\n"
    "<templates>\n"
    "<template tid=\"LoginT\">\n"
    "<data name=\"User\" inType=\"win:UnicodeString\"/>\n"
    "<data name=\"Success\" inType=\"win:Boolean\"/>\n"
    "<data name=\"Attempts\" inType=\"win:UInt32\"/>\n"
    "</template>\n"
    "<template tid=\"RequestT\">\n"
    "<data name=\"Url\" inType=\"win:UnicodeString\"/>\n"
    "<data name=\"Status\" inType=\"win:UInt16\"/>\n"
    "<data name=\"Bytes\" inType=\"win:UInt64\"/>\n"
    "</template>\n"
    "</templates>\n"
    "<events>\n"
    "<event value=\"1\" version=\"0\" level=\"win:Informational\" task=\"Login\" "
    "opcode=\"win:Info\" template=\"LoginT\" symbol=\"LoginEvent\" "
    "message=\"$(string.login)\"/>\n"
    "<event value=\"2\" version=\"0\" level=\"win:Informational\" task=\"Request\" "
    "opcode=\"win:Info\" template=\"RequestT\" symbol=\"RequestEvent\" "
    "message=\"$(string.request)\"/>\n"
    "</events>\n"
    "</provider>\n"
    "</events></instrumentation>\n"
    "<localization><resources culture=\"en-US\"><stringTable>\n"
    "<string id=\"login\" value=\"User %1 logged in: %2 after %3 attempts\"/>\n"
    "<string id=\"request\" value=\"%1 answered %2 with %3 bytes\"/>\n"
    "</stringTable></resources></localization>\n"
    "</instrumentationManifest>\n";

static const char *const users[] = {"alice", "bob", "carol", "dave"};
static const char *const urls[] = {"/index.html", "/api/v1/items", "/login", "/favicon.ico"};

/* Appends s as NUL-terminated UTF-16LE (ASCII only here). */
static size_t put_utf16(uint8_t *p, const char *s)
{
    size_t n = 0;

    for (; *s; s++) {
        p[n++] = (uint8_t)*s;
        p[n++] = 0;
    }
    p[n++] = 0;
    p[n++] = 0;
    return n;
}

static size_t put_le(uint8_t *p, uint64_t v, unsigned bytes)
{
    unsigned i;

    for (i = 0; i < bytes; i++)
        p[i] = (uint8_t)(v >> (8 * i));
    return bytes;
}

static int write_file(const char *dir, const char *name, const void *data, size_t len)
{
    char path[4096];
    FILE *f;
    int ok;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "etwfwd-sample-trace: cannot write %s\n", path);
        return -1;
    }
    ok = fwrite(data, 1, len, f) == len;
    ok &= fclose(f) == 0;
    if (!ok)
        fprintf(stderr, "etwfwd-sample-trace: cannot write %s\n", path);
    return ok ? 0 : -1;
}

int main(int argc, char **argv)
{
    struct ef_etlw_opts o = {0};
    struct ef_etlw *w = NULL;
    struct ef_guid guid;
    uint8_t rec[1024], payload[512], *file = NULL;
    size_t len, n, i;
    int rc = 1;

    if (argc != 2) {
        fprintf(stderr, "usage: etwfwd-sample-trace DIR (writes DIR/sample.etl, DIR/sample.man)\n");
        return 2;
    }
    if (ef_guid_parse(PROVIDER_GUID, strlen(PROVIDER_GUID), &guid) < 0 || ef_etlw_new(&o, &w) < 0)
        goto out;
    for (i = 0; i < 16; i++) {
        struct ef_etlw_event ev;
        size_t pl = 0;

        memset(&ev, 0, sizeof(ev));
        ev.provider = guid;
        ev.level = 4;
        ev.pid = 4242;
        ev.tid = 100 + (uint32_t)(i % 3);
        /* QPC ticks at the default 10 MHz: one event every 250 ms. */
        ev.ts = 1000 + (int64_t)i * 2500000;
        if (i % 2 == 0) {
            ev.id = 1;
            ev.task = 1;
            pl += put_utf16(payload + pl, users[(i / 2) % 4]);
            pl += put_le(payload + pl, i % 3 != 2, 4); /* win:Boolean is 4 bytes */
            pl += put_le(payload + pl, 1 + i % 5, 4);
        } else {
            ev.id = 2;
            ev.task = 2;
            pl += put_utf16(payload + pl, urls[(i / 2) % 4]);
            pl += put_le(payload + pl, i % 5 == 0 ? 404 : 200, 2);
            pl += put_le(payload + pl, 512 * (i + 1), 8);
        }
        ev.data = payload;
        ev.data_len = pl;
        n = ef_etlw_event_rec(rec, sizeof(rec), 8, &ev);
        if (n == 0 || ef_etlw_add(w, 0, rec, n) < 0)
            goto out;
    }
    if (ef_etlw_finish(w, &file, &len) < 0)
        goto out;
    if (write_file(argv[1], "sample.etl", file, len) < 0 ||
        write_file(argv[1], "sample.man", manifest, sizeof(manifest) - 1) < 0)
        goto out;
    rc = 0;
out:
    if (rc == 1 && !file)
        fprintf(stderr, "etwfwd-sample-trace: building the trace failed\n");
    free(file);
    ef_etlw_free(w);
    return rc;
}
