/*
 * fuzz_http_response.c - libFuzzer target: every parser of bytes a receiver
 * sends back to the HTTP sink (core/sinks/http_bulk.c, http_request.c): the
 * Elasticsearch _bulk response, the Splunk HEC event response and ack-poll
 * response, and the status reason built from an error body.
 *
 * The first byte picks how many items the _bulk parser expects (0-63) and
 * the ackId looked up; the rest is the response body. The checks are the
 * parsers' contracts: a verdict per item, reasons only for failed items.
 */
#include "pipeline/sink.h"
#include "sinks/http_int.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t verdicts[64];
    char *reasons[64];
    char why[EF_HTTP_BODY_KIB + 64];
    const char *body;
    size_t n, i, len;
    uint64_t ack_id;
    int code, has_ack, acked;

    if (size < 1)
        return 0;
    n = data[0] & 63;
    body = (const char *)data + 1;
    len = size - 1;
    memset(verdicts, 0xee, sizeof(verdicts));
    if (ef_http_bulk_parse(body, len, n, verdicts, reasons) == 0) {
        for (i = 0; i < n; i++) {
            if (verdicts[i] > EF_SINK_REJECT || (verdicts[i] == EF_SINK_ACK) != !reasons[i])
                __builtin_trap();
            if (reasons[i] && strlen(reasons[i]) >= 512)
                __builtin_trap();
            free(reasons[i]);
        }
    } else {
        for (i = 0; i < n; i++) {
            if (reasons[i])
                __builtin_trap();
        }
    }
    if (ef_http_hec_parse(body, len, &code, &ack_id, &has_ack) == 0 && !has_ack && ack_id)
        __builtin_trap();
    ef_http_hec_ack_parse(body, len, data[0], &acked);
    if (acked != 0 && acked != 1)
        __builtin_trap();
    ef_http_status_reason(500, body, len, why, sizeof(why));
    if (strlen(why) >= sizeof(why))
        __builtin_trap();
    ef_http_status_reason(413, body, len, why, 16);
    if (strlen(why) >= 16)
        __builtin_trap();
    return 0;
}
