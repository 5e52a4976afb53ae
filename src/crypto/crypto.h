/*
 * crypto.h: hashing, randomness, API tokens, the node's Ed25519 key and its self-signed
 * certificate. Besides net/, the only module that includes OpenSSL; this header exposes none
 * of it (crypto_key_evp() hands the TLS layer a void *).
 *
 * Ownership: a `struct crypto_key` is owned by whoever received it from crypto_key_generate(),
 * crypto_key_from_seed() or crypto_key_load() and is released with crypto_key_free(). Every
 * other function borrows its arguments for the duration of the call.
 *
 * Errors: functions returning `enum sh_err` leave OpenSSL's reason (if any) on the thread's
 * error queue; crypto_last_error() drains it into a message for the log. Secrets (private keys,
 * tokens) are never written to logs by this module.
 */
#ifndef SARHAD_CRYPTO_CRYPTO_H
#define SARHAD_CRYPTO_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define CRYPTO_SHA256_LEN 32
#define CRYPTO_ED25519_PUB_LEN 32
#define CRYPTO_ED25519_SIG_LEN 64
#define CRYPTO_TOKEN_MAX 64 /* buffer size for a token incl. NUL */

/* One piece of a message hashed by crypto_sha256_v(). `data` may be NULL when `len` is 0. */
struct crypto_iov {
    const void *data;
    size_t len;
};

/* SHA-256 of `len` bytes at `data` (which may be NULL when `len` is 0) into `out`. Aborts the
 * process if OpenSSL cannot hash (only on allocation failure). */
void crypto_sha256(const void *data, size_t len, uint8_t out[CRYPTO_SHA256_LEN]);

/* SHA-256 of the concatenation of the `n` pieces in `iov`, without copying them together.
 * Aborts like crypto_sha256(). */
void crypto_sha256_v(const struct crypto_iov *iov, size_t n, uint8_t out[CRYPTO_SHA256_LEN]);

/* Fills `buf` with `len` bytes from OpenSSL's CSPRNG. SH_ECRYPTO if it is not seeded. */
enum sh_err crypto_random(void *buf, size_t len);

/* Writes `len` bytes of `in` as lower-case hex plus a NUL into `out` (2 * len + 1 bytes). */
void crypto_hex(const uint8_t *in, size_t len, char *out);

/* Decodes `inlen` hex digits (either case; not NUL-terminated) into `out`. Returns 0 if they
 * are exactly `outlen` bytes (inlen == 2 * outlen), else -1 with `out` zeroed. */
int crypto_unhex(const char *in, size_t inlen, uint8_t *out, size_t outlen);

/* Compares `len` bytes in time independent of their contents. Returns 1 if equal, else 0. */
int crypto_equal(const void *a, const void *b, size_t len);

/* API tokens: "sht_" + 43 chars base64url (no padding) of 32 random bytes. Stored only as hex
 * SHA-256. */

/* Writes a fresh NUL-terminated token (47 characters) into `out`. SH_ECRYPTO if the CSPRNG
 * fails. */
enum sh_err crypto_token_new(char out[CRYPTO_TOKEN_MAX]);

/* Writes the lower-case hex SHA-256 of the `len` bytes of `token` into `out_hex`: the only form
 * in which a token is stored or compared. */
void crypto_token_hash(const char *token, size_t len, char out_hex[2 * CRYPTO_SHA256_LEN + 1]);

/* Opaque: an Ed25519 private key. */
struct crypto_key;

/* Generates a new Ed25519 key into `*out` (caller owns it). SH_ECRYPTO on failure. */
enum sh_err crypto_key_generate(struct crypto_key **out);

/* Builds the Ed25519 key whose 32-byte private seed is `seed` (RFC 8032), for tests and
 * published vectors. Caller owns `*out`. */
enum sh_err crypto_key_from_seed(const uint8_t seed[32], struct crypto_key **out);

/* Writes `key` as an unencrypted PKCS#8 PEM to a new file `path` with mode 0600 and fsyncs it.
 * Never overwrites: SH_EEXISTS if `path` exists, SH_EIO if it cannot be written (a partly
 * written file is removed), SH_ECRYPTO if the key cannot be encoded. */
