/*
 * crypto.c: the node's cryptography over OpenSSL 3's EVP interfaces.
 *
 * Design:
 * - Everything goes through EVP (EVP_Digest*, EVP_DigestSign/Verify, EVP_PKEY_new_raw_*), so
 *   the default provider does the work and nothing deprecated in OpenSSL 3 is called.
 * - A `struct crypto_key` wraps one EVP_PKEY that is always an Ed25519 private key; every
 *   constructor checks that, so the rest of the file can rely on it.
 * - Files holding secrets or identity are created with O_EXCL and fsynced: a node never
 *   silently replaces its key or certificate, and a file that failed half-way is removed so
 *   that a retry does not trip over it. A private key is refused on load if group or other
 *   may access it, as ssh does.
 * - Failures leave their reason on OpenSSL's per-thread error queue (our own file errors are
 *   pushed there too, with the path), so a caller gets one place to read it from:
 *   crypto_last_error(). A rejected signature is an answer, not an error, and leaves the
 *   queue as it found it.
 * - Hashing cannot fail except by running out of memory, so the hash functions return void
 *   and abort in that case, as the style allows for allocation failure.
 *
 * - SHA-256 is fetched from the provider once (sha256_md) and kept for the life of the
 *   process: EVP_sha256() made every hash look the implementation up again, which cost about
 *   as much as hashing a Merkle node and was 5% of a node applying a replication backlog.
 */
#include "crypto/crypto.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "core/log.h"

#define TOKEN_PREFIX "sht_"
#define TOKEN_PREFIX_LEN 4
#define TOKEN_RAW_LEN 32
#define TOKEN_B64_LEN 43 /* ceil(32 * 8 / 6), base64url without padding */
#define ED25519_SEED_LEN 32
#define KEY_FILE_MAX 8192   /* an Ed25519 PKCS#8 PEM is ~120 bytes */
#define CERT_BACKDATE 3600  /* seconds, to tolerate peers whose clocks run behind */
#define CERT_DAYS_MAX 36500 /* 100 years; keeps the notAfter arithmetic far from overflow */
#define CERT_CN_MAX 64      /* ub-common-name, RFC 5280 */
#define DNS_LABEL_MAX 63

_Static_assert(TOKEN_PREFIX_LEN + TOKEN_B64_LEN + 1 <= CRYPTO_TOKEN_MAX,
               "a token must fit CRYPTO_TOKEN_MAX");

struct crypto_key {
    EVP_PKEY *pkey; /* owned; always an Ed25519 private key */
};

static _Noreturn void crypto_abort(const char *what)
{
    log_error("crypto.abort", "op=%s", what);
    abort();
}

void crypto_sha256(const void *data, size_t len, uint8_t out[CRYPTO_SHA256_LEN])
{
    struct crypto_iov whole = {data, len};

    crypto_sha256_v(&whole, 1, out);
}

static EVP_MD *sha256;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void sha256_fetch(void)
{
    sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
}

/* The SHA-256 implementation, fetched once; aborts if the provider has none. */
static const EVP_MD *sha256_md(void)
{
    pthread_once(&sha256_once, sha256_fetch);
    if (sha256 == NULL)
        crypto_abort("sha256 fetch");
    return sha256;
}

/* One digest context per thread, made on first use and freed when the thread ends: a context
 * made and freed per hash was a third of the cost of hashing a Merkle tree's 65-byte nodes. */
static pthread_key_t sha256_ctx_key;
static pthread_once_t sha256_ctx_once = PTHREAD_ONCE_INIT;

static void sha256_ctx_free(void *ctx)
{
    EVP_MD_CTX_free(ctx);
}

static void sha256_ctx_key_make(void)
{
    if (pthread_key_create(&sha256_ctx_key, sha256_ctx_free) != 0)
        crypto_abort("sha256 context key");
}

static EVP_MD_CTX *sha256_ctx(void)
{
    EVP_MD_CTX *ctx;

    pthread_once(&sha256_ctx_once, sha256_ctx_key_make);
    ctx = pthread_getspecific(sha256_ctx_key);
    if (ctx == NULL) {
        ctx = EVP_MD_CTX_new();
        if (ctx == NULL || pthread_setspecific(sha256_ctx_key, ctx) != 0)
            crypto_abort("sha256 context");
    }
    return ctx;
}

