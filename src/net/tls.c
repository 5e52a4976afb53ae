/*
 * tls.c: OpenSSL contexts for the HTTPS listener.
 */
#include "net/tls.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

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
