/*
 * test_http_response.c - what the HTTP sink makes of a receiver's answer:
 * status classes (ACK, split on 413, auth, retry, reject), the reason with
 * the first KiB of the body, the Elasticsearch _bulk item results, Splunk
 * HEC responses and ack polls, and the HEC ack URL.
 */
#include "runner.h"

#include "pipeline/sink.h"
#include "sinks/http_int.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

struct class_case {
    long status;
    int can_split, want;
};

static const struct class_case class_cases[] = {
    {200, 1, EF_HTTP_C_ACK},    {201, 0, EF_HTTP_C_ACK},    {204, 1, EF_HTTP_C_ACK},
    {413, 1, EF_HTTP_C_SPLIT},  {413, 0, EF_HTTP_C_REJECT}, {401, 1, EF_HTTP_C_AUTH},
    {403, 0, EF_HTTP_C_AUTH},   {408, 1, EF_HTTP_C_RETRY},  {429, 1, EF_HTTP_C_RETRY},
    {500, 1, EF_HTTP_C_RETRY},  {503, 0, EF_HTTP_C_RETRY},  {599, 1, EF_HTTP_C_RETRY},
    {400, 1, EF_HTTP_C_REJECT}, {404, 1, EF_HTTP_C_REJECT}, {409, 1, EF_HTTP_C_REJECT},
    {301, 1, EF_HTTP_C_REJECT}, {100, 1, EF_HTTP_C_REJECT}, {0, 1, EF_HTTP_C_REJECT},
};

START_TEST(class_table)
{
    const struct class_case *c = &class_cases[_i];

    ck_assert_int_eq(ef_http_classify(c->status, c->can_split), c->want);
}
END_TEST

START_TEST(status_reason)
{
    char big[3000], out[EF_HTTP_BODY_KIB + 64], small[12];
    size_t i;

    ef_http_status_reason(400, "bad\r\nthing\t!", 12, out, sizeof(out));
    ck_assert_str_eq(out, "HTTP 400: bad  thing !");
    ef_http_status_reason(500, NULL, 0, out, sizeof(out));
    ck_assert_str_eq(out, "HTTP 500: ");
    for (i = 0; i < sizeof(big); i++)
        big[i] = (char)('a' + i % 26);
    ef_http_status_reason(413, big, sizeof(big), out, sizeof(out));
    ck_assert_uint_eq(strlen(out), strlen("HTTP 413: ") + EF_HTTP_BODY_KIB);
    ef_http_status_reason(413, big, sizeof(big), small, sizeof(small));
    ck_assert_str_eq(small, "HTTP 413: a");
}
END_TEST

struct bulk_case {
    const char *resp;
    size_t n;
    int rc;
    const char *verdicts; /* 'A' ack, 'R' retry, 'X' reject */
    const char *reason2;  /* the reason of item 2 (index 1), if any */
};

static const struct bulk_case bulk_cases[] = {
    {"{\"errors\":false,\"items\":[{\"create\":{\"status\":201}},{\"create\":{\"status\":200}}]}",
     2, 0, "AA", NULL},
    {"{\"items\":[{\"create\":{\"status\":201}},{\"create\":{\"status\":409,\"error\":{\"type\":"
     "\"version_conflict_engine_exception\"}}},{\"create\":{\"status\":429}},{\"index\":{"
     "\"status\":503}},{\"create\":{\"status\":400,\"error\":{\"type\":\"mapper_parsing_"
     "exception\",\"reason\":\"failed to parse\"}}}]}",
     5, 0, "AARRX", NULL},
    {"{\"items\":[{\"create\":{\"status\":201}},{\"create\":{\"status\":400,\"error\":{\"type\":"
     "\"t\",\"reason\":\"why\"}}}]}",
     2, 0, "AX", "bulk item status 400: t: why"},
    {"{\"items\":[{\"create\":{\"status\":201}},{\"create\":{\"status\":404,\"error\":\"gone\"}}]}",
     2, 0, "AX", "bulk item status 404: gone"},
    {"{\"items\":[]}", 0, 0, "", NULL},
    /* Not a bulk response for these items: EF_EFORMAT (the sink retries it all). */
    {"{\"items\":[{\"create\":{\"status\":201}}]}", 2, EF_EFORMAT, NULL, NULL},
    {"{\"items\":[{\"create\":{\"status\":\"201\"}}]}", 1, EF_EFORMAT, NULL, NULL},
    {"{\"items\":[{\"create\":{\"status\":201},\"x\":1}]}", 1, EF_EFORMAT, NULL, NULL},
    {"{\"items\":{}}", 0, EF_EFORMAT, NULL, NULL},
    {"[]", 0, EF_EFORMAT, NULL, NULL},
    {"<html>502 Bad Gateway</html>", 1, EF_EFORMAT, NULL, NULL},
    {"", 1, EF_EFORMAT, NULL, NULL},
    {"{\"items\":[{\"create\":{\"status\":201}}", 1, EF_EFORMAT, NULL, NULL},
};