void crypto_sha256_v(const struct crypto_iov *iov, size_t n, uint8_t out[CRYPTO_SHA256_LEN])
{
    EVP_MD_CTX *ctx = sha256_ctx();
    unsigned int outlen = 0;
    int ok = EVP_DigestInit_ex2(ctx, sha256_md(), NULL) == 1;

    for (size_t i = 0; ok && i < n; i++)
        if (iov[i].len > 0)
            ok = EVP_DigestUpdate(ctx, iov[i].data, iov[i].len) == 1;
    ok = ok && EVP_DigestFinal_ex(ctx, out, &outlen) == 1 && outlen == CRYPTO_SHA256_LEN;
    if (!ok)
        crypto_abort("sha256");
}

enum sh_err crypto_random(void *buf, size_t len)
{
    uint8_t *p = buf;
    enum sh_err rc = SH_OK;

    /* RAND_bytes takes an int length. */
    while (len > 0) {
        int chunk = len > INT_MAX ? INT_MAX : (int)len;

        if (RAND_bytes(p, chunk) != 1) {
            rc = SH_ECRYPTO;
            goto out;
        }
        p += chunk;
        len -= (size_t)chunk;
    }
out:
    return rc;
}

void crypto_hex(const uint8_t *in, size_t len, char *out)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 0x0f];
    }
    out[2 * len] = '\0';
}

/* The value of hex digit `c` (either case), or -1. */
static int hex_value(char c)
{
    int v = -1;

    if (c >= '0' && c <= '9')
        v = c - '0';
    else if (c >= 'a' && c <= 'f')
        v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
        v = c - 'A' + 10;
    return v;
}

int crypto_unhex(const char *in, size_t inlen, uint8_t *out, size_t outlen)
{
    int rc = -1;

    if (outlen > SIZE_MAX / 2 || inlen != 2 * outlen)
        goto out;
    for (size_t i = 0; i < outlen; i++) {
        int hi = hex_value(in[2 * i]), lo = hex_value(in[2 * i + 1]);

        if (hi < 0 || lo < 0)
            goto out;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    rc = 0;
out:
    if (rc != 0 && outlen > 0)
        memset(out, 0, outlen);
    return rc;
}

int crypto_equal(const void *a, const void *b, size_t len)
{
    return CRYPTO_memcmp(a, b, len) == 0;
}

enum sh_err crypto_token_new(char out[CRYPTO_TOKEN_MAX])
{
    uint8_t raw[TOKEN_RAW_LEN];
    unsigned char b64[4 * ((TOKEN_RAW_LEN + 2) / 3) + 1];
    enum sh_err rc;

    out[0] = '\0';
    if ((rc = crypto_random(raw, sizeof(raw))) != SH_OK)
        goto out;
    /* Standard base64 of 32 bytes is 43 characters and one '='; base64url swaps two letters
     * of the alphabet and drops the padding. */
    EVP_EncodeBlock(b64, raw, (int)sizeof(raw));
    memcpy(out, TOKEN_PREFIX, TOKEN_PREFIX_LEN);
    for (size_t i = 0; i < TOKEN_B64_LEN; i++) {
        char c = (char)b64[i];

        if (c == '+')
            c = '-';
        else if (c == '/')
            c = '_';
        out[TOKEN_PREFIX_LEN + i] = c;
    }
    out[TOKEN_PREFIX_LEN + TOKEN_B64_LEN] = '\0';
out:
    OPENSSL_cleanse(raw, sizeof(raw));
    OPENSSL_cleanse(b64, sizeof(b64));
    return rc;
}

void crypto_token_hash(const char *token, size_t len, char out_hex[2 * CRYPTO_SHA256_LEN + 1])
{
    uint8_t digest[CRYPTO_SHA256_LEN];

    crypto_sha256(token, len, digest);
    crypto_hex(digest, sizeof(digest), out_hex);
}

/* Takes ownership of `pkey` whatever the outcome. */
static enum sh_err key_wrap(EVP_PKEY *pkey, struct crypto_key **out)
{
    struct crypto_key *key = NULL;
    enum sh_err rc = SH_EINVAL;

    if (!EVP_PKEY_is_a(pkey, "ED25519"))
        goto out;
    rc = SH_ENOMEM;
    if ((key = malloc(sizeof(*key))) == NULL)
        goto out;
    key->pkey = pkey;
    pkey = NULL;
    rc = SH_OK;
out:
    EVP_PKEY_free(pkey);
    *out = key;
    return rc;
}

enum sh_err crypto_key_generate(struct crypto_key **out)
{
    EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_name(NULL, "ED25519", NULL);
    EVP_PKEY *pkey = NULL;
    enum sh_err rc = SH_ECRYPTO;

    *out = NULL;
    if (pctx == NULL || EVP_PKEY_keygen_init(pctx) != 1 || EVP_PKEY_generate(pctx, &pkey) != 1)
        goto out;
    rc = key_wrap(pkey, out);
out:
    EVP_PKEY_CTX_free(pctx);
    return rc;
}

enum sh_err crypto_key_from_seed(const uint8_t seed[32], struct crypto_key **out)
{
    EVP_PKEY *pkey = EVP_PKEY_new_raw_private_key_ex(NULL, "ED25519", NULL, seed, ED25519_SEED_LEN);
    enum sh_err rc = SH_ECRYPTO;

    *out = NULL;
    if (pkey == NULL)
        goto out;
    rc = key_wrap(pkey, out);
out:
    return rc;
}

static int write_all(int fd, const char *data, size_t len)
{
    int rc = 0;

    while (len > 0) {
        ssize_t n = write(fd, data, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            rc = -1;
            goto out;
        }
        data += n;
        len -= (size_t)n;
    }
out:
    return rc;
}

/* Creates `path` (which must not exist) with exactly `mode`, writes `len` bytes of `data` and
 * fsyncs. On failure after creation the file is removed. */
static enum sh_err write_new_file(const char *path, mode_t mode, const char *data, size_t len)
{
    int fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOCTTY, mode);
    enum sh_err rc = SH_EIO;

    if (fd < 0) {
        rc = errno == EEXIST ? SH_EEXISTS : SH_EIO;
        ERR_raise_data(ERR_LIB_SYS, errno, "creating %s", path);
        goto out;
    }
    /* fchmod: the umask may have narrowed `mode`, and a certificate must stay readable. */
    if (fchmod(fd, mode) != 0 || write_all(fd, data, len) != 0 || fsync(fd) != 0) {
        ERR_raise_data(ERR_LIB_SYS, errno, "writing %s", path);
        goto out;
    }
    rc = SH_OK;
out:
    if (fd >= 0 && close(fd) != 0 && rc == SH_OK) {
        ERR_raise_data(ERR_LIB_SYS, errno, "closing %s", path);
        rc = SH_EIO;
    }
    if (fd >= 0 && rc != SH_OK)
        unlink(path);
    return rc;
}

