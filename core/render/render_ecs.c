/*
 * render_ecs.c - the ECS event JSON, winlog.* as Winlogbeat and Filebeat's
 * ETW input map events (docs/event-json.md).
 *
 * event_data keeps the typed values of the native format (Winlogbeat has
 * only strings there; typed values index better and lose nothing). Flags
 * of the native format become ECS tags ("etw_no_schema", ...), and a
 * payload with no schema goes to winlog.payload as hex.
 */
#include "render/render_int.h"

#include "util/error.h"

#include <stdio.h>
#include <string.h>

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
    ef_render_key(r, "tags");
    ef_jw_array_open(&r->jw);
    if (flags & EF_EVT_NO_SCHEMA)
        ef_render_str(r, "etw_no_schema");
    if (flags & EF_EVT_BAD_SCHEMA)
        ef_render_str(r, "etw_bad_schema");
    if (flags & EF_EVT_DECODE_ERROR)
        ef_render_str(r, "etw_decode_error");
    if (flags & EF_EVT_TRUNCATED)
        ef_render_str(r, "etw_truncated");
    ef_jw_array_close(&r->jw);
}

static void keyword_names(struct ef_renderer *r, const struct ef_event *ev)
{
    const struct ef_provider_info *p = ev->schema ? ev->schema->provider : NULL;
    uint32_t i;

    if (!p || !p->keyword_count)
        return;
    ef_render_key(r, "keywords");
    ef_jw_array_open(&r->jw);
    for (i = 0; i < p->keyword_count; i++) {
        uint64_t m = p->keywords[i].mask;

        if (m && (ev->rec->keywords & m) == m)
            ef_render_str(r, p->keywords[i].name);
    }
    ef_jw_array_close(&r->jw);
}

static void event_part(struct ef_renderer *r, const struct ef_event *ev)
{
    const struct ef_schema *s = ev->schema;
    char code[8];

    ef_render_fmt_u32(code, ev->rec->id);
    ef_render_key(r, "event");
    ef_jw_map_open(&r->jw);
    ef_render_key(r, "kind");
    ef_render_str(r, "event");
    ef_render_key(r, "code");
    ef_render_str(r, code);
    if (s && s->provider && s->provider->name) {
        ef_render_key(r, "provider");
        ef_render_str(r, s->provider->name);
    }
    if (s && (s->task_name || s->event_name)) {
        ef_render_key(r, "action");
        ef_render_str(r, s->task_name ? s->task_name : s->event_name);
    }
    ef_render_key(r, "severity");
    ef_render_u64(r, ev->rec->level, 0);
    ef_jw_map_close(&r->jw);
}

