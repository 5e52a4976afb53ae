/*
 * tls.h: TLS contexts from the node's certificate and key files.
 */
#ifndef SARHAD_NET_TLS_H
#define SARHAD_NET_TLS_H

#include "core/err.h"

struct ssl_ctx_st;
struct ssl_st;

/* A server context (TLS 1.2 or newer) serving `cert_path` with `key_path`. */
enum sh_err tls_server_ctx(const char *cert_path, const char *key_path, struct ssl_ctx_st **out,
                           struct sh_errinfo *info);

/* A context for the federation link: TLS 1.3 only, our certificate and key, and the peer's
 * certificate required. Self-signed certificates pass the handshake (they are pinned by
 * fingerprint afterwards, see tls_peer_fingerprint); expired or not yet valid ones fail it.
 * `server` selects the accepting or the dialling side. */
enum sh_err tls_link_ctx(const char *cert_path, const char *key_path, int server,
                         struct ssl_ctx_st **out, struct sh_errinfo *info);

/* SHA-256 fingerprint (hex) of the certificate the other end of `ssl` presented.
 * Returns 0, or -1 if it presented none. */
int tls_peer_fingerprint(struct ssl_st *ssl, char out_hex[65]);

/* Frees a context. NULL is a no-op. */
void tls_ctx_free(struct ssl_ctx_st *ctx);

#endif
