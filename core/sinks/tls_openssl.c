/*
 * tls_openssl.c - the TLS engine of tls.h over OpenSSL (Linux builds).
 *
 * DESIGN. Each connection is an SSL object between two memory BIOs: rbio
 * holds the ciphertext the caller fed from the socket, wbio collects the
 * ciphertext OpenSSL wants sent. No socket is ever given to OpenSSL, so
 * libuv keeps doing all I/O. Verification uses SSL_VERIFY_PEER plus
 * SSL_set1_host (or the IP address for IP literals), so a certificate for
 * another name fails the handshake like a bad chain does.
 */
#include "sinks/tls.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"

struct ef_tls_ctx {
    SSL_CTX *ssl_ctx;
    int verify;
};

struct ef_tls {
    SSL *ssl;
    BIO *rbio, *wbio; /* owned by ssl */
    char err[256];
};

const char *ef_tls_backend(void)
{
    return "openssl";
}

static void last_error(char *err, size_t cap, const char *what)
{
    unsigned long e = ERR_get_error();
    char msg[200];

    if (e)
        ERR_error_string_n(e, msg, sizeof(msg));
    else
        snprintf(msg, sizeof(msg), "no details");
    snprintf(err, cap, "%s: %s", what, msg);
    ERR_clear_error();
}

int ef_tls_ctx_new(const struct ef_tls_options *opt, struct ef_tls_ctx **out, char *err,
                   size_t errcap)
{
    struct ef_tls_ctx *c;
    int rc = EF_ECONFIG;

    *out = NULL;
    c = calloc(1, sizeof(*c));
    if (!c)
        return EF_ENOMEM;
    c->verify = opt->verify;
    c->ssl_ctx = SSL_CTX_new(TLS_client_method());
    if (!c->ssl_ctx) {
        last_error(err, errcap, "SSL_CTX_new");
        rc = EF_ENOMEM;
        goto out;
    }
    /* RFC 5425 requires TLS 1.2 or later in practice; older versions are broken. */
    SSL_CTX_set_min_proto_version(c->ssl_ctx, TLS1_2_VERSION);
    SSL_CTX_set_mode(c->ssl_ctx, SSL_MODE_ENABLE_PARTIAL_WRITE);
    if (opt->ca_file || opt->ca_path) {
        if (SSL_CTX_load_verify_locations(c->ssl_ctx, opt->ca_file, opt->ca_path) != 1) {
            last_error(err, errcap, opt->ca_file ? opt->ca_file : opt->ca_path);
            goto out;
        }
    } else if (SSL_CTX_set_default_verify_paths(c->ssl_ctx) != 1) {
        last_error(err, errcap, "system trust store");
        goto out;
    }
    if (opt->client_cert) {
        if (SSL_CTX_use_certificate_chain_file(c->ssl_ctx, opt->client_cert) != 1) {
            last_error(err, errcap, opt->client_cert);
            goto out;
        }
        if (SSL_CTX_use_PrivateKey_file(c->ssl_ctx, opt->client_key, SSL_FILETYPE_PEM) != 1 ||
            SSL_CTX_check_private_key(c->ssl_ctx) != 1) {
            last_error(err, errcap, opt->client_key ? opt->client_key : "client_key");
            goto out;
        }
    }
    SSL_CTX_set_verify(c->ssl_ctx, opt->verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, NULL);
    *out = c;
    c = NULL;
    rc = 0;
out:
    ef_tls_ctx_free(c);
    return rc;
}

void ef_tls_ctx_free(struct ef_tls_ctx *ctx)
{
    if (!ctx)
        return;
    SSL_CTX_free(ctx->ssl_ctx);
    free(ctx);
}

/* An IPv6 literal has a colon; an IPv4 one only digits and dots. */
static int is_ip_literal(const char *host)
{
    const char *p;

    if (strchr(host, ':'))
        return 1;
    for (p = host; *p; p++) {
        if (*p != '.' && (*p < '0' || *p > '9'))
            return 0;
    }
    return *host != 0;
}

