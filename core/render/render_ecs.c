/*
 * render_ecs.c - the ECS event JSON, winlog.* as Winlogbeat and Filebeat's
 * ETW input map events (docs/event-json.md).
 *
 * event_data holds strings by default, as Winlogbeat's do (event_data_strings;
 * typed values on request). Every field has one JSON type whatever the
 * event: names that may be missing (task, opcode) are written as their
 * number in a string then, with the numbers beside them (*_value), so
 * Elasticsearch's dynamic mapping takes every event. Flags of the native
 * format become ECS tags ("etw_no_schema", ...), and a payload with no
 * schema goes to winlog.payload as hex.
 */
#include "render/render_int.h"

#include "util/error.h"
#include "util/timefmt.h"

#include <stdio.h>
#include <string.h>
#include <uv.h>

static void log_level(struct ef_renderer *r, uint8_t level)
{
    static const char *const names[] = {"information", "critical",    "error",
                                        "warning",     "information", "verbose"};

    ef_render_str(r, level < 6 ? names[level] : "verbose");
}

static void tags(struct ef_renderer *r, uint32_t flags)
{
    if (!flags)
        return;
    EF_JW_KEY(&r->jw, "tags");
    ef_jw_array_open(&r->jw);
    if (flags & EF_EVT_NO_SCHEMA)
        ef_render_str(r, "etw_no_schema");
    if (flags & EF_EVT_BAD_SCHEMA)
        ef_render_str(r, "etw_bad_schema");
    if (flags & EF_EVT_DECODE_ERROR)
        ef_render_str(r, "etw_decode_error");
    if (flags & EF_EVT_TRUNCATED)
        ef_render_str(r, "etw_truncated");
    if (flags & EF_EVT_SCHEMA_FALLBACK)
        ef_render_str(r, "etw_schema_version_fallback");
    if (flags & EF_EVT_LAYOUT_MISMATCH)
        ef_render_str(r, "etw_layout_mismatch");
    ef_jw_array_close(&r->jw);
}

static void keyword_names(struct ef_renderer *r, const struct ef_event *ev)
{
    const struct ef_provider_info *p = ev->schema ? ev->schema->provider : NULL;
    uint32_t i;

    if (!p || !p->keyword_count)
        return;
    EF_JW_KEY(&r->jw, "keywords");
    ef_jw_array_open(&r->jw);
    for (i = 0; i < p->keyword_count; i++) {
        uint64_t m = p->keywords[i].mask;

        if (m && (ev->rec->keywords & m) == m)
            ef_render_str(r, p->keywords[i].name);
    }
    ef_jw_array_close(&r->jw);
}

/* The ECS version whose fields this renderer writes. */
#define ECS_VERSION "8.11.0"

/*
 * event.created: when etwfwd rendered the event, to the millisecond. The
 * date and time of day are formatted once per second of wall clock.
 */
static void created(struct ef_renderer *r)
{
    uv_timeval64_t tv;
    char t[EF_TIME_STR_SIZE], out[48];
    size_t n;

    if (uv_gettimeofday(&tv) != 0)
        return;
    if (tv.tv_sec != r->created_second || !r->created[0]) {
        uint64_t ft = ((uint64_t)tv.tv_sec + 11644473600ull) * 10000000ull;

        if (ef_filetime_format(ft, t) < 0)
            return;
        /* "YYYY-MM-DDTHH:MM:SS." from "YYYY-MM-DDTHH:MM:SS.0000000Z". */
        memcpy(r->created, t, 20);
        r->created[20] = '\0';
        r->created_second = tv.tv_sec;
    }
    memcpy(out, r->created, 20);
    n = 20;
    out[n++] = (char)('0' + tv.tv_usec / 100000 % 10);
    out[n++] = (char)('0' + tv.tv_usec / 10000 % 10);
    out[n++] = (char)('0' + tv.tv_usec / 1000 % 10);
    out[n++] = 'Z';
    EF_JW_KEY(&r->jw, "created");
    ef_jw_plain(&r->jw, out, n);
}

