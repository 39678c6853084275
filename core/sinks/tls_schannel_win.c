/*
 * tls_schannel_win.c - the TLS engine of tls.h over SSPI/Schannel (Windows
 * builds), the counterpart of tls_openssl.c.
 *
 * DESIGN. Schannel never sees the socket either: received ciphertext is
 * appended to `in`, InitializeSecurityContextW (handshake) and
 * DecryptMessage consume it (what they leave unread comes back as a
 * SECBUFFER_EXTRA and is kept at the front of `in`), and every token or
 * record they produce is appended to `out` for the caller to send.
 *
 * Verification is always done here, after the handshake, rather than by
 * Schannel (SCH_CRED_MANUAL_CRED_VALIDATION): the chain of the server's
 * certificate is built with CertGetCertificateChain and checked with
 * CertVerifyCertificateChainPolicy(CERT_CHAIN_POLICY_SSL) and the host name.
 * By default the roots are the Windows certificate store's; with ca_file
 * the PEM certificates are loaded into an in-memory store, the chain may
 * end in them, and its root must be one of them (so, as with OpenSSL, a
 * ca_file replaces the system roots rather than adding to them). An IP
 * literal is compared with the certificate's IP address SANs here, because
 * the SSL policy only knows DNS names. Doing it ourselves gives the same
 * "certificate rejected: ..." errors as the OpenSSL backend and does not
 * depend on how a given Windows (or Wine) validates automatically.
 *
 * Limits (docs/sinks-syslog.md): TLS 1.2 only (SCHANNEL_CRED; TLS 1.3
 * through Schannel needs SCH_CREDENTIALS and Windows 11), no client
 * certificate yet (a PEM key would have to be imported into a CNG key
 * container), no ca_path (an OpenSSL hashed folder has no Windows meaning).
 */
#include "sinks/tls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#define SECURITY_WIN32
#include <windows.h>
#include <security.h>
#include <schannel.h>
#include <wincrypt.h>

#include "util/error.h"
#include "util/file.h"

/* From wininet.h/winhttp.h: the SSL chain policy's per-check ignore flags. */
#ifndef SECURITY_FLAG_IGNORE_UNKNOWN_CA
#define SECURITY_FLAG_IGNORE_UNKNOWN_CA 0x00000100
#endif
#ifndef SECURITY_FLAG_IGNORE_CERT_CN_INVALID
#define SECURITY_FLAG_IGNORE_CERT_CN_INVALID 0x00001000
#endif

#define CA_FILE_MAX (16u << 20)
#define BUF_MAX     (1u << 30)
#define ISC_FLAGS                                                                                  \
    (ISC_REQ_SEQUENCE_DETECT | ISC_REQ_REPLAY_DETECT | ISC_REQ_CONFIDENTIALITY |                   \
     ISC_REQ_ALLOCATE_MEMORY | ISC_REQ_STREAM)

struct ef_tls_ctx {
    CredHandle cred;
    int have_cred;
    int verify;
    HCERTSTORE ca; /* ca_file's certificates; NULL: the Windows store */
};

struct ef_tls {
    struct ef_tls_ctx *ctx;
    CtxtHandle h;
    int have_h;
    int done; /* handshake complete */
    unsigned long req;
    wchar_t *whost;
    char host[256];
    SecPkgContext_StreamSizes sizes;
    struct ef_buf in;  /* ciphertext received, not consumed yet */
    struct ef_buf out; /* ciphertext to send */
    char err[300];
};

const char *ef_tls_backend(void)
{
    return "schannel";
}

/* Describes a SECURITY_STATUS or certificate error code. */
static void status_error(char *err, size_t cap, const char *what, DWORD code)
{
    char msg[200] = "";
    DWORD n = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, code,
                             0, msg, sizeof(msg), NULL);

    while (n > 0 &&
           (msg[n - 1] == '\n' || msg[n - 1] == '\r' || msg[n - 1] == ' ' || msg[n - 1] == '.'))
        msg[--n] = 0;
    snprintf(err, cap, "%s: 0x%08lx%s%s", what, (unsigned long)code, n ? " " : "", msg);
}

