/*
 * render_native.c - the native event JSON (docs/event-json.md).
 *
 * {"System":{...},"EventData":{...},"ExtendedData":{...}} with the field
 * names of the Windows event XML, as golang-etw prints them. An event with
 * no schema has no EventData: its payload goes out as "Payload" (hex) with
 * "Flags":["no_schema"]; a decode error keeps the fields decoded before it
 * and adds "DecodeError" with the field, the offset and the rest as hex.
 */
#include "render/render_int.h"

#include "util/bytes.h"
#include "util/error.h"

#include <string.h>

static void value_name(struct ef_renderer *r, const char *key, size_t key_len, uint64_t value,
                       const char *name)
{
    ef_jw_key_raw(&r->jw, key, key_len);
    ef_jw_map_open(&r->jw);
    EF_JW_KEY(&r->jw, "Value");
    ef_render_u64(r, value, 0);
    if (name) {
        EF_JW_KEY(&r->jw, "Name");
        ef_render_str(r, name);
    }
    ef_jw_map_close(&r->jw);
}

#define VALUE_NAME(r, lit, value, name)                                                            \
    value_name((r), "\"" lit "\":", sizeof("\"" lit "\":") - 1, (value), (name))

static void keywords(struct ef_renderer *r, const struct ef_event *ev)
{
    const struct ef_provider_info *p = ev->schema ? ev->schema->provider : NULL;
    uint64_t kw = ev->rec->keywords;
    uint32_t i;

    EF_JW_KEY(&r->jw, "Keywords");
    ef_jw_map_open(&r->jw);
    EF_JW_KEY(&r->jw, "Value");
    ef_render_hex(r, kw);
    if (p && p->keyword_count) {
        EF_JW_KEY(&r->jw, "Name");
        ef_jw_array_open(&r->jw);
        for (i = 0; i < p->keyword_count; i++) {
            uint64_t m = p->keywords[i].mask;

            if (m && (kw & m) == m)
                ef_render_str(r, p->keywords[i].name);
        }
        ef_jw_array_close(&r->jw);
    }
    ef_jw_map_close(&r->jw);
}

/* The most system_mid writes: TimeCreated, Correlation with both IDs, Execution. */
#define SYSTEM_MID_MAX                                                                             \
    (sizeof("\"TimeCreated\":{\"SystemTime\":}") + EF_RENDER_FILETIME_MAX +                        \
     sizeof(",\"Correlation\":{\"ActivityID\":,\"RelatedActivityID\":}") +                         \
     2 * EF_RENDER_GUID_MAX +                                                                      \
     sizeof(",\"Execution\":{\"ProcessID\":,\"ThreadID\":,\"ProcessorID\":}") +                    \
     3 * EF_RENDER_U64_MAX)

/*
 * TimeCreated, Correlation and Execution: every event has them, their shape
 * is fixed and their size bounded, so they are written at one pointer under
 * one room check. Through the writer's calls, a check and a separator per
 * token, they cost as much as the rest of System.
 */
static void system_mid(struct ef_renderer *r, const struct ef_record *rec)
{
    const struct ef_ext_item *rel = ef_record_ext(rec, EF_EXT_RELATED_ACTIVITYID);
    int act = !ef_guid_is_zero(&rec->activity_id), has_rel = rel && rel->size >= 16;
    char *p = ef_jw_members_begin(&r->jw, SYSTEM_MID_MAX);
    struct ef_guid g;

    if (!p)
        return;
    p = EF_JW_PUT_LIT(p, "\"TimeCreated\":{\"SystemTime\":");
    p = ef_render_put_filetime(r, p, rec->timestamp);
    *p++ = '}';
    if (act || has_rel) {
        p = EF_JW_PUT_LIT(p, ",\"Correlation\":{");
        if (act) {
            p = EF_JW_PUT_LIT(p, "\"ActivityID\":");
            p = ef_render_put_guid(p, &rec->activity_id);
        }
        if (has_rel) {
            ef_guid_read(rel->data, &g);
            p = act ? EF_JW_PUT_LIT(p, ",\"RelatedActivityID\":")
                    : EF_JW_PUT_LIT(p, "\"RelatedActivityID\":");
            p = ef_render_put_guid(p, &g);
        }
        *p++ = '}';
    }
    p = EF_JW_PUT_LIT(p, ",\"Execution\":{\"ProcessID\":");
    p = ef_render_put_u64(p, rec->pid);
    p = EF_JW_PUT_LIT(p, ",\"ThreadID\":");
    p = ef_render_put_u64(p, rec->tid);
    p = EF_JW_PUT_LIT(p, ",\"ProcessorID\":");
    p = ef_render_put_u64(p, rec->processor);
    *p++ = '}';
    ef_jw_members_end(&r->jw, p);
}

