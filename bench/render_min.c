/*
 * render_min.c - one minimal native renderer, two JSON generators.
 *
 * DESIGN: the event walk and the value formatting (integers, hex, GUIDs,
 * times, binary as hex) are shared and written once, as a sequence of
 * token calls through a tiny table of the generator's operations; the two
 * instances of the table are yajl_gen_* and ef_jw_*. Neither side gets the
 * real renderer's cached runs or pre-escaped keys: the comparison is of the
 * generators, token for token, on the same tokens.
 */
#include "render_min.h"

#include "render/jsonw.h"
#include "util/error.h"
#include "util/timefmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

struct gen_ops {
    void (*map_open)(void *g);
    void (*map_close)(void *g);
    void (*array_open)(void *g);
    void (*array_close)(void *g);
    void (*string)(void *g, const char *s, size_t n);
    void (*number)(void *g, const char *s, size_t n);
};

static void y_map_open(void *g)
{
    yajl_gen_map_open(g);
}
static void y_map_close(void *g)
{
    yajl_gen_map_close(g);
}
static void y_array_open(void *g)
{
    yajl_gen_array_open(g);
}
static void y_array_close(void *g)
{
    yajl_gen_array_close(g);
}
static void y_string(void *g, const char *s, size_t n)
{
    yajl_gen_string(g, (const unsigned char *)s, n);
}
static void y_number(void *g, const char *s, size_t n)
{
    yajl_gen_number(g, s, n);
}

static const struct gen_ops yajl_ops = {y_map_open,    y_map_close, y_array_open,
                                        y_array_close, y_string,    y_number};

static void j_map_open(void *g)
{
    ef_jw_map_open(g);
}
static void j_map_close(void *g)
{
    ef_jw_map_close(g);
}
static void j_array_open(void *g)
{
    ef_jw_array_open(g);
}
static void j_array_close(void *g)
{
    ef_jw_array_close(g);
}
static void j_string(void *g, const char *s, size_t n)
{
    ef_jw_string(g, s, n);
}
static void j_number(void *g, const char *s, size_t n)
{
    ef_jw_number(g, s, n);
}

static const struct gen_ops jw_ops = {j_map_open,    j_map_close, j_array_open,
                                      j_array_close, j_string,    j_number};

#define KEY(o, g, lit) (o)->string((g), (lit), sizeof(lit) - 1)

static void num(const struct gen_ops *o, void *g, uint64_t v, int neg)
{
    char s[24], *p = s + sizeof(s);

    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    if (neg)
        *--p = '-';
    o->number(g, p, (size_t)(s + sizeof(s) - p));
}

static void hex(const struct gen_ops *o, void *g, uint64_t v)
{
    char s[20];
    int n = snprintf(s, sizeof(s), "0x%llX", (unsigned long long)v);

    o->string(g, s, (size_t)n);
}

static void guid(const struct gen_ops *o, void *g, const struct ef_guid *x)
{
    char s[40];
    int n = snprintf(s, sizeof(s), "{%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}", x->data1,
                     x->data2, x->data3, x->data4[0], x->data4[1], x->data4[2], x->data4[3],
                     x->data4[4], x->data4[5], x->data4[6], x->data4[7]);

    o->string(g, s, (size_t)n);
}

static void bytes_hex(const struct gen_ops *o, void *g, const char *p, size_t n)
{
    static const char xd[] = "0123456789ABCDEF";
    char s[256];
    size_t i, k = 0;

    if (n > sizeof(s) / 2)
        n = sizeof(s) / 2;
    for (i = 0; i < n; i++) {
        s[k++] = xd[(unsigned char)p[i] >> 4];
        s[k++] = xd[(unsigned char)p[i] & 15];
    }
    o->string(g, s, k);
}

static void time_(const struct gen_ops *o, void *g, uint64_t ft)
{
    char s[EF_TIME_STR_SIZE];

    if (ef_filetime_format(ft, s) == 0)
        o->string(g, s, strlen(s));
    else
        num(o, g, ft, 0);
}

