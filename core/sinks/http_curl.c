/*
 * http_curl.c - libcurl's multi interface driven by the libuv loop.
 *
 * DESIGN. curl does the HTTP; libuv owns the waiting. curl tells us which
 * sockets it wants watched (CURLMOPT_SOCKETFUNCTION: one uv_poll per socket)
 * and when it next needs to run for its own timeouts (CURLMOPT_TIMERFUNCTION:
 * one uv_timer); we call curl_multi_socket_action when a socket is ready or
 * the timer fires, then collect finished transfers. No thread per request,
 * any number of requests in flight on the loop thread, and connections are
 * reused from the multi handle's cache. curl's own timeouts (connect, total)
 * run on real time: they guard real sockets, unlike the pipeline's backoff,
 * which runs on the injectable clock.
 */
#include "sinks/http_int.h"

#include <curl/curl.h>
#include <stdlib.h>

#include "util/error.h"
#include "util/log.h"

struct sockctx {
    uv_poll_t poll;
    curl_socket_t fd;
    struct ef_http_multi *m;
    struct sockctx *prev, *next;
};

struct ef_http_multi {
    CURLM *multi;
    uv_loop_t *loop;
    uv_timer_t timer;
    ef_http_done_fn done;
    struct sockctx *socks; /* every live poll handle, to close them at the end */
    unsigned closing_handles;
    void (*closed)(void *ud);
    void *closed_ud;
};

static uv_once_t global_once = UV_ONCE_INIT;
static int global_rc;

static void global_init(void)
{
    global_rc = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : EF_ESYS;
}

static void check_done(struct ef_http_multi *m)
{
    CURLMsg *msg;
    int left;

    while ((msg = curl_multi_info_read(m->multi, &left))) {
        CURL *easy;
        void *ud = NULL;
        CURLcode code;

        if (msg->msg != CURLMSG_DONE)
            continue;
        easy = msg->easy_handle;
        code = msg->data.result;
        curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&ud);
        curl_multi_remove_handle(m->multi, easy);
        m->done(easy, (int)code, ud);
    }
}

static void on_poll(uv_poll_t *h, int status, int events)
{
    struct sockctx *c = h->data;
    struct ef_http_multi *m = c->m;
    int flags = 0, running;

    if (status < 0)
        flags = CURL_CSELECT_ERR;
    if (events & UV_READABLE)
        flags |= CURL_CSELECT_IN;
    if (events & UV_WRITABLE)
        flags |= CURL_CSELECT_OUT;
    curl_multi_socket_action(m->multi, c->fd, flags, &running);
    check_done(m);
}

static void on_timer(uv_timer_t *t)
{
    struct ef_http_multi *m = t->data;
    int running;

    curl_multi_socket_action(m->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    check_done(m);
}

static void maybe_closed(struct ef_http_multi *m)
{
    if (m->closing_handles == 0 && m->closed) {
        void (*cb)(void *) = m->closed;
        void *ud = m->closed_ud;

        free(m);
        cb(ud);
    }
}

static void on_sock_closed(uv_handle_t *h)
{
    struct sockctx *c = h->data;
    struct ef_http_multi *m = c->m;

    free(c);
    m->closing_handles--;
    maybe_closed(m);
}

static void sock_release(struct ef_http_multi *m, struct sockctx *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else
        m->socks = c->next;
    if (c->next)
        c->next->prev = c->prev;
    uv_poll_stop(&c->poll);
    m->closing_handles++;
    uv_close((uv_handle_t *)&c->poll, on_sock_closed);
}

static int on_socket(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
    struct ef_http_multi *m = userp;
    struct sockctx *c = socketp;
    int events = 0;

    (void)easy;
    if (what == CURL_POLL_REMOVE) {
        if (c) {
            curl_multi_assign(m->multi, s, NULL);
            sock_release(m, c);
        }
        return 0;
    }
    if (!c) {
        c = calloc(1, sizeof(*c));
        if (!c)
            return -1;
        if (uv_poll_init_socket(m->loop, &c->poll, (uv_os_sock_t)s) < 0) {
            free(c);
            return -1;
        }
        c->fd = s;
        c->m = m;
        c->poll.data = c;
        c->next = m->socks;
        if (m->socks)
            m->socks->prev = c;
        m->socks = c;
        curl_multi_assign(m->multi, s, c);
    }
    if (what & CURL_POLL_IN)
        events |= UV_READABLE;
    if (what & CURL_POLL_OUT)
        events |= UV_WRITABLE;
    uv_poll_start(&c->poll, events, on_poll);
    return 0;
}

static int on_timeout_change(CURLM *multi, long timeout_ms, void *userp)
{
    struct ef_http_multi *m = userp;

    (void)multi;
    if (timeout_ms < 0)
        uv_timer_stop(&m->timer);
    else
        uv_timer_start(&m->timer, on_timer, (uint64_t)timeout_ms, 0);
    return 0;
}

int ef_http_multi_open(uv_loop_t *loop, ef_http_done_fn done, struct ef_http_multi **out)
{
    struct ef_http_multi *m;

    uv_once(&global_once, global_init);
    if (global_rc < 0)
        return global_rc;
    m = calloc(1, sizeof(*m));
    if (!m)
        return EF_ENOMEM;
    m->multi = curl_multi_init();
    if (!m->multi) {
        free(m);
        return EF_ENOMEM;
    }
    m->loop = loop;
    m->done = done;
    uv_timer_init(loop, &m->timer);
    m->timer.data = m;
    curl_multi_setopt(m->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(m->multi, CURLMOPT_SOCKETDATA, m);
    curl_multi_setopt(m->multi, CURLMOPT_TIMERFUNCTION, on_timeout_change);
    curl_multi_setopt(m->multi, CURLMOPT_TIMERDATA, m);
    *out = m;
    return 0;
}

int ef_http_multi_add(struct ef_http_multi *m, void *easy)
{
    return curl_multi_add_handle(m->multi, easy) == CURLM_OK ? 0 : EF_ENOMEM;
}

void ef_http_multi_remove(struct ef_http_multi *m, void *easy)
{
    curl_multi_remove_handle(m->multi, easy);
}

static void on_timer_closed(uv_handle_t *h)
{
    struct ef_http_multi *m = h->data;

    m->closing_handles--;
    maybe_closed(m);
}

void ef_http_multi_close(struct ef_http_multi *m, void (*closed)(void *ud), void *ud)
{
    /* The caller removed its transfers; cleanup closes the cached connections. */
    curl_multi_cleanup(m->multi);
    m->multi = NULL;
    while (m->socks)
        sock_release(m, m->socks);
    uv_timer_stop(&m->timer);
    m->closing_handles++;
    uv_close((uv_handle_t *)&m->timer, on_timer_closed);
    m->closed = closed;
    m->closed_ud = ud;
}