/* System's members from Provider to Keywords: constant per plan and descriptor. */
static void system_head(struct ef_renderer *r, const struct ef_event *ev)
{
    const struct ef_record *rec = ev->rec;
    const struct ef_schema *s = ev->schema;
    int std = rec->kind == EF_REC_EVENT;
    const char *name;

    EF_JW_KEY(&r->jw, "Provider");
    ef_jw_map_open(&r->jw);
    if (s && s->provider && s->provider->name) {
        EF_JW_KEY(&r->jw, "Name");
        ef_render_str(r, s->provider->name);
    }
    EF_JW_KEY(&r->jw, "Guid");
    ef_render_guid(r, &rec->provider);
    ef_jw_map_close(&r->jw);
    EF_JW_KEY(&r->jw, "EventID");
    ef_render_u64(r, rec->id, 0);
    if (s && s->event_name) {
        EF_JW_KEY(&r->jw, "EventName");
        ef_render_str(r, s->event_name);
    }
    EF_JW_KEY(&r->jw, "Version");
    ef_render_u64(r, rec->version, 0);
    name = s && s->level_name ? s->level_name : ef_render_std_level(rec->level);
    VALUE_NAME(r, "Level", rec->level, name);
    VALUE_NAME(r, "Task", rec->task, s ? s->task_name : NULL);
    name = s && s->opcode_name ? s->opcode_name : std ? ef_render_std_opcode(rec->opcode) : NULL;
    VALUE_NAME(r, "Opcode", rec->opcode, name);
    keywords(r, ev);
}

/* System's members after Execution: constant per plan, descriptor and renderer. */
static void system_tail(struct ef_renderer *r, const struct ef_event *ev)
{
    const struct ef_schema *s = ev->schema;

    /* An object like Level's, so Channel has one JSON type whether it has a name or not. */
    if ((s && s->channel_name) || ev->rec->channel)
        VALUE_NAME(r, "Channel", ev->rec->channel, s ? s->channel_name : NULL);
    if (r->opts.computer) {
        EF_JW_KEY(&r->jw, "Computer");
        ef_render_str(r, r->opts.computer);
    }
    if (r->opts.session) {
        EF_JW_KEY(&r->jw, "Session");
        ef_render_str(r, r->opts.session);
    }
}

static void system_part(struct ef_renderer *r, const struct ef_event *ev)
{
    const struct ef_record *rec = ev->rec;
    struct ef_frag *f;
    size_t mark;
    int hit;

    EF_JW_KEY(&r->jw, "System");
    ef_jw_map_open(&r->jw);
    f = ef_render_frag(r, ev, &hit);
    if (hit) {
        ef_render_frag_replay(r, f, 0);
    } else {
        mark = ef_render_mark(r);
        system_head(r, ev);
        if (f)
            ef_render_frag_save(r, f, 0, mark);
    }
    system_mid(r, rec);
    if (hit) {
        ef_render_frag_replay(r, f, 1);
    } else {
        mark = ef_render_mark(r);
        system_tail(r, ev);
        if (f)
            ef_render_frag_save(r, f, 1, mark);
    }
    ef_jw_map_close(&r->jw);
}

static void stack(struct ef_renderer *r, const struct ef_ext_item *x)
{
    uint32_t w = x->type == EF_EXT_STACK_TRACE64 ? 8 : 4, off;

    EF_JW_KEY(&r->jw, "StackTrace");
    ef_jw_array_open(&r->jw);
    /* A u64 MatchId precedes the addresses. */
    for (off = 8; off + w <= x->size; off += w)
        ef_render_hex(r, w == 8 ? ef_le64(x->data + off) : ef_le32(x->data + off));
    ef_jw_array_close(&r->jw);
}