static void winlog_part(struct ef_renderer *r, const struct ef_event *ev)
{
    const struct ef_record *rec = ev->rec;
    const struct ef_schema *s = ev->schema;
    const struct ef_ext_item *x;
    struct ef_guid g;
    const char *name;
    char code[8];

    ef_render_fmt_u32(code, rec->id);
    ef_render_key(r, "winlog");
    ef_jw_map_open(&r->jw);
    if (s && s->provider && s->provider->name) {
        ef_render_key(r, "provider_name");
        ef_render_str(r, s->provider->name);
    }
    ef_render_key(r, "provider_guid");
    ef_render_guid(r, &rec->provider);
    ef_render_key(r, "event_id");
    ef_render_str(r, code);
    if (s && s->event_name) {
        ef_render_key(r, "event_name");
        ef_render_str(r, s->event_name);
    }
    ef_render_key(r, "version");
    ef_render_u64(r, rec->version, 0);
    if (s && s->channel_name) {
        ef_render_key(r, "channel");
        ef_render_str(r, s->channel_name);
    }
    if (r->opts.computer) {
        ef_render_key(r, "computer_name");
        ef_render_str(r, r->opts.computer);
    }
    name = s && s->level_name ? s->level_name : ef_render_std_level(rec->level);
    if (name) {
        ef_render_key(r, "level");
        ef_render_str(r, name);
    }
    name = s && s->opcode_name         ? s->opcode_name
           : rec->kind == EF_REC_EVENT ? ef_render_std_opcode(rec->opcode)
                                       : NULL;
    ef_render_key(r, "opcode");
    if (name)
        ef_render_str(r, name);
    else
        ef_render_u64(r, rec->opcode, 0);
    ef_render_key(r, "task");
    if (s && s->task_name)
        ef_render_str(r, s->task_name);
    else
        ef_render_u64(r, rec->task, 0);
    keyword_names(r, ev);
    if (!ef_guid_is_zero(&rec->activity_id)) {
        ef_render_key(r, "activity_id");
        ef_render_guid(r, &rec->activity_id);
    }
    x = ef_record_ext(rec, EF_EXT_RELATED_ACTIVITYID);
    if (x && x->size >= 16) {
        ef_guid_read(x->data, &g);
        ef_render_key(r, "related_activity_id");
        ef_render_guid(r, &g);
    }
    ef_render_key(r, "process");
    ef_jw_map_open(&r->jw);
    ef_render_key(r, "pid");
    ef_render_u64(r, rec->pid, 0);
    ef_render_key(r, "thread");
    ef_jw_map_open(&r->jw);
    ef_render_key(r, "id");
    ef_render_u64(r, rec->tid, 0);
    ef_jw_map_close(&r->jw);
    ef_jw_map_close(&r->jw);
    x = ef_record_ext(rec, EF_EXT_SID);
    if (x) {
        ef_render_key(r, "user");
        ef_jw_map_open(&r->jw);
        ef_render_key(r, "identifier");
        ef_render_sid(r, x->data, x->size);
        ef_jw_map_close(&r->jw);
    }
    if (r->opts.session) {
        ef_render_key(r, "session");
        ef_render_str(r, r->opts.session);
    }
    if (ev->flags & EF_EVT_NO_SCHEMA) {
        ef_render_key(r, "payload");
        ef_render_binary(r, rec->user_data, rec->user_data_len);
    } else {
        ef_render_key(r, "event_data");
        ef_jw_map_open(&r->jw);
        ef_render_fields(r, ev);
        ef_jw_map_close(&r->jw);
    }
    if (ev->flags & EF_EVT_DECODE_ERROR) {
        uint32_t from = ev->rest_offset < rec->user_data_len ? ev->rest_offset : rec->user_data_len;

        ef_render_key(r, "decode_error");
        ef_jw_map_open(&r->jw);
        ef_render_key(r, "field");
        ef_render_str(r, ev->error_field);
        ef_render_key(r, "offset");
        ef_render_u64(r, ev->error_offset, 0);
        ef_render_key(r, "remainder");
        ef_render_binary(r, rec->user_data + from, rec->user_data_len - from);
        ef_jw_map_close(&r->jw);
    }
    ef_jw_map_close(&r->jw);
}

int ef_render_ecs(struct ef_renderer *r, const struct ef_event *ev)
{
    const struct ef_record *rec = ev->rec;

    ef_jw_map_open(&r->jw);
    ef_render_key(r, "@timestamp");
    ef_render_filetime(r, rec->timestamp);
    event_part(r, ev);
    ef_render_key(r, "log");
    ef_jw_map_open(&r->jw);
    ef_render_key(r, "level");
    log_level(r, rec->level);
    ef_jw_map_close(&r->jw);
    if (r->opts.computer) {
        ef_render_key(r, "host");
        ef_jw_map_open(&r->jw);
        ef_render_key(r, "name");
        ef_render_str(r, r->opts.computer);
        ef_jw_map_close(&r->jw);
    }
    if (ev->schema && ev->schema->message) {
        ef_buf_reset(&r->text);
        if (ef_render_message(ev, &r->text) == 0) {
            ef_render_key(r, "message");
            ef_render_text(r, r->text.data ? r->text.data : "", r->text.len);
        }
    }
    winlog_part(r, ev);
    tags(r, ev->flags);
    ef_jw_map_close(&r->jw);
    return 0;
}