/* Writes the contents of the memory BIO `mem` to the new file `path`. */
static enum sh_err write_bio_file(BIO *mem, const char *path, mode_t mode)
{
    char *data = NULL;
    long len = BIO_get_mem_data(mem, &data);

    return len > 0 ? write_new_file(path, mode, data, (size_t)len) : SH_ECRYPTO;
}

enum sh_err crypto_key_save(const struct crypto_key *key, const char *path)
{
    /* A secure-heap BIO: its buffer is wiped when freed. */
    BIO *mem = BIO_new(BIO_s_secmem());
    enum sh_err rc = SH_ECRYPTO;

    /* PEM_write_bio_PrivateKey encodes provider keys as PKCS#8 PrivateKeyInfo. */
    if (mem == NULL || PEM_write_bio_PrivateKey(mem, key->pkey, NULL, NULL, 0, NULL, NULL) != 1)
        goto out;
    rc = write_bio_file(mem, path, 0600);
out:
    BIO_free(mem);
    return rc;
}

/* Reads the private key file `path` into `buf` (at most `cap` - 1 bytes), refusing anything
 * but a regular file that only its owner can access. */
static enum sh_err read_key_file(const char *path, char *buf, size_t cap, size_t *len)
{
    /* O_NONBLOCK: a FIFO at `path` must not hang the caller before fstat refuses it. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    struct stat st;
    size_t used = 0;
    enum sh_err rc = SH_EIO;

    if (fd < 0 || fstat(fd, &st) != 0) {
        ERR_raise_data(ERR_LIB_SYS, errno, "opening %s", path);
        goto out;
    }
    rc = SH_EINVAL;
    if (!S_ISREG(st.st_mode) || (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        ERR_raise_data(ERR_LIB_SYS, EPERM, "%s is not a regular file of mode 0600 or stricter",
                       path);
        goto out;
    }
    while (used < cap) {
        ssize_t n = read(fd, buf + used, cap - used);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            ERR_raise_data(ERR_LIB_SYS, errno, "reading %s", path);
            rc = SH_EIO;
            goto out;
        }
        if (n == 0)
            break;
        used += (size_t)n;
    }
    if (used == cap) {
        ERR_raise_data(ERR_LIB_SYS, EFBIG, "%s is larger than a key file can be", path);
        goto out;
    }
    *len = used;
    rc = SH_OK;
out:
    if (fd >= 0)
        close(fd);
    return rc;
}

/* Refuses encrypted PEM instead of letting OpenSSL prompt on the terminal. */
static int no_passphrase(char *buf, int size, int rwflag, void *user)
{
    return -1;
}

enum sh_err crypto_key_load(const char *path, struct crypto_key **out)
{
    char pem[KEY_FILE_MAX];
    size_t len = 0;
    BIO *bio = NULL;
    EVP_PKEY *pkey = NULL;
    enum sh_err rc;