int ef_tls_new(struct ef_tls_ctx *ctx, const char *host, struct ef_tls **out)
{
    struct ef_tls *t;
    int rc = EF_ENOMEM;

    *out = NULL;
    t = calloc(1, sizeof(*t));
    if (!t)
        return EF_ENOMEM;
    t->ssl = SSL_new(ctx->ssl_ctx);
    t->rbio = BIO_new(BIO_s_mem());
    t->wbio = BIO_new(BIO_s_mem());
    if (!t->ssl || !t->rbio || !t->wbio) {
        BIO_free(t->rbio);
        BIO_free(t->wbio);
        t->rbio = t->wbio = NULL;
        goto out;
    }
    /* An empty read BIO must say "retry", not "end of file". */
    BIO_set_mem_eof_return(t->rbio, -1);
    SSL_set_bio(t->ssl, t->rbio, t->wbio);
    SSL_set_connect_state(t->ssl);
    if (is_ip_literal(host)) {
        if (ctx->verify && X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(t->ssl), host) != 1) {
            rc = EF_EINVAL;
            goto out;
        }
    } else {
        SSL_set_tlsext_host_name(t->ssl, host);
        if (ctx->verify && SSL_set1_host(t->ssl, host) != 1) {
            rc = EF_EINVAL;
            goto out;
        }
    }
    snprintf(t->err, sizeof(t->err), "no error");
    /* Produces the ClientHello into the output. */
    (void)ef_tls_handshake(t);
    *out = t;
    t = NULL;
    rc = 0;
out:
    ef_tls_free(t);
    return rc;
}

void ef_tls_free(struct ef_tls *t)
{
    if (!t)
        return;
    SSL_free(t->ssl); /* frees both BIOs */
    free(t);
}

int ef_tls_feed(struct ef_tls *t, const void *p, size_t n)
{
    if (n && BIO_write(t->rbio, p, (int)n) != (int)n)
        return EF_ENOMEM;
    return 0;
}

int ef_tls_handshake(struct ef_tls *t)
{
    long vr;
    int r = SSL_do_handshake(t->ssl);

    if (r == 1)
        return 0;
    switch (SSL_get_error(t->ssl, r)) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:
        return EF_EAGAIN;
    default:
        break;
    }
    vr = SSL_get_verify_result(t->ssl);
    if (vr != X509_V_OK) {
        snprintf(t->err, sizeof(t->err), "certificate rejected: %s",
                 X509_verify_cert_error_string(vr));
        ERR_clear_error();
        return EF_EREJECTED;
    }
    last_error(t->err, sizeof(t->err), "TLS handshake");
    return EF_ECONN;
}

int ef_tls_write(struct ef_tls *t, const void *p, size_t n)
{
    const char *c = p;

    while (n > 0) {
        int chunk = n > (1u << 30) ? (1 << 30) : (int)n;
        int r = SSL_write(t->ssl, c, chunk);

        if (r <= 0) {
            last_error(t->err, sizeof(t->err), "TLS write");
            return EF_ECONN;
        }
        c += r;
        n -= (size_t)r;
    }
    return 0;
}

int ef_tls_drain(struct ef_tls *t)
{
    char tmp[4096];

    for (;;) {
        int r = SSL_read(t->ssl, tmp, sizeof(tmp));

        if (r > 0)
            continue;
        switch (SSL_get_error(t->ssl, r)) {
        case SSL_ERROR_WANT_READ:
        case SSL_ERROR_WANT_WRITE:
            return 0;
        case SSL_ERROR_ZERO_RETURN:
            snprintf(t->err, sizeof(t->err), "the server closed the TLS session");
            return EF_ECONN;
        default:
            last_error(t->err, sizeof(t->err), "TLS read");
            return EF_ECONN;
        }
    }
}

int ef_tls_take_output(struct ef_tls *t, struct ef_buf *out)
{
    char *p;
    long n = BIO_get_mem_data(t->wbio, &p);
    int rc;

    if (n <= 0)
        return 0;
    rc = ef_buf_append(out, p, (size_t)n);
    if (rc < 0)
        return rc;
    (void)BIO_reset(t->wbio);
    return 0;
}

const char *ef_tls_error(const struct ef_tls *t)
{
    return t->err;
}