/* Loads every PEM certificate of a file into a new in-memory store. */
static int load_ca_file(const char *path, HCERTSTORE *out, char *err, size_t errcap)
{
    static const char BEGIN[] = "-----BEGIN CERTIFICATE-----";
    static const char END[] = "-----END CERTIFICATE-----";
    HCERTSTORE store = NULL;
    char *data = NULL, *p;
    BYTE *der = NULL;
    size_t len;
    int rc, count = 0;

    rc = ef_read_file(path, CA_FILE_MAX, &data, &len);
    if (rc < 0) {
        snprintf(err, errcap, "%s: cannot read the CA file (%s)", path, ef_strerror(rc));
        rc = EF_ECONFIG;
        goto out;
    }
    store = CertOpenStore(CERT_STORE_PROV_MEMORY, 0, 0, 0, NULL);
    if (!store) {
        status_error(err, errcap, "CertOpenStore", GetLastError());
        rc = EF_ENOMEM;
        goto out;
    }
    rc = EF_ECONFIG;
    for (p = strstr(data, BEGIN); p; p = strstr(p, BEGIN)) {
        char *e = strstr(p, END);
        DWORD n = 0;

        if (!e) {
            snprintf(err, errcap, "%s: unterminated PEM certificate", path);
            goto out;
        }
        e += sizeof(END) - 1;
        if (!CryptStringToBinaryA(p, (DWORD)(e - p), CRYPT_STRING_BASE64HEADER, NULL, &n, NULL,
                                  NULL) ||
            !(der = malloc(n)) ||
            !CryptStringToBinaryA(p, (DWORD)(e - p), CRYPT_STRING_BASE64HEADER, der, &n, NULL,
                                  NULL) ||
            !CertAddEncodedCertificateToStore(store, X509_ASN_ENCODING | PKCS_7_ASN_ENCODING, der,
                                              n, CERT_STORE_ADD_ALWAYS, NULL)) {
            snprintf(err, errcap, "%s: certificate %d is not valid PEM/DER", path, count + 1);
            goto out;
        }
        free(der);
        der = NULL;
        count++;
        p = e;
    }
    if (count == 0) {
        snprintf(err, errcap, "%s: no PEM certificate in the CA file", path);
        goto out;
    }
    *out = store;
    store = NULL;
    rc = 0;
out:
    free(der);
    free(data);
    if (store)
        CertCloseStore(store, 0);
    return rc;
}

int ef_tls_ctx_new(const struct ef_tls_options *opt, struct ef_tls_ctx **out, char *err,
                   size_t errcap)
{
    struct ef_tls_ctx *c;
    SCHANNEL_CRED sc;
    SECURITY_STATUS ss;
    int rc = EF_ECONFIG;

    *out = NULL;
    if (opt->client_cert || opt->client_key) {
        snprintf(err, errcap,
                 "client_cert/client_key are not supported by the Windows (Schannel) "
                 "TLS backend yet");
        return EF_ENOTSUP;
    }
    if (opt->ca_path) {
        snprintf(err, errcap,
                 "ca_path (an OpenSSL hashed folder) is not supported on Windows: "
                 "use ca_file, or the Windows certificate store");
        return EF_ENOTSUP;
    }
    c = calloc(1, sizeof(*c));
    if (!c)
        return EF_ENOMEM;
    c->verify = opt->verify;
    if (opt->ca_file) {
        rc = load_ca_file(opt->ca_file, &c->ca, err, errcap);
        if (rc < 0)
            goto out;
    }
    memset(&sc, 0, sizeof(sc));
    sc.dwVersion = SCHANNEL_CRED_VERSION;
    sc.grbitEnabledProtocols = SP_PROT_TLS1_2_CLIENT;
    /* We verify the server ourselves after the handshake; send no certificate unasked. */
    sc.dwFlags = SCH_CRED_MANUAL_CRED_VALIDATION | SCH_CRED_NO_DEFAULT_CREDS;
    ss = AcquireCredentialsHandleW(NULL, (SEC_WCHAR *)UNISP_NAME_W, SECPKG_CRED_OUTBOUND, NULL, &sc,
                                   NULL, NULL, &c->cred, NULL);
    if (ss != SEC_E_OK) {
        status_error(err, errcap, "AcquireCredentialsHandle (Schannel)", (DWORD)ss);
        rc = EF_ESYS;
        goto out;
    }
    c->have_cred = 1;
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
    if (ctx->have_cred)
        FreeCredentialsHandle(&ctx->cred);
    if (ctx->ca)
        CertCloseStore(ctx->ca, 0);
    free(ctx);
}