/* event: written for every event (created changes). */
static void event_part(struct ef_renderer *r, const struct ef_event *ev)
{
    const struct ef_schema *s = ev->schema;
    char code[8];

    ef_render_fmt_u32(code, ev->rec->id);
    EF_JW_KEY(&r->jw, "event");
    ef_jw_map_open(&r->jw);
    EF_JW_KEY(&r->jw, "kind");
    ef_render_str(r, "event");
    EF_JW_KEY(&r->jw, "code");
    ef_render_str(r, code);
    if (s && s->provider && s->provider->name) {
        EF_JW_KEY(&r->jw, "provider");
        ef_render_str(r, s->provider->name);
    }
    if (s && (s->task_name || s->event_name)) {
        EF_JW_KEY(&r->jw, "action");
        ef_render_str(r, s->task_name ? s->task_name : s->event_name);
    }
    EF_JW_KEY(&r->jw, "severity");
    ef_render_u64(r, ev->rec->level, 0);
    EF_JW_KEY(&r->jw, "module");
    ef_render_str(r, "etw");
    EF_JW_KEY(&r->jw, "dataset");
    ef_render_str(r, r->opts.dataset ? r->opts.dataset : "etw");
    created(r);
    ef_jw_map_close(&r->jw);
}

/* A name when there is one, else the number, always as a string: one JSON type per field. */
static void name_or_number(struct ef_renderer *r, const char *key, const char *name, uint64_t v)
{
    char num[24];

    ef_render_key(r, key);
    if (name) {
        ef_render_str(r, name);
    } else {
        ef_render_fmt_u32(num, (uint32_t)v);
        ef_render_str(r, num);
    }
}

/* winlog's members from provider_name to keywords: constant per plan and descriptor. */
static void winlog_head(struct ef_renderer *r, const struct ef_event *ev)
{
    const struct ef_record *rec = ev->rec;
    const struct ef_schema *s = ev->schema;
    const char *name;
    char code[12];

    ef_render_fmt_u32(code, rec->id);
    if (s && s->provider && s->provider->name) {
        EF_JW_KEY(&r->jw, "provider_name");
        ef_render_str(r, s->provider->name);
    }
    EF_JW_KEY(&r->jw, "provider_guid");
    ef_render_guid(r, &rec->provider);
    EF_JW_KEY(&r->jw, "event_id");
    ef_render_str(r, code);
    if (s && s->event_name) {
        EF_JW_KEY(&r->jw, "event_name");
        ef_render_str(r, s->event_name);
    }
    EF_JW_KEY(&r->jw, "version");
    ef_render_u64(r, rec->version, 0);
    if (s && s->channel_name) {
        EF_JW_KEY(&r->jw, "channel");
        ef_render_str(r, s->channel_name);
    }
    if (r->opts.computer) {
        EF_JW_KEY(&r->jw, "computer_name");
        ef_render_str(r, r->opts.computer);
    }
    name = s && s->level_name ? s->level_name : ef_render_std_level(rec->level);
    if (name) {
        EF_JW_KEY(&r->jw, "level");
        ef_render_str(r, name);
    }
    EF_JW_KEY(&r->jw, "level_value");
    ef_render_u64(r, rec->level, 0);
    name = s && s->opcode_name         ? s->opcode_name
           : rec->kind == EF_REC_EVENT ? ef_render_std_opcode(rec->opcode)
                                       : NULL;
    name_or_number(r, "opcode", name, rec->opcode);
    EF_JW_KEY(&r->jw, "opcode_value");
    ef_render_u64(r, rec->opcode, 0);
    name_or_number(r, "task", s ? s->task_name : NULL, rec->task);
    EF_JW_KEY(&r->jw, "task_value");
    ef_render_u64(r, rec->task, 0);
    keyword_names(r, ev);
    /* 64 bits do not fit Elasticsearch's long: the mask is a hex string. */
    EF_JW_KEY(&r->jw, "keywords_value");
    ef_render_hex(r, rec->keywords);
}