    *out = NULL;
    if ((rc = read_key_file(path, pem, sizeof(pem), &len)) != SH_OK)
        goto out;
    rc = SH_ECRYPTO;
    if ((bio = BIO_new_mem_buf(pem, (int)len)) == NULL)
        goto out;
    rc = SH_EINVAL;
    if ((pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL)) == NULL)
        goto out;
    rc = key_wrap(pkey, out);
out:
    BIO_free(bio);
    OPENSSL_cleanse(pem, sizeof(pem));
    return rc;
}

void crypto_key_free(struct crypto_key *key)
{
    if (key != NULL)
        EVP_PKEY_free(key->pkey); /* wipes the private scalar */
    free(key);
}

void crypto_key_public(const struct crypto_key *key, uint8_t pub[CRYPTO_ED25519_PUB_LEN])
{
    size_t len = CRYPTO_ED25519_PUB_LEN;

    /* Cannot fail for an Ed25519 key, which every constructor guarantees. */
    if (EVP_PKEY_get_raw_public_key(key->pkey, pub, &len) != 1 || len != CRYPTO_ED25519_PUB_LEN)
        crypto_abort("ed25519_public");
}

enum sh_err crypto_key_sign(const struct crypto_key *key, const void *msg, size_t len,
                            uint8_t sig[CRYPTO_ED25519_SIG_LEN])
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    size_t siglen = CRYPTO_ED25519_SIG_LEN;
    enum sh_err rc = SH_ECRYPTO;

    assert(msg != NULL || len == 0);
    /* Ed25519 is one-shot: no digest (NULL) and EVP_DigestSign, never Update/Final. */
    if (ctx == NULL || EVP_DigestSignInit_ex(ctx, NULL, NULL, NULL, NULL, key->pkey, NULL) != 1 ||
        EVP_DigestSign(ctx, sig, &siglen, msg != NULL ? msg : (const void *)"", len) != 1 ||
        siglen != CRYPTO_ED25519_SIG_LEN)
        goto out;
    rc = SH_OK;
out:
    EVP_MD_CTX_free(ctx);
    return rc;
}

enum sh_err crypto_verify(const uint8_t pub[CRYPTO_ED25519_PUB_LEN], const void *msg, size_t len,
                          const uint8_t sig[CRYPTO_ED25519_SIG_LEN])
{
    EVP_PKEY *pkey = NULL;
    EVP_MD_CTX *ctx = NULL;
    enum sh_err rc = SH_ECRYPTO;

    assert(msg != NULL || len == 0);
    ERR_set_mark();
    pkey = EVP_PKEY_new_raw_public_key_ex(NULL, "ED25519", NULL, pub, CRYPTO_ED25519_PUB_LEN);
    if (pkey == NULL || (ctx = EVP_MD_CTX_new()) == NULL ||
        EVP_DigestVerifyInit_ex(ctx, NULL, NULL, NULL, NULL, pkey, NULL) != 1 ||
        EVP_DigestVerify(ctx, sig, CRYPTO_ED25519_SIG_LEN, msg != NULL ? msg : (const void *)"",
                         len) != 1)
        goto out;
    rc = SH_OK;
out:
    ERR_pop_to_mark();
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(pkey);
    return rc;
}

