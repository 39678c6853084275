/*
 * tls_none.c - the tls.h engine of builds without a TLS backend.
 *
 * No build links it now (Linux has tls_openssl.c, Windows
 * tls_schannel_win.c); it is kept for a port without either: a syslog
 * sink with transport = tls then fails to open with a clear "not
 * supported" error instead of sending in the clear. The other functions are unreachable
 * because no context can be made.
 */
#include "sinks/tls.h"

#include <stdio.h>

#include "util/error.h"

const char *ef_tls_backend(void)
{
    return "none";
}

int ef_tls_ctx_new(const struct ef_tls_options *opt, struct ef_tls_ctx **out, char *err,
                   size_t errcap)
{
    (void)opt;
    *out = NULL;
    snprintf(err, errcap, "syslog over TLS is not supported yet in this build (no TLS backend)");
    return EF_ENOTSUP;
}

void ef_tls_ctx_free(struct ef_tls_ctx *ctx)
{
    (void)ctx;
}

int ef_tls_new(struct ef_tls_ctx *ctx, const char *host, struct ef_tls **out)
{
    (void)ctx;
    (void)host;
    *out = NULL;
    return EF_ENOTSUP;
}

void ef_tls_free(struct ef_tls *t)
{
    (void)t;
}

int ef_tls_feed(struct ef_tls *t, const void *p, size_t n)
{
    (void)t;
    (void)p;
    (void)n;
    return EF_ENOTSUP;
}

int ef_tls_handshake(struct ef_tls *t)
{
    (void)t;
    return EF_ENOTSUP;
}

int ef_tls_write(struct ef_tls *t, const void *p, size_t n)
{
    (void)t;
    (void)p;
    (void)n;
    return EF_ENOTSUP;
}

int ef_tls_drain(struct ef_tls *t)
{
    (void)t;
    return EF_ENOTSUP;
}

int ef_tls_take_output(struct ef_tls *t, struct ef_buf *out)
{
    (void)t;
    (void)out;
    return EF_ENOTSUP;
}

const char *ef_tls_error(const struct ef_tls *t)
{
    (void)t;
    return "TLS is not supported in this build";
}