/* Appends an SSPI-allocated output token to out and frees it. */
static int take_token(struct ef_tls *t, SecBuffer *b)
{
    int rc = 0;

    if (b->pvBuffer && b->cbBuffer)
        rc = ef_buf_append(&t->out, b->pvBuffer, b->cbBuffer);
    if (b->pvBuffer)
        FreeContextBuffer(b->pvBuffer);
    b->pvBuffer = NULL;
    return rc;
}

/* Keeps only the last `extra` bytes of the input (what SSPI did not consume). */
static void keep_extra(struct ef_tls *t, size_t extra)
{
    if (extra > t->in.len)
        extra = t->in.len;
    memmove(t->in.data, t->in.data + t->in.len - extra, extra);
    t->in.len = extra;
    t->in.data[extra] = 0;
}

int ef_tls_new(struct ef_tls_ctx *ctx, const char *host, struct ef_tls **out)
{
    struct ef_tls *t;
    SecBuffer ob = {0, SECBUFFER_TOKEN, NULL};
    SecBufferDesc od = {SECBUFFER_VERSION, 1, &ob};
    unsigned long attrs = 0;
    SECURITY_STATUS ss;
    int n, rc = EF_ENOMEM;

    *out = NULL;
    t = calloc(1, sizeof(*t));
    if (!t)
        return EF_ENOMEM;
    t->ctx = ctx;
    t->req = ISC_FLAGS;
    ef_buf_init(&t->in, BUF_MAX);
    ef_buf_init(&t->out, BUF_MAX);
    snprintf(t->host, sizeof(t->host), "%s", host);
    snprintf(t->err, sizeof(t->err), "no error");
    n = MultiByteToWideChar(CP_UTF8, 0, host, -1, NULL, 0);
    if (n <= 0) {
        rc = EF_EINVAL;
        goto out;
    }
    t->whost = calloc((size_t)n, sizeof(wchar_t));
    if (!t->whost)
        goto out;
    MultiByteToWideChar(CP_UTF8, 0, host, -1, t->whost, n);
    /* The first call makes the ClientHello (with the name for SNI). */
    ss = InitializeSecurityContextW(&ctx->cred, NULL, t->whost, t->req, 0, 0, NULL, 0, &t->h, &od,
                                    &attrs, NULL);
    if (ss != SEC_I_CONTINUE_NEEDED) {
        if (ob.pvBuffer)
            FreeContextBuffer(ob.pvBuffer);
        status_error(t->err, sizeof(t->err), "TLS handshake start", (DWORD)ss);
        rc = EF_ECONN;
        goto out;
    }
    t->have_h = 1;
    rc = take_token(t, &ob);
    if (rc < 0)
        goto out;
    *out = t;
    t = NULL;
out:
    ef_tls_free(t);
    return rc;
}

void ef_tls_free(struct ef_tls *t)
{
    if (!t)
        return;
    if (t->have_h)
        DeleteSecurityContext(&t->h);
    ef_buf_free(&t->in);
    ef_buf_free(&t->out);
    free(t->whost);
    free(t);
}

int ef_tls_feed(struct ef_tls *t, const void *p, size_t n)
{
    return n ? ef_buf_append(&t->in, p, n) : 0;
}

/* Whether an IP literal equals one of the certificate's IP address SANs. */
static int ip_in_san(PCCERT_CONTEXT cert, const char *host)
{
    unsigned char want[16];
    size_t wn;
    PCERT_EXTENSION ext;
    CERT_ALT_NAME_INFO *san = NULL;
    DWORD i, size = 0;
    int found = 0;

    if (uv_inet_pton(AF_INET, host, want) == 0)
        wn = 4;
    else if (uv_inet_pton(AF_INET6, host, want) == 0)
        wn = 16;
    else
        return 0;
    ext = CertFindExtension(szOID_SUBJECT_ALT_NAME2, cert->pCertInfo->cExtension,
                            cert->pCertInfo->rgExtension);
    if (!ext || !CryptDecodeObjectEx(X509_ASN_ENCODING, X509_ALTERNATE_NAME, ext->Value.pbData,
                                     ext->Value.cbData, CRYPT_DECODE_ALLOC_FLAG, NULL, &san, &size))
        return 0;
    for (i = 0; i < san->cAltEntry && !found; i++) {
        const CERT_ALT_NAME_ENTRY *e = &san->rgAltEntry[i];

        found = e->dwAltNameChoice == CERT_ALT_NAME_IP_ADDRESS && e->IPAddress.cbData == wn &&
                memcmp(e->IPAddress.pbData, want, wn) == 0;
    }
    LocalFree(san);
    return found;
}