void *crypto_key_evp(const struct crypto_key *key)
{
    return key->pkey;
}

static int is_ascii_letter(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int cert_args_valid(const char *node_name, const char *country_iso3, int days)
{
    size_t name_len = strlen(node_name);

    return name_len > 0 && name_len <= CERT_CN_MAX && strlen(country_iso3) == 3 &&
           is_ascii_letter(country_iso3[0]) && is_ascii_letter(country_iso3[1]) &&
           is_ascii_letter(country_iso3[2]) && days >= 1 && days <= CERT_DAYS_MAX;
}

/* Returns 1 and `name` lower-cased in `label` if it is a valid DNS label (RFC 1123: 1-63
 * letters, digits and '-', not starting or ending with '-'); else 0, `label` unspecified. */
static int dns_label(const char *name, char label[DNS_LABEL_MAX + 1])
{
    size_t len = strlen(name);
    int ok = len > 0 && len <= DNS_LABEL_MAX && name[0] != '-' && name[len - 1] != '-';

    for (size_t i = 0; ok && i <= len; i++) {
        char c = name[i];

        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        ok = c == '\0' || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
        label[i] = c;
    }
    return ok;
}

static int cert_set_serial(X509 *x)
{
    BIGNUM *serial = BN_new();
    /* TOP_ONE: exactly 128 bits, so never zero and never shorter than its peers. */
    int ok = serial != NULL && BN_rand(serial, 128, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) == 1 &&
             BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(x)) != NULL;

    BN_free(serial);
    return ok;
}

static int cert_set_names(X509 *x, const char *node_name, const char *country_iso3)
{
    X509_NAME *name = X509_get_subject_name(x);

    return X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)node_name,
                                      -1, -1, 0) == 1 &&
           X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, (const unsigned char *)"sarhad", -1,
                                      -1, 0) == 1 &&
           X509_NAME_add_entry_by_txt(name, "OU", MBSTRING_UTF8,
                                      (const unsigned char *)country_iso3, -1, -1, 0) == 1 &&
           X509_set_issuer_name(x, name) == 1;
}

static int cert_add_ext(X509 *x, X509V3_CTX *v3, int nid, const char *value)
{
    X509_EXTENSION *ext = X509V3_EXT_nconf_nid(NULL, v3, nid, value);
    int ok = ext != NULL && X509_add_ext(x, ext, -1) == 1;

    X509_EXTENSION_free(ext);
    return ok;
}

static int cert_add_extensions(X509 *x, const char *node_name)
{
    X509V3_CTX v3;
    char label[DNS_LABEL_MAX + 1];
    char san[sizeof("DNS:,IP:127.0.0.1") + DNS_LABEL_MAX];

    /* The label holds only [a-z0-9-], so it cannot inject a ',' into the SAN list. */
    if (dns_label(node_name, label))
        snprintf(san, sizeof(san), "DNS:%s,IP:127.0.0.1", label);
    else
        snprintf(san, sizeof(san), "IP:127.0.0.1");
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
    return cert_add_ext(x, &v3, NID_basic_constraints, "critical,CA:FALSE") &&
           cert_add_ext(x, &v3, NID_key_usage, "critical,digitalSignature") &&
           cert_add_ext(x, &v3, NID_ext_key_usage, "serverAuth,clientAuth") &&
           cert_add_ext(x, &v3, NID_subject_alt_name, san);
}

enum sh_err crypto_cert_create(const struct crypto_key *key, const char *node_name,
                               const char *country_iso3, int days, const char *path)
{
    X509 *x = NULL;
    BIO *mem = NULL;
    enum sh_err rc = SH_EINVAL;

    if (!cert_args_valid(node_name, country_iso3, days))
        goto out;
    rc = SH_ECRYPTO;
    x = X509_new_ex(NULL, NULL);
    mem = BIO_new(BIO_s_mem());
    /* notAfter = now - 1h + days, so that the validity is exactly `days` long. */
    if (x == NULL || mem == NULL || X509_set_version(x, X509_VERSION_3) != 1 ||
        !cert_set_serial(x) || X509_gmtime_adj(X509_getm_notBefore(x), -CERT_BACKDATE) == NULL ||
        X509_time_adj_ex(X509_getm_notAfter(x), days, -CERT_BACKDATE, NULL) == NULL ||
        !cert_set_names(x, node_name, country_iso3) || X509_set_pubkey(x, key->pkey) != 1 ||
        !cert_add_extensions(x, node_name) || X509_sign(x, key->pkey, NULL) <= 0 ||
        PEM_write_bio_X509(mem, x) != 1)
        goto out;
    rc = write_bio_file(mem, path, 0644);
out:
    BIO_free(mem);
    X509_free(x);
    return rc;
}