START_TEST(bulk_table)
{
    const struct bulk_case *c = &bulk_cases[_i];
    uint8_t v[8];
    char *why[8];
    size_t i;

    ck_assert_int_eq(ef_http_bulk_parse(c->resp, strlen(c->resp), c->n, v, why), c->rc);
    for (i = 0; i < c->n; i++) {
        if (c->rc == 0) {
            int want = c->verdicts[i] == 'A'   ? EF_SINK_ACK
                       : c->verdicts[i] == 'R' ? EF_SINK_RETRY
                                               : EF_SINK_REJECT;
            ck_assert_int_eq(v[i], want);
            ck_assert_int_eq(why[i] == NULL, want == EF_SINK_ACK);
        } else {
            ck_assert_ptr_null(why[i]);
        }
        if (i == 1 && c->reason2)
            ck_assert_str_eq(why[i], c->reason2);
        free(why[i]);
    }
}
END_TEST

struct hec_case {
    const char *resp;
    int rc, code, has_ack;
    uint64_t ack_id;
};

static const struct hec_case hec_cases[] = {
    {"{\"text\":\"Success\",\"code\":0}", 0, 0, 0, 0},
    {"{\"text\":\"Success\",\"code\":0,\"ackId\":42}", 0, 0, 1, 42},
    {"{\"text\":\"Server is busy\",\"code\":9}", 0, 9, 0, 0},
    {"{\"text\":\"Invalid token\",\"code\":4}", 0, 4, 0, 0},
    {"{\"text\":\"x\",\"ackId\":-1}", 0, -1, 0, 0},
    {"{}", 0, -1, 0, 0},
    {"[1]", EF_EFORMAT, -1, 0, 0},
    {"not json", EF_EFORMAT, -1, 0, 0},
};

START_TEST(hec_table)
{
    const struct hec_case *c = &hec_cases[_i];
    int code, has_ack;
    uint64_t ack_id;

    ck_assert_int_eq(ef_http_hec_parse(c->resp, strlen(c->resp), &code, &ack_id, &has_ack), c->rc);
    ck_assert_int_eq(code, c->code);
    ck_assert_int_eq(has_ack, c->has_ack);
    ck_assert_uint_eq(ack_id, c->ack_id);
}
END_TEST

struct ack_case {
    const char *resp;
    uint64_t id;
    int rc, acked;
};

static const struct ack_case ack_cases[] = {
    {"{\"acks\":{\"7\":true}}", 7, 0, 1},
    {"{\"acks\":{\"7\":false}}", 7, 0, 0},
    {"{\"acks\":{\"70\":true,\"8\":true}}", 7, 0, 0},
    {"{\"acks\":{\"7\":\"true\"}}", 7, 0, 0},
    {"{\"acks\":{}}", 7, 0, 0},
    {"{\"acks\":[true]}", 0, EF_EFORMAT, 0},
    {"{}", 7, EF_EFORMAT, 0},
    {"", 7, EF_EFORMAT, 0},
};

START_TEST(ack_table)
{
    const struct ack_case *c = &ack_cases[_i];
    int acked = -1;

    ck_assert_int_eq(ef_http_hec_ack_parse(c->resp, strlen(c->resp), c->id, &acked), c->rc);
    ck_assert_int_eq(acked, c->acked);
}
END_TEST

START_TEST(ack_url)
{
    char *u = NULL;

    ck_assert_int_eq(ef_http_ack_url("https://s:8088/services/collector/event", &u), 0);
    ck_assert_str_eq(u, "https://s:8088/services/collector/ack");
    free(u);
    ck_assert_int_eq(ef_http_ack_url("http://s/p/services/collector", &u), 0);
    ck_assert_str_eq(u, "http://s/p/services/collector/ack");
    free(u);
    ck_assert_int_eq(ef_http_ack_url("http://s/ingest", &u), EF_ECONFIG);
    ck_assert_ptr_null(u);
}
END_TEST

TCase *ef_http_response_case(void);
TCase *ef_http_response_case(void)
{
    TCase *tc = tcase_create("response");

    tcase_add_loop_test(tc, class_table, 0, (int)(sizeof(class_cases) / sizeof(class_cases[0])));
    tcase_add_test(tc, status_reason);
    tcase_add_loop_test(tc, bulk_table, 0, (int)(sizeof(bulk_cases) / sizeof(bulk_cases[0])));
    tcase_add_loop_test(tc, hec_table, 0, (int)(sizeof(hec_cases) / sizeof(hec_cases[0])));
    tcase_add_loop_test(tc, ack_table, 0, (int)(sizeof(ack_cases) / sizeof(ack_cases[0])));
    tcase_add_test(tc, ack_url);
    return tc;
}
