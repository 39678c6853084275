/*
 * tls.h - a small TLS client engine for the syslog sink (RFC 5425), with
 * one backend per platform library, as curl's vtls does.
 *
 * The engine never touches a socket: the caller feeds it the bytes read
 * from the connection (ef_tls_feed) and sends whatever it produced
 * (ef_tls_take_output). That keeps all I/O on the libuv loop and lets one
 * interface sit over OpenSSL's memory BIOs (tls_openssl.c, Linux) and
 * Schannel's SSPI buffers (tls_schannel_win.c, Windows). A build without a
 * backend would link tls_none.c, whose ef_tls_ctx_new fails with
 * EF_ENOTSUP and says so.
 *
 * A context holds the configuration (CA, client certificate, verification)
 * and is shared by the connections of one sink. Everything here runs on
 * the loop thread of the sink that owns it.
 */
#ifndef EF_SINKS_TLS_H
#define EF_SINKS_TLS_H

#include <stddef.h>

#include "util/buf.h"

struct ef_tls_options {
    int verify;              /* check the server's certificate and name (default on) */
    const char *ca_file;     /* PEM bundle; NULL: the system's trust store */
    const char *ca_path;     /* hashed certificate folder; may be NULL */
    const char *client_cert; /* PEM; with client_key, or both NULL */
    const char *client_key;
};

struct ef_tls_ctx;
struct ef_tls;

/* The backend's name ("openssl", "schannel", "none"), for logs and docs. Any thread. */
const char *ef_tls_backend(void);

/*
 * Makes a context. On failure err gets a one-line reason (file names,
 * library message) and the result is EF_ENOTSUP (no backend, or an option
 * the backend lacks: Schannel has no client certificate or ca_path yet),
 * EF_ECONFIG (unreadable CA or key), EF_ESYS or EF_ENOMEM.
 */
int ef_tls_ctx_new(const struct ef_tls_options *opt, struct ef_tls_ctx **out, char *err,
                   size_t errcap);
void ef_tls_ctx_free(struct ef_tls_ctx *ctx);

/*
 * Starts a client connection to host (a DNS name gets SNI and name
 * verification, an IP literal is verified against the certificate's IP
 * addresses). The handshake's first bytes are ready in the output at once.
 */
int ef_tls_new(struct ef_tls_ctx *ctx, const char *host, struct ef_tls **out);
void ef_tls_free(struct ef_tls *t);

/* Gives the engine n bytes received from the server. Returns 0 or EF_ENOMEM. */
int ef_tls_feed(struct ef_tls *t, const void *p, size_t n);

/*
 * Advances the handshake with what was fed. Returns 0 when it is complete,
 * EF_EAGAIN while it needs more input, or EF_ECONN / EF_EREJECTED
 * (certificate refused) with ef_tls_error() telling why.
 */
int ef_tls_handshake(struct ef_tls *t);

/* Encrypts n bytes of application data into the output. Returns 0 or EF_E*. */
int ef_tls_write(struct ef_tls *t, const void *p, size_t n);

/*
 * Reads and discards decrypted application data (a syslog receiver sends
 * none). Returns 0 while the connection is fine, EF_ECONN when the server
 * closed it (close_notify) or sent garbage.
 */
int ef_tls_drain(struct ef_tls *t);

/* Moves every byte waiting to be sent to the server to the end of out. */
int ef_tls_take_output(struct ef_tls *t, struct ef_buf *out);

/* The last error's description (never NULL). */
const char *ef_tls_error(const struct ef_tls *t);

#endif