static int is_ip_literal(const char *host)
{
    unsigned char tmp[16];

    return uv_inet_pton(AF_INET, host, tmp) == 0 || uv_inet_pton(AF_INET6, host, tmp) == 0;
}

static const char *cert_reason(DWORD e)
{
    switch (e) {
    case CERT_E_UNTRUSTEDROOT:
        return "unknown or untrusted certificate authority";
    case CERT_E_CHAINING:
        return "incomplete certificate chain";
    case CERT_E_CN_NO_MATCH:
        return "the certificate is for another host name";
    case CERT_E_EXPIRED:
        return "certificate expired or not yet valid";
    case CERT_E_WRONG_USAGE:
        return "certificate not valid for server authentication";
    case CERT_E_REVOKED:
        return "certificate revoked";
    case TRUST_E_CERT_SIGNATURE:
        return "bad certificate signature";
    default:
        return NULL;
    }
}

static int reject(struct ef_tls *t, DWORD code, const char *detail)
{
    const char *why = detail ? detail : cert_reason(code);

    if (why)
        snprintf(t->err, sizeof(t->err), "certificate rejected: %s", why);
    else
        status_error(t->err, sizeof(t->err), "certificate rejected", code);
    return EF_EREJECTED;
}

/* Checks the server's certificate chain and name (see DESIGN above). */
static int verify_server(struct ef_tls *t)
{
    struct ef_tls_ctx *ctx = t->ctx;
    PCCERT_CONTEXT server = NULL;
    PCCERT_CHAIN_CONTEXT chain = NULL;
    HCERTSTORE extra = NULL;
    CERT_CHAIN_PARA cp;
    SSL_EXTRA_CERT_CHAIN_POLICY_PARA ssl;
    CERT_CHAIN_POLICY_PARA pp;
    CERT_CHAIN_POLICY_STATUS ps;
    SECURITY_STATUS ss;
    int rc, ip = is_ip_literal(t->host);

    ss = QueryContextAttributesW(&t->h, SECPKG_ATTR_REMOTE_CERT_CONTEXT, &server);
    if (ss != SEC_E_OK || !server) {
        rc = reject(t, (DWORD)ss, "the server sent no certificate");
        goto out;
    }
    /* The intermediates the server sent, plus ca_file's certificates. */
    extra = server->hCertStore;
    if (ctx->ca) {
        extra = CertOpenStore(CERT_STORE_PROV_COLLECTION, 0, 0, 0, NULL);
        if (!extra || !CertAddStoreToCollection(extra, ctx->ca, 0, 0) ||
            !CertAddStoreToCollection(extra, server->hCertStore, 0, 0)) {
            status_error(t->err, sizeof(t->err), "certificate store", GetLastError());
            rc = EF_ENOMEM;
            goto out;
        }
    }
    memset(&cp, 0, sizeof(cp));
    cp.cbSize = sizeof(cp);
    if (!CertGetCertificateChain(NULL, server, NULL, extra, &cp, 0, NULL, &chain)) {
        rc = reject(t, GetLastError(), NULL);
        goto out;
    }
    memset(&ssl, 0, sizeof(ssl));
    ssl.cbSize = sizeof(ssl);
    ssl.dwAuthType = AUTHTYPE_SERVER;
    ssl.pwszServerName = t->whost;
    /* ca_file's root is not in the Windows store: checked below instead. */
    if (ctx->ca)
        ssl.fdwChecks |= SECURITY_FLAG_IGNORE_UNKNOWN_CA;
    if (ip)
        ssl.fdwChecks |= SECURITY_FLAG_IGNORE_CERT_CN_INVALID;
    memset(&pp, 0, sizeof(pp));
    pp.cbSize = sizeof(pp);
    pp.dwFlags = ctx->ca ? CERT_CHAIN_POLICY_ALLOW_UNKNOWN_CA_FLAG : 0;
    pp.pvExtraPolicyPara = &ssl;
    memset(&ps, 0, sizeof(ps));
    ps.cbSize = sizeof(ps);
    if (!CertVerifyCertificateChainPolicy(CERT_CHAIN_POLICY_SSL, chain, &pp, &ps)) {
        rc = reject(t, GetLastError(), NULL);
        goto out;
    }
    if (ps.dwError) {
        rc = reject(t, ps.dwError, NULL);
        goto out;
    }
    if (ctx->ca) {
        const CERT_SIMPLE_CHAIN *sc = chain->cChain ? chain->rgpChain[0] : NULL;
        PCCERT_CONTEXT root =
            sc && sc->cElement ? sc->rgpElement[sc->cElement - 1]->pCertContext : NULL;
        PCCERT_CONTEXT mine =
            root ? CertFindCertificateInStore(ctx->ca, X509_ASN_ENCODING | PKCS_7_ASN_ENCODING, 0,
                                              CERT_FIND_EXISTING, root, NULL)
                 : NULL;

        if (!mine || (chain->TrustStatus.dwErrorStatus & CERT_TRUST_IS_PARTIAL_CHAIN)) {
            rc = reject(t, CERT_E_UNTRUSTEDROOT, NULL);
            goto out;
        }
        CertFreeCertificateContext(mine);
    }
    if (ip && !ip_in_san(server, t->host)) {
        rc = reject(t, CERT_E_CN_NO_MATCH, "the certificate does not name this IP address");
        goto out;
    }
    rc = 0;
out:
    if (chain)
        CertFreeCertificateChain(chain);
    if (extra && (!server || extra != server->hCertStore))
        CertCloseStore(extra, 0);
    if (server)
        CertFreeCertificateContext(server);
    return rc;
}