static void winlog_part(struct ef_renderer *r, const struct ef_event *ev, struct ef_frag *f,
                        int hit)
{
    const struct ef_record *rec = ev->rec;
    const struct ef_ext_item *x;
    struct ef_guid g;
    size_t mark;

    EF_JW_KEY(&r->jw, "winlog");
    ef_jw_map_open(&r->jw);
    if (hit) {
        ef_render_frag_replay(r, f, 1);
    } else {
        mark = ef_render_mark(r);
        winlog_head(r, ev);
        if (f)
            ef_render_frag_save(r, f, 1, mark);
    }
    if (!ef_guid_is_zero(&rec->activity_id)) {
        EF_JW_KEY(&r->jw, "activity_id");
        ef_render_guid(r, &rec->activity_id);
    }
    x = ef_record_ext(rec, EF_EXT_RELATED_ACTIVITYID);
    if (x && x->size >= 16) {
        ef_guid_read(x->data, &g);
        EF_JW_KEY(&r->jw, "related_activity_id");
        ef_render_guid(r, &g);
    }
    EF_JW_KEY(&r->jw, "processor_id");
    ef_render_u64(r, rec->processor, 0);
    EF_JW_KEY(&r->jw, "process");
    ef_jw_map_open(&r->jw);
    EF_JW_KEY(&r->jw, "pid");
    ef_render_u64(r, rec->pid, 0);
    EF_JW_KEY(&r->jw, "thread");
    ef_jw_map_open(&r->jw);
    EF_JW_KEY(&r->jw, "id");
    ef_render_u64(r, rec->tid, 0);
    ef_jw_map_close(&r->jw);
    ef_jw_map_close(&r->jw);
    x = ef_record_ext(rec, EF_EXT_SID);
    if (x) {
        EF_JW_KEY(&r->jw, "user");
        ef_jw_map_open(&r->jw);
        EF_JW_KEY(&r->jw, "identifier");
        ef_render_sid(r, x->data, x->size);
        ef_jw_map_close(&r->jw);
    }
    if (r->opts.session) {
        EF_JW_KEY(&r->jw, "session");
        ef_render_str(r, r->opts.session);
    }
    if (ev->flags & EF_EVT_NO_SCHEMA) {
        EF_JW_KEY(&r->jw, "payload");
        ef_render_binary(r, rec->user_data, rec->user_data_len);
    } else {
        EF_JW_KEY(&r->jw, "event_data");
        ef_jw_map_open(&r->jw);
        ef_render_fields(r, ev);
        ef_jw_map_close(&r->jw);
    }
    if (ev->flags & EF_EVT_DECODE_ERROR) {
        uint32_t from = ev->rest_offset < rec->user_data_len ? ev->rest_offset : rec->user_data_len;

        EF_JW_KEY(&r->jw, "decode_error");
        ef_jw_map_open(&r->jw);
        EF_JW_KEY(&r->jw, "field");
        ef_render_str(r, ev->error_field);
        EF_JW_KEY(&r->jw, "offset");
        ef_render_u64(r, ev->error_offset, 0);
        EF_JW_KEY(&r->jw, "remainder");
        ef_render_binary(r, rec->user_data + from, rec->user_data_len - from);
        ef_jw_map_close(&r->jw);
    }
    ef_jw_map_close(&r->jw);
}

/* The root's members log, host and ecs: constant per plan and descriptor. */
static void ecs_head(struct ef_renderer *r, const struct ef_event *ev)
{
    EF_JW_KEY(&r->jw, "ecs");
    ef_jw_map_open(&r->jw);
    EF_JW_KEY(&r->jw, "version");
    ef_render_str(r, ECS_VERSION);
    ef_jw_map_close(&r->jw);
    EF_JW_KEY(&r->jw, "log");
    ef_jw_map_open(&r->jw);
    EF_JW_KEY(&r->jw, "level");
    log_level(r, ev->rec->level);
    ef_jw_map_close(&r->jw);
    if (r->opts.computer) {
        EF_JW_KEY(&r->jw, "host");
        ef_jw_map_open(&r->jw);
        EF_JW_KEY(&r->jw, "name");
        ef_render_str(r, r->opts.computer);
        ef_jw_map_close(&r->jw);
    }
}

int ef_render_ecs(struct ef_renderer *r, const struct ef_event *ev)
{
    const struct ef_record *rec = ev->rec;
    struct ef_frag *f;
    size_t mark;
    int hit;

    ef_jw_map_open(&r->jw);
    EF_JW_KEY(&r->jw, "@timestamp");
    ef_render_filetime(r, rec->timestamp);
    event_part(r, ev);
    f = ef_render_frag(r, ev, &hit);
    if (hit) {
        ef_render_frag_replay(r, f, 0);
    } else {
        mark = ef_render_mark(r);
        ecs_head(r, ev);
        if (f)
            ef_render_frag_save(r, f, 0, mark);
    }
    if (ev->schema && ev->schema->message) {
        ef_buf_reset(&r->text);
        if (ef_render_message(ev, &r->text) == 0) {
            EF_JW_KEY(&r->jw, "message");
            ef_render_text(r, r->text.data ? r->text.data : "", r->text.len);
        }
    }
    winlog_part(r, ev, f, hit);
    tags(r, ev->flags);
    ef_jw_map_close(&r->jw);
    return 0;
}