enum sh_err crypto_cert_fingerprint(const char *pem_path, char out_hex[2 * CRYPTO_SHA256_LEN + 1])
{
    BIO *in = BIO_new_file(pem_path, "r");
    X509 *x = NULL;
    uint8_t digest[CRYPTO_SHA256_LEN];
    unsigned int len = 0;
    enum sh_err rc = SH_EIO;

    out_hex[0] = '\0';
    if (in == NULL)
        goto out;
    rc = SH_EINVAL;
    if ((x = PEM_read_bio_X509(in, NULL, NULL, NULL)) == NULL)
        goto out;
    /* X509_digest hashes the DER encoding, which is what `openssl x509 -fingerprint` shows. */
    rc = SH_ECRYPTO;
    if (X509_digest(x, EVP_sha256(), digest, &len) != 1 || len != CRYPTO_SHA256_LEN)
        goto out;
    crypto_hex(digest, sizeof(digest), out_hex);
    rc = SH_OK;
out:
    X509_free(x);
    BIO_free(in);
    return rc;
}

/* Appends one queued error ("error:...:reason" plus its data) to buf at *used. */
static void append_error(char *buf, size_t len, size_t *used, unsigned long code, const char *data,
                         int flags)
{
    char text[256];
    int n;

    ERR_error_string_n(code, text, sizeof(text));
    if (data == NULL || (flags & ERR_TXT_STRING) == 0)
        data = "";
    n = snprintf(buf + *used, len - *used, "%s%s%s%s", *used > 0 ? "; " : "", text,
                 data[0] != '\0' ? ": " : "", data);
    if (n > 0)
        *used += (size_t)n < len - *used ? (size_t)n : len - *used - 1;
}

const char *crypto_last_error(char *buf, size_t len)
{
    size_t used = 0;
    unsigned long code;
    const char *data = NULL;
    int flags = 0;

    if (len > 0)
        buf[0] = '\0';
    /* Keep draining once the buffer is full so that stale errors do not outlive the call. */
    while ((code = ERR_get_error_all(NULL, NULL, NULL, &data, &flags)) != 0)
        if (len > 0 && used + 1 < len)
            append_error(buf, len, &used, code, data, flags);
    return buf;
}

enum sh_err crypto_cert_inspect(const char *pem, size_t len, struct crypto_cert_info *info)
{
    BIO *in = BIO_new_mem_buf(pem, (int)len);
    X509 *x = NULL;
    EVP_PKEY *pub = NULL;
    uint8_t digest[CRYPTO_SHA256_LEN];
    unsigned int dlen = 0;
    size_t publen = CRYPTO_ED25519_PUB_LEN;
    enum sh_err rc = SH_EINVAL;

    memset(info, 0, sizeof(*info));
    if (in == NULL || (x = PEM_read_bio_X509(in, NULL, NULL, NULL)) == NULL)
        goto out;
    if (X509_digest(x, EVP_sha256(), digest, &dlen) != 1 || dlen != CRYPTO_SHA256_LEN)
        goto out;
    crypto_hex(digest, sizeof(digest), info->fingerprint);
    pub = X509_get_pubkey(x);
    if (pub == NULL || EVP_PKEY_get_id(pub) != EVP_PKEY_ED25519 ||
        EVP_PKEY_get_raw_public_key(pub, info->public_key, &publen) != 1)
        goto out;
    info->expired = X509_cmp_current_time(X509_get0_notAfter(x)) < 0;
    info->not_yet_valid = X509_cmp_current_time(X509_get0_notBefore(x)) > 0;
    X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, info->common_name,
                              sizeof(info->common_name));
    rc = SH_OK;
out:
    EVP_PKEY_free(pub);
    X509_free(x);
    BIO_free(in);
    ERR_clear_error();
    return rc;
}