static int handshake_done(struct ef_tls *t)
{
    SECURITY_STATUS ss;
    int rc;

    if (t->ctx->verify) {
        rc = verify_server(t);
        if (rc < 0)
            return rc;
    }
    ss = QueryContextAttributesW(&t->h, SECPKG_ATTR_STREAM_SIZES, &t->sizes);
    if (ss != SEC_E_OK || t->sizes.cbMaximumMessage == 0) {
        status_error(t->err, sizeof(t->err), "TLS stream sizes", (DWORD)ss);
        return EF_ECONN;
    }
    t->done = 1;
    return 0;
}

int ef_tls_handshake(struct ef_tls *t)
{
    for (;;) {
        SecBuffer ib[2] = {{(unsigned long)t->in.len, SECBUFFER_TOKEN, t->in.data},
                           {0, SECBUFFER_EMPTY, NULL}};
        SecBuffer ob = {0, SECBUFFER_TOKEN, NULL};
        SecBufferDesc id = {SECBUFFER_VERSION, 2, ib}, od = {SECBUFFER_VERSION, 1, &ob};
        unsigned long attrs = 0;
        SECURITY_STATUS ss;
        int rc;

        if (t->done)
            return 0;
        if (t->in.len == 0)
            return EF_EAGAIN;
        ss = InitializeSecurityContextW(&t->ctx->cred, &t->h, t->whost, t->req, 0, 0, &id, 0, NULL,
                                        &od, &attrs, NULL);
        if (ss == SEC_E_INCOMPLETE_MESSAGE) {
            if (ob.pvBuffer)
                FreeContextBuffer(ob.pvBuffer);
            return EF_EAGAIN;
        }
        rc = take_token(t, &ob);
        if (rc < 0)
            return rc;
        if (ss == SEC_I_INCOMPLETE_CREDENTIALS && !(t->req & ISC_REQ_USE_SUPPLIED_CREDS)) {
            /*
             * The server asked for a client certificate (often optional, as
             * with syslog-ng's peer-verify(optional-untrusted)). We have
             * none: ask Schannel to go on with what we supplied, which
             * answers with an empty certificate list; the input is unread.
             */
            t->req |= ISC_REQ_USE_SUPPLIED_CREDS;
            continue;
        }
        if (ss != SEC_E_OK && ss != SEC_I_CONTINUE_NEEDED) {
            if (ss == SEC_E_UNTRUSTED_ROOT || ss == SEC_E_WRONG_PRINCIPAL ||
                ss == SEC_E_CERT_EXPIRED || ss == SEC_E_CERT_UNKNOWN)
                return reject(t, (DWORD)ss, NULL);
            status_error(t->err, sizeof(t->err), "TLS handshake", (DWORD)ss);
            return EF_ECONN;
        }
        keep_extra(t, ib[1].BufferType == SECBUFFER_EXTRA ? ib[1].cbBuffer : 0);
        if (ss == SEC_E_OK)
            return handshake_done(t);
    }
}

