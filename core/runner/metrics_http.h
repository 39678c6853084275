/*
 * metrics_http.h - the small HTTP/1.1 server of /metrics and /health.
 *
 * A libuv TCP listener (loopback by default) answering GET requests through
 * one handler callback. Each connection reads one request of at most 8 KiB
 * (413 beyond), answers and closes (Connection: close), so many clients can
 * be served at once without per-connection state beyond the request. Runs
 * on the pipeline's loop thread.
 */
#ifndef EF_RUNNER_METRICS_HTTP_H
#define EF_RUNNER_METRICS_HTTP_H

#include <uv.h>

#include "util/buf.h"

#define EF_HTTP_MAX_REQUEST 8192

/*
 * Fills body and content_type for a GET of path (query string removed) and
 * returns the status code (200, 404, 503...). Loop thread.
 */
typedef int (*ef_http_handler_fn)(void *ud, const char *path, struct ef_buf *body,
                                  const char **content_type);

struct ef_http_server;

/*
 * Listens on "host:port" ("127.0.0.1:9464", "[::1]:9464", "localhost:0").
 * *port_out (may be NULL) gets the port bound, useful with port 0.
 * Returns 0, EF_EINVAL (bad address) or EF_ECONN (bind/listen failed). Loop thread.
 */
int ef_http_server_start(uv_loop_t *loop, const char *listen, ef_http_handler_fn handler, void *ud,
                         struct ef_http_server **out, int *port_out);

/* Closes the listener and every connection; done(ud) once all handles closed. Loop thread. */
void ef_http_server_close(struct ef_http_server *srv, void (*done)(void *ud), void *ud);

/* Splits "host:port" / "[v6]:port" into host (hostcap bytes) and port. 0 or EF_EINVAL. */
int ef_http_parse_listen(const char *listen, char *host, size_t hostcap, int *port);

#endif
