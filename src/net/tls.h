/*
 * tls.h: TLS contexts from the node's certificate and key files.
 */
#ifndef SARHAD_NET_TLS_H
#define SARHAD_NET_TLS_H

#include "core/err.h"

struct ssl_ctx_st;

/* A server context (TLS 1.2 or newer) serving `cert_path` with `key_path`. */
enum sh_err tls_server_ctx(const char *cert_path, const char *key_path, struct ssl_ctx_st **out,
                           struct sh_errinfo *info);

/* Frees a context. NULL is a no-op. */
void tls_ctx_free(struct ssl_ctx_st *ctx);

#endif