int ef_tls_write(struct ef_tls *t, const void *p, size_t n)
{
    const char *c = p;

    if (!t->done) {
        snprintf(t->err, sizeof(t->err), "TLS write before the handshake completed");
        return EF_ECONN;
    }
    while (n > 0) {
        size_t chunk = n < t->sizes.cbMaximumMessage ? n : t->sizes.cbMaximumMessage;
        size_t room = t->sizes.cbHeader + chunk + t->sizes.cbTrailer;
        SecBuffer b[4];
        SecBufferDesc d = {SECBUFFER_VERSION, 4, b};
        SECURITY_STATUS ss;
        char *base;
        int rc = ef_buf_reserve(&t->out, room);

        if (rc < 0)
            return rc;
        /* Encrypted in place at the end of out: header, data, trailer. */
        base = t->out.data + t->out.len;
        memcpy(base + t->sizes.cbHeader, c, chunk);
        b[0] = (SecBuffer){t->sizes.cbHeader, SECBUFFER_STREAM_HEADER, base};
        b[1] = (SecBuffer){(unsigned long)chunk, SECBUFFER_DATA, base + t->sizes.cbHeader};
        b[2] = (SecBuffer){t->sizes.cbTrailer, SECBUFFER_STREAM_TRAILER,
                           base + t->sizes.cbHeader + chunk};
        b[3] = (SecBuffer){0, SECBUFFER_EMPTY, NULL};
        ss = EncryptMessage(&t->h, 0, &d, 0);
        if (ss != SEC_E_OK) {
            status_error(t->err, sizeof(t->err), "TLS write (EncryptMessage)", (DWORD)ss);
            return EF_ECONN;
        }
        /* The trailer may be shorter than its maximum; the parts stay contiguous. */
        t->out.len += b[0].cbBuffer + b[1].cbBuffer + b[2].cbBuffer;
        t->out.data[t->out.len] = 0;
        c += chunk;
        n -= chunk;
    }
    return 0;
}

int ef_tls_drain(struct ef_tls *t)
{
    for (;;) {
        SecBuffer b[4];
        SecBufferDesc d = {SECBUFFER_VERSION, 4, b};
        SECURITY_STATUS ss;
        size_t extra = 0;
        int i, rc;

        if (!t->done) {
            /* A renegotiation (or TLS 1.3 post-handshake message) in progress. */
            rc = ef_tls_handshake(t);
            if (rc == EF_EAGAIN)
                return 0;
            if (rc < 0)
                return rc;
        }
        if (t->in.len == 0)
            return 0;
        b[0] = (SecBuffer){(unsigned long)t->in.len, SECBUFFER_DATA, t->in.data};
        for (i = 1; i < 4; i++)
            b[i] = (SecBuffer){0, SECBUFFER_EMPTY, NULL};
        ss = DecryptMessage(&t->h, &d, 0, NULL);
        if (ss == SEC_E_INCOMPLETE_MESSAGE)
            return 0;
        if (ss == SEC_I_CONTEXT_EXPIRED) {
            snprintf(t->err, sizeof(t->err), "the server closed the TLS session");
            return EF_ECONN;
        }
        if (ss != SEC_E_OK && ss != SEC_I_RENEGOTIATE) {
            status_error(t->err, sizeof(t->err), "TLS read (DecryptMessage)", (DWORD)ss);
            return EF_ECONN;
        }
        /* The decrypted data (in place) is discarded: a syslog server sends none. */
        for (i = 1; i < 4; i++) {
            if (b[i].BufferType == SECBUFFER_EXTRA)
                extra = b[i].cbBuffer;
        }
        keep_extra(t, extra);
        if (ss == SEC_I_RENEGOTIATE)
            t->done = 0; /* the extra bytes go to InitializeSecurityContextW */
    }
}

int ef_tls_take_output(struct ef_tls *t, struct ef_buf *out)
{
    int rc;

    if (t->out.len == 0)
        return 0;
    rc = ef_buf_append(out, t->out.data, t->out.len);
    if (rc < 0)
        return rc;
    ef_buf_reset(&t->out);
    return 0;
}

const char *ef_tls_error(const struct ef_tls *t)
{
    return t->err;
}
