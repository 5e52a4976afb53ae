/*
 * tls.c: OpenSSL contexts for the HTTPS listener.
 */
#include "net/tls.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

enum sh_err tls_server_ctx(const char *cert_path, const char *key_path, struct ssl_ctx_st **out,
                           struct sh_errinfo *info)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    char why[256] = "";
    enum sh_err rc = SH_OK;

    if (ctx == NULL)
        return err_set(info, SH_ECRYPTO, "", "cannot create a TLS context");
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    if (SSL_CTX_use_certificate_chain_file(ctx, cert_path) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, key_path, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ctx) != 1) {
        ERR_error_string_n(ERR_get_error(), why, sizeof(why));
        rc = err_set(info, SH_ECRYPTO, "http.tls", "cannot load %s / %s: %s", cert_path, key_path,
                     why);
        ERR_clear_error();
        SSL_CTX_free(ctx);
        ctx = NULL;
    }
    *out = ctx;
    return rc;
}

void tls_ctx_free(struct ssl_ctx_st *ctx)
{
    SSL_CTX_free(ctx);
}

/* Chain building cannot succeed for a self-signed peer certificate; pinning decides trust.
 * Everything else the verifier finds (expiry above all) still fails the handshake. */
static int link_verify_cb(int ok, X509_STORE_CTX *store)
{
    int err = X509_STORE_CTX_get_error(store);

    if (ok)
        return 1;
    switch (err) {
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        return 1;
    default:
        return 0;
    }
}

enum sh_err tls_link_ctx(const char *cert_path, const char *key_path, int server,
                         struct ssl_ctx_st **out, struct sh_errinfo *info)
{
    SSL_CTX *ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
    char why[256] = "";
    enum sh_err rc = SH_OK;

    if (ctx == NULL)
        return err_set(info, SH_ECRYPTO, "", "cannot create a TLS context");
    SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
    SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, link_verify_cb);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_num_tickets(ctx, 0);
    if (SSL_CTX_use_certificate_chain_file(ctx, cert_path) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, key_path, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ctx) != 1) {
        ERR_error_string_n(ERR_get_error(), why, sizeof(why));
        rc = err_set(info, SH_ECRYPTO, "link", "cannot load %s / %s: %s", cert_path, key_path, why);
        ERR_clear_error();
        SSL_CTX_free(ctx);
        ctx = NULL;
    }
    *out = ctx;
    return rc;
}

int tls_peer_fingerprint(struct ssl_st *ssl, char out_hex[65])
{
    X509 *x = SSL_get1_peer_certificate(ssl);
    unsigned char digest[32];
    unsigned int len = 0;
    static const char digits[] = "0123456789abcdef";

    out_hex[0] = '\0';
    if (x == NULL)
        return -1;
    if (X509_digest(x, EVP_sha256(), digest, &len) != 1 || len != 32) {
        X509_free(x);
        return -1;
    }
    X509_free(x);
    for (int i = 0; i < 32; i++) {
        out_hex[2 * i] = digits[digest[i] >> 4];
        out_hex[2 * i + 1] = digits[digest[i] & 15];
    }
    out_hex[64] = '\0';
    return 0;
}