static uint32_t value(const struct gen_ops *o, void *g, const struct ef_event *ev, uint32_t i)
{
    const struct ef_value *v = &ev->values[i];
    uint32_t end = i + 1 + v->span, j;

    switch (v->kind) {
    case EF_V_STRUCT:
        o->map_open(g);
        for (j = i + 1; j < end;) {
            const char *name = ev->values[j].name ? ev->values[j].name : "_";

            o->string(g, name, strlen(name));
            j = value(o, g, ev, j);
        }
        o->map_close(g);
        break;
    case EF_V_ARRAY:
        o->array_open(g);
        for (j = i + 1; j < end;)
            j = value(o, g, ev, j);
        o->array_close(g);
        break;
    case EF_V_INT:
        if (v->flags & EF_VAL_HEX)
            hex(o, g, v->v.u);
        else
            num(o, g, v->v.i < 0 ? (uint64_t)0 - v->v.u : v->v.u, v->v.i < 0);
        break;
    case EF_V_UINT:
        if (v->flags & EF_VAL_HEX)
            hex(o, g, v->v.u);
        else
            num(o, g, v->v.u, 0);
        break;
    case EF_V_STRING:
        o->string(g, v->v.s.p, v->v.s.len);
        break;
    case EF_V_GUID:
        guid(o, g, &v->v.guid);
        break;
    case EF_V_FILETIME:
        time_(o, g, v->v.u);
        break;
    case EF_V_BINARY:
    case EF_V_SID:
    case EF_V_IPV6:
    case EF_V_SOCKADDR:
        bytes_hex(o, g, v->v.s.p, v->v.s.len);
        break;
    default:
        num(o, g, v->v.u, 0);
        break;
    }
    return end;
}

static void event(const struct gen_ops *o, void *g, const struct ef_event *ev)
{
    const struct ef_record *rec = ev->rec;
    const char *pn = ev->schema && ev->schema->provider ? ev->schema->provider->name : NULL;
    uint32_t i;

    o->map_open(g);
    KEY(o, g, "System");
    o->map_open(g);
    KEY(o, g, "Provider");
    o->map_open(g);
    if (pn) {
        KEY(o, g, "Name");
        o->string(g, pn, strlen(pn));
    }
    KEY(o, g, "Guid");
    guid(o, g, &rec->provider);
    o->map_close(g);
    KEY(o, g, "EventID");
    num(o, g, rec->id, 0);
    KEY(o, g, "Version");
    num(o, g, rec->version, 0);
    KEY(o, g, "Level");
    num(o, g, rec->level, 0);
    KEY(o, g, "Task");
    num(o, g, rec->task, 0);
    KEY(o, g, "Opcode");
    num(o, g, rec->opcode, 0);
    KEY(o, g, "Keywords");
    hex(o, g, rec->keywords);
    KEY(o, g, "TimeCreated");
    o->map_open(g);
    KEY(o, g, "SystemTime");
    time_(o, g, rec->timestamp);
    o->map_close(g);
    KEY(o, g, "Execution");
    o->map_open(g);
    KEY(o, g, "ProcessID");
    num(o, g, rec->pid, 0);
    KEY(o, g, "ThreadID");
    num(o, g, rec->tid, 0);
    o->map_close(g);
    o->map_close(g);
    if (ev->flags & EF_EVT_NO_SCHEMA) {
        KEY(o, g, "Payload");
        bytes_hex(o, g, (const char *)rec->user_data, rec->user_data_len);
    } else {
        KEY(o, g, "EventData");
        o->map_open(g);
        for (i = 0; i < ev->count;) {
            const char *name = ev->values[i].name ? ev->values[i].name : "_";

            o->string(g, name, strlen(name));
            i = value(o, g, ev, i);
        }
        o->map_close(g);
    }
    o->map_close(g);
}

struct ef_min_yajl {
    yajl_gen g;
};

struct ef_min_yajl *ef_min_yajl_new(void)
{
    struct ef_min_yajl *y = calloc(1, sizeof(*y));

    if (!y)
        return NULL;
    y->g = yajl_gen_alloc(NULL);
    if (!y->g) {
        free(y);
        return NULL;
    }
    yajl_gen_config(y->g, yajl_gen_beautify, 0);
    yajl_gen_config(y->g, yajl_gen_validate_utf8, 0);
    return y;
}

void ef_min_yajl_free(struct ef_min_yajl *y)
{
    if (!y)
        return;
    yajl_gen_free(y->g);
    free(y);
}

int ef_min_yajl_render(struct ef_min_yajl *y, const struct ef_event *ev, struct ef_buf *out)
{
    const unsigned char *text;
    size_t n;
    int rc;

    yajl_gen_reset(y->g, NULL);
    event(&yajl_ops, y->g, ev);
    if (yajl_gen_get_buf(y->g, &text, &n) != yajl_gen_status_ok)
        return EF_EFORMAT;
    /* yajl writes into its own buffer; a sink needs the text in ours. */
    rc = ef_buf_append(out, text, n);
    yajl_gen_clear(y->g);
    return rc;
}

int ef_min_jw_render(const struct ef_event *ev, struct ef_buf *out)
{
    struct ef_jw w;

    ef_jw_reset(&w, out);
    event(&jw_ops, &w, ev);
    return w.err;
}