/* Extended items other than schema data; returns 1 if it wrote it. */
static int ext_item(struct ef_renderer *r, const struct ef_ext_item *x, int dry)
{
    struct ef_guid g;

    switch (x->type) {
    case EF_EXT_SID:
        if (!dry) {
            EF_JW_KEY(&r->jw, "Sid");
            ef_render_sid(r, x->data, x->size);
        }
        return 1;
    case EF_EXT_TS_ID:
        if (x->size < 4)
            return 0;
        if (!dry) {
            EF_JW_KEY(&r->jw, "TsId");
            ef_render_u64(r, ef_le32(x->data), 0);
        }
        return 1;
    case EF_EXT_STACK_TRACE32:
    case EF_EXT_STACK_TRACE64:
        if (!dry)
            stack(r, x);
        return 1;
    case EF_EXT_PROCESS_START_KEY:
    case EF_EXT_EVENT_KEY:
        if (x->size < 8)
            return 0;
        if (!dry) {
            ef_render_key(r, x->type == EF_EXT_EVENT_KEY ? "EventKey" : "ProcessStartKey");
            ef_render_u64(r, ef_le64(x->data), 1);
        }
        return 1;
    case EF_EXT_CONTAINER_ID:
        if (x->size < 16)
            return 0;
        if (!dry) {
            ef_guid_read(x->data, &g);
            EF_JW_KEY(&r->jw, "ContainerId");
            ef_render_guid(r, &g);
        }
        return 1;
    default:
        return 0;
    }
}

static void extended_part(struct ef_renderer *r, const struct ef_record *rec)
{
    uint16_t i;
    int any = 0;

    for (i = 0; i < rec->ext_count && !any; i++)
        any = ext_item(r, &rec->ext[i], 1);
    if (!any)
        return;
    EF_JW_KEY(&r->jw, "ExtendedData");
    ef_jw_map_open(&r->jw);
    for (i = 0; i < rec->ext_count; i++)
        ext_item(r, &rec->ext[i], 0);
    ef_jw_map_close(&r->jw);
}

static void flags_part(struct ef_renderer *r, uint32_t flags)
{
    if (!flags)
        return;
    EF_JW_KEY(&r->jw, "Flags");
    ef_jw_array_open(&r->jw);
    if (flags & EF_EVT_NO_SCHEMA)
        ef_render_str(r, "no_schema");
    if (flags & EF_EVT_BAD_SCHEMA)
        ef_render_str(r, "bad_schema");
    if (flags & EF_EVT_DECODE_ERROR)
        ef_render_str(r, "decode_error");
    if (flags & EF_EVT_TRUNCATED)
        ef_render_str(r, "truncated");
    if (flags & EF_EVT_SCHEMA_FALLBACK)
        ef_render_str(r, "schema_version_fallback");
    if (flags & EF_EVT_LAYOUT_MISMATCH)
        ef_render_str(r, "layout_mismatch");
    ef_jw_array_close(&r->jw);
}

static void payload_rest(struct ef_renderer *r, const struct ef_record *rec, uint32_t from)
{
    if (from > rec->user_data_len)
        from = rec->user_data_len;
    ef_render_binary(r, rec->user_data ? rec->user_data + from : NULL, rec->user_data_len - from);
}

int ef_render_native(struct ef_renderer *r, const struct ef_event *ev)
{
    const struct ef_record *rec = ev->rec;

    ef_jw_map_open(&r->jw);
    system_part(r, ev);
    if (ev->flags & EF_EVT_NO_SCHEMA) {
        EF_JW_KEY(&r->jw, "Payload");
        payload_rest(r, rec, 0);
    } else {
        EF_JW_KEY(&r->jw, "EventData");
        ef_jw_map_open(&r->jw);
        ef_render_fields(r, ev);
        ef_jw_map_close(&r->jw);
        ef_buf_reset(&r->text);
        if (ev->schema->message && ef_render_message(ev, &r->text) == 0) {
            EF_JW_KEY(&r->jw, "Message");
            ef_render_text(r, r->text.data ? r->text.data : "", r->text.len);
        }
    }
    if (ev->flags & EF_EVT_DECODE_ERROR) {
        EF_JW_KEY(&r->jw, "DecodeError");
        ef_jw_map_open(&r->jw);
        EF_JW_KEY(&r->jw, "Field");
        ef_render_str(r, ev->error_field);
        EF_JW_KEY(&r->jw, "Offset");
        ef_render_u64(r, ev->error_offset, 0);
        EF_JW_KEY(&r->jw, "Remainder");
        payload_rest(r, rec, ev->rest_offset);
        ef_jw_map_close(&r->jw);
    }
    flags_part(r, ev->flags);
    extended_part(r, rec);
    ef_jw_map_close(&r->jw);
    return 0;
}
