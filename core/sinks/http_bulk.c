/*
 * http_bulk.c - reading the receivers' answers: the Elasticsearch _bulk
 * response item by item, and Splunk HEC's event and ack responses.
 *
 * DESIGN. A _bulk request answers 200 even when some of its documents
 * failed: the truth is in "items", one per action, in request order. Each
 * item's status decides that event alone: 2xx is stored, 409 means a
 * document with this _id exists (our _id is deterministic, so that is an
 * earlier copy of this very event: acknowledged, not duplicated), 429 and
 * 5xx are transient, the rest are permanent. Responses are small next to
 * the requests, so yajl's tree API is simple enough and fast enough here.
 */
#include "sinks/http_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "util/error.h"

static yajl_val parse_copy(const char *resp, size_t len)
{
    char *copy = malloc(len + 1);
    yajl_val v;

    if (!copy)
        return NULL;
    memcpy(copy, resp, len);
    copy[len] = '\0';
    v = yajl_tree_parse(copy, NULL, 0);
    free(copy);
    return v;
}

static yajl_val obj_get(yajl_val o, const char *key)
{
    size_t i;

    if (!YAJL_IS_OBJECT(o))
        return NULL;
    for (i = 0; i < o->u.object.len; i++) {
        if (strcmp(o->u.object.keys[i], key) == 0)
            return o->u.object.values[i];
    }
    return NULL;
}

static const char *str_or(yajl_val v, const char *dflt)
{
    return YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : dflt;
}

/* "status N: type: reason" of a failed item, cut to a sane length. */
static char *item_reason(long long status, yajl_val item)
{
    yajl_val err = obj_get(item, "error");
    const char *type = "", *why = "";
    char *out = malloc(512);

    if (!out)
        return NULL;
    if (YAJL_IS_OBJECT(err)) {
        type = str_or(obj_get(err, "type"), "");
        why = str_or(obj_get(err, "reason"), "");
    } else if (YAJL_IS_STRING(err)) {
        why = YAJL_GET_STRING(err);
    }
    snprintf(out, 512, "bulk item status %lld: %s%s%s", status, type, type[0] ? ": " : "", why);
    return out;
}

int ef_http_bulk_parse(const char *resp, size_t len, size_t n, uint8_t *verdicts, char **reasons)
{
    yajl_val root = parse_copy(resp, len), items;
    size_t i;
    int rc = 0;

    for (i = 0; i < n; i++)
        reasons[i] = NULL;
    items = obj_get(root, "items");
    if (!YAJL_IS_ARRAY(items) || items->u.array.len != n) {
        rc = EF_EFORMAT;
        goto out;
    }
    for (i = 0; i < n; i++) {
        yajl_val wrap = items->u.array.values[i], item, st;
        long long status;

        /* {"create":{...}}: one key, the action; its value is the result. */
        if (!YAJL_IS_OBJECT(wrap) || wrap->u.object.len != 1) {
            rc = EF_EFORMAT;
            goto out;
        }
        item = wrap->u.object.values[0];
        st = obj_get(item, "status");
        if (!YAJL_IS_INTEGER(st)) {
            rc = EF_EFORMAT;
            goto out;
        }
        status = YAJL_GET_INTEGER(st);
        if ((status >= 200 && status < 300) || status == 409) {
            verdicts[i] = EF_SINK_ACK;
            continue;
        }
        verdicts[i] = status == 429 || status >= 500 ? EF_SINK_RETRY : EF_SINK_REJECT;
        reasons[i] = item_reason(status, item);
        if (!reasons[i]) {
            rc = EF_ENOMEM;
            goto out;
        }
    }
out:
    if (rc < 0) {
        for (i = 0; i < n; i++) {
            free(reasons[i]);
            reasons[i] = NULL;
        }
    }
    yajl_tree_free(root);
    return rc;
}

int ef_http_hec_parse(const char *resp, size_t len, int *code, uint64_t *ack_id, int *has_ack)
{
    yajl_val root = parse_copy(resp, len), v;
    int rc = 0;

    *code = -1;
    *has_ack = 0;
    *ack_id = 0;
    if (!YAJL_IS_OBJECT(root)) {
        rc = EF_EFORMAT;
        goto out;
    }
    v = obj_get(root, "code");
    if (YAJL_IS_INTEGER(v))
        *code = (int)YAJL_GET_INTEGER(v);
    v = obj_get(root, "ackId");
    if (YAJL_IS_INTEGER(v) && YAJL_GET_INTEGER(v) >= 0) {
        *ack_id = (uint64_t)YAJL_GET_INTEGER(v);
        *has_ack = 1;
    }
out:
    yajl_tree_free(root);
    return rc;
}

int ef_http_hec_ack_parse(const char *resp, size_t len, uint64_t ack_id, int *acked)
{
    yajl_val root = parse_copy(resp, len), acks, v;
    char key[24];
    int rc = 0;

    *acked = 0;
    acks = obj_get(root, "acks");
    if (!YAJL_IS_OBJECT(acks)) {
        rc = EF_EFORMAT;
        goto out;
    }
    snprintf(key, sizeof(key), "%llu", (unsigned long long)ack_id);
    v = obj_get(acks, key);
    *acked = YAJL_IS_TRUE(v);
out:
    yajl_tree_free(root);
    return rc;
}