enum sh_err crypto_key_save(const struct crypto_key *key, const char *path);

/* Reads the PEM private key at `path` into `*out` (caller owns it). SH_EIO if the file cannot
 * be opened or read; SH_EINVAL if it is not a regular file, grants any group/other permission
 * (a private key must be 0600 or stricter), is encrypted, or does not hold an Ed25519 key. */
enum sh_err crypto_key_load(const char *path, struct crypto_key **out);

/* Releases `key` and wipes its secret. NULL is a no-op. */
void crypto_key_free(struct crypto_key *key);

/* Writes the raw 32-byte Ed25519 public key of `key` into `pub`. */
void crypto_key_public(const struct crypto_key *key, uint8_t pub[CRYPTO_ED25519_PUB_LEN]);

/* Signs the `len` bytes of `msg` (pure Ed25519, no prehash) into `sig`. SH_ECRYPTO on
 * failure. */
enum sh_err crypto_key_sign(const struct crypto_key *key, const void *msg, size_t len,
                            uint8_t sig[CRYPTO_ED25519_SIG_LEN]);

/* Checks the Ed25519 signature `sig` over `msg` by the raw public key `pub`. SH_OK if it
 * holds, SH_ECRYPTO for a bad signature or an unusable key. A rejected signature is an
 * expected answer, so it leaves nothing on the OpenSSL error queue. */
enum sh_err crypto_verify(const uint8_t pub[CRYPTO_ED25519_PUB_LEN], const void *msg, size_t len,
                          const uint8_t sig[CRYPTO_ED25519_SIG_LEN]);

/* The key's EVP_PKEY *, borrowed for as long as `key` lives, for the TLS layer. */
void *crypto_key_evp(const struct crypto_key *key);

/* Self-signed X.509 v3 certificate for the key: subject CN=node name, O=sarhad, OU=<country
 * ISO3>; serial random 128-bit; valid from now-1h for `days`; basicConstraints CA:FALSE
 * critical, keyUsage digitalSignature critical, extendedKeyUsage serverAuth+clientAuth,
 * subjectAltName DNS:<node name lowercased if a valid hostname label> and IP:127.0.0.1. Signed
 * with Ed25519 (md NULL). Written as PEM to path with mode 0644, O_EXCL.
 * SH_EINVAL if `node_name` is empty or longer than 64 bytes, `country_iso3` is not three ASCII
 * letters or `days` is outside [1, 36500]; SH_EEXISTS if `path` exists; SH_EIO if it cannot be
 * written; SH_ECRYPTO if OpenSSL fails. */
enum sh_err crypto_cert_create(const struct crypto_key *key, const char *node_name,
                               const char *country_iso3, int days, const char *path);

/* SHA-256 over the DER of the first certificate in the PEM file, lower-case hex. SH_EIO if the
 * file cannot be opened, SH_EINVAL if it holds no PEM certificate. */
enum sh_err crypto_cert_fingerprint(const char *pem_path, char out_hex[2 * CRYPTO_SHA256_LEN + 1]);

/* Drains the OpenSSL error queue into buf (for error messages/logs); returns buf. Reasons are
 * joined by "; " and truncated to fit; "" if the queue was empty. With `len` 0 the queue is
 * still drained and buf is left untouched. */
const char *crypto_last_error(char *buf, size_t len);

/* What the link needs to know of a peer's certificate. */
struct crypto_cert_info {
    char fingerprint[2 * CRYPTO_SHA256_LEN + 1]; /* SHA-256 of the DER, lower-case hex */
    uint8_t public_key[CRYPTO_ED25519_PUB_LEN];
    char common_name[64];
    int expired;       /* notAfter is in the past */
    int not_yet_valid; /* notBefore is in the future */
};

/* Reads the first certificate of PEM text (pointer, length). SH_EINVAL if it is not a PEM
 * certificate with an Ed25519 key. */
enum sh_err crypto_cert_inspect(const char *pem, size_t len, struct crypto_cert_info *info);

#endif
