/*
 * test_crypto.c: unit tests for crypto.c.
 *
 * Expected values come from published vectors (FIPS 180-2 / NIST examples for SHA-256, RFC
 * 8032 section 7.1 for Ed25519), not from running the code. Key and certificate files go to a
 * fresh mkdtemp directory under /tmp that the group teardown removes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "crypto/crypto.h"

#define HEX_SHA256_LEN (2 * CRYPTO_SHA256_LEN + 1)

static char tmp_dir[] = "/tmp/sarhad-test-crypto-XXXXXX";

/* RFC 8032 section 7.1, TEST 1 and TEST 2. */
static const char rfc_test1_seed[] =
    "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
static const char rfc_test1_pub[] =
    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
static const char rfc_test1_sig[] =
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e3970"
    "1cf9b46bd25bf5f0595bbe24655141438e7a100b";
static const char rfc_test2_seed[] =
    "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb";
static const char rfc_test2_pub[] =
    "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c";
static const char rfc_test2_sig[] =
    "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613"
    "d0f11d8c387b2eaeb4302aeeb00d291612bb0c00";

static void unhex_or_fail(const char *hex, uint8_t *out, size_t outlen)
{
    assert_int_equal(crypto_unhex(hex, strlen(hex), out, outlen), 0);
}

static void sha256_hex(const void *data, size_t len, char out[HEX_SHA256_LEN])
{
    uint8_t digest[CRYPTO_SHA256_LEN];

    crypto_sha256(data, len, digest);
    crypto_hex(digest, sizeof(digest), out);
}

/* Writes "<tmp_dir>/<name>" into `out`. */
static void tmp_path(const char *name, char *out, size_t outlen)
{
    int n = snprintf(out, outlen, "%s/%s", tmp_dir, name);

    assert_true(n > 0 && (size_t)n < outlen);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(path, mode), 0);
}

static mode_t file_mode(const char *path)
{
    struct stat st;

    assert_int_equal(stat(path, &st), 0);
    return st.st_mode & 07777;
}

static int setup_dir(void **state)
{
    return mkdtemp(tmp_dir) == NULL ? -1 : 0;
}

static int teardown_dir(void **state)
{
    DIR *d = opendir(tmp_dir);
    struct dirent *e;
    char path[512];

    if (d == NULL)
        return -1;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", tmp_dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    return rmdir(tmp_dir);
}

static void test_sha256_vectors(void **state)
{
    static const char nist448[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    char hex[HEX_SHA256_LEN];

    sha256_hex("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    sha256_hex(NULL, 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    sha256_hex("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    sha256_hex(nist448, strlen(nist448), hex);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_sha256_v_concatenates(void **state)
{
    static const char nist448[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    struct crypto_iov iov[4] = {
        {nist448, 5}, {NULL, 0}, {nist448 + 5, 30}, {nist448 + 35, strlen(nist448) - 35}};
    uint8_t whole[CRYPTO_SHA256_LEN], pieces[CRYPTO_SHA256_LEN];
    char hex[HEX_SHA256_LEN];

    crypto_sha256(nist448, strlen(nist448), whole);
    crypto_sha256_v(iov, 4, pieces);
    assert_memory_equal(whole, pieces, sizeof(whole));
    crypto_hex(pieces, sizeof(pieces), hex);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    crypto_sha256_v(NULL, 0, pieces);
    crypto_hex(pieces, sizeof(pieces), hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_hex_round_trip(void **state)
{
    static const uint8_t bytes[] = {0x00, 0x01, 0x7f, 0x80, 0xab, 0xff};
    uint8_t back[sizeof(bytes)];
    char hex[2 * sizeof(bytes) + 1];

    crypto_hex(bytes, sizeof(bytes), hex);
    assert_string_equal(hex, "00017f80abff");
    assert_int_equal(crypto_unhex(hex, strlen(hex), back, sizeof(back)), 0);
    assert_memory_equal(back, bytes, sizeof(bytes));
    assert_int_equal(crypto_unhex("00017F80ABFF", 12, back, sizeof(back)), 0);
    assert_memory_equal(back, bytes, sizeof(bytes));
    crypto_hex(bytes, 0, hex);
    assert_string_equal(hex, "");
}

static void test_unhex_rejects(void **state)
{
    uint8_t out[3];

    assert_int_equal(crypto_unhex("abcde", 5, out, 3), -1);    /* odd length */
    assert_int_equal(crypto_unhex("abcd", 4, out, 3), -1);     /* too short */
    assert_int_equal(crypto_unhex("abcdef00", 8, out, 3), -1); /* too long */
    assert_int_equal(crypto_unhex("abcdeg", 6, out, 3), -1);   /* 'g' */
    assert_int_equal(crypto_unhex("ab cde", 6, out, 3), -1);   /* space */
    assert_int_equal(crypto_unhex("0x0102", 6, out, 3), -1);   /* prefix */
    assert_int_equal(crypto_unhex("ab\0def", 6, out, 3), -1);  /* NUL inside */
    assert_int_equal(crypto_unhex("abcdef", 6, out, 3), 0);
}

static void test_equal(void **state)
{
    assert_int_equal(crypto_equal("abcdef", "abcdef", 6), 1);
    assert_int_equal(crypto_equal("abcdef", "abcdeg", 6), 0);
    assert_int_equal(crypto_equal("xbcdef", "abcdef", 6), 0);
    assert_int_equal(crypto_equal("a", "b", 0), 1);
}

static void test_random(void **state)
{
    uint8_t a[32], b[32];

    assert_int_equal(crypto_random(a, sizeof(a)), SH_OK);
    assert_int_equal(crypto_random(b, sizeof(b)), SH_OK);
    assert_memory_not_equal(a, b, sizeof(a));
    assert_int_equal(crypto_random(NULL, 0), SH_OK);
}

static void test_token_format(void **state)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char a[CRYPTO_TOKEN_MAX], b[CRYPTO_TOKEN_MAX];
    const char *last;

    assert_int_equal(crypto_token_new(a), SH_OK);
    assert_int_equal(crypto_token_new(b), SH_OK);
    assert_int_equal(strncmp(a, "sht_", 4), 0);
    assert_int_equal(strlen(a), 4 + 43);
    assert_int_equal(strspn(a + 4, alphabet), 43);
    /* 43 characters carry 258 bits for 256: the last one's two low bits are padding, zero in
     * a canonical encoding. */
    last = strchr(alphabet, a[46]);
    assert_non_null(last);
    assert_int_equal((last - alphabet) & 3, 0);
    assert_string_not_equal(a, b);
}

static void test_token_hash(void **state)
{
    char token[CRYPTO_TOKEN_MAX], hash[HEX_SHA256_LEN], expect[HEX_SHA256_LEN];

    crypto_token_hash("abc", 3, hash);
    assert_string_equal(hash, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_int_equal(crypto_token_new(token), SH_OK);
    crypto_token_hash(token, strlen(token), hash);
    sha256_hex(token, strlen(token), expect);
    assert_string_equal(hash, expect);
    assert_int_equal(strlen(hash), 64);
}

static void check_rfc8032(const char *seed_hex, const char *pub_hex, const uint8_t *msg, size_t len,
                          const char *sig_hex)
{
    uint8_t seed[32], pub[CRYPTO_ED25519_PUB_LEN], sig[CRYPTO_ED25519_SIG_LEN];
    char hex[2 * CRYPTO_ED25519_SIG_LEN + 1];
    struct crypto_key *key = NULL;

    unhex_or_fail(seed_hex, seed, sizeof(seed));
    assert_int_equal(crypto_key_from_seed(seed, &key), SH_OK);
    crypto_key_public(key, pub);
    crypto_hex(pub, sizeof(pub), hex);
    assert_string_equal(hex, pub_hex);
    assert_int_equal(crypto_key_sign(key, msg, len, sig), SH_OK);
    crypto_hex(sig, sizeof(sig), hex);
    assert_string_equal(hex, sig_hex);
    assert_int_equal(crypto_verify(pub, msg, len, sig), SH_OK);
    crypto_key_free(key);
}

static void test_ed25519_rfc8032_test1(void **state)
{
    check_rfc8032(rfc_test1_seed, rfc_test1_pub, NULL, 0, rfc_test1_sig);
}

static void test_ed25519_rfc8032_test2(void **state)
{
    static const uint8_t msg[] = {0x72};

    check_rfc8032(rfc_test2_seed, rfc_test2_pub, msg, sizeof(msg), rfc_test2_sig);
}

static void test_verify_rejects_tampering(void **state)
{
    uint8_t pub[CRYPTO_ED25519_PUB_LEN], sig[CRYPTO_ED25519_SIG_LEN], other[32];
    uint8_t msg[] = {0x72};

    unhex_or_fail(rfc_test2_pub, pub, sizeof(pub));
    unhex_or_fail(rfc_test2_sig, sig, sizeof(sig));
    unhex_or_fail(rfc_test1_pub, other, sizeof(other));
    ERR_clear_error();
    assert_int_equal(crypto_verify(pub, msg, sizeof(msg), sig), SH_OK);
    msg[0] ^= 0x01;
    assert_int_equal(crypto_verify(pub, msg, sizeof(msg), sig), SH_ECRYPTO);
    msg[0] ^= 0x01;
    sig[10] ^= 0x20;
    assert_int_equal(crypto_verify(pub, msg, sizeof(msg), sig), SH_ECRYPTO);
    sig[10] ^= 0x20;
    sig[63] ^= 0x80; /* the top bit of S */
    assert_int_equal(crypto_verify(pub, msg, sizeof(msg), sig), SH_ECRYPTO);
    sig[63] ^= 0x80;
    assert_int_equal(crypto_verify(other, msg, sizeof(msg), sig), SH_ECRYPTO);
    assert_int_equal(crypto_verify(pub, NULL, 0, sig), SH_ECRYPTO);
    /* A rejection is an answer, not an error: nothing may be left for the TLS layer to trip
     * over. */
    assert_int_equal(ERR_peek_error(), 0);
}

static void test_generated_key_signs(void **state)
{
    struct crypto_key *a = NULL, *b = NULL;
    uint8_t pa[CRYPTO_ED25519_PUB_LEN], pb[CRYPTO_ED25519_PUB_LEN], sig[CRYPTO_ED25519_SIG_LEN];

    assert_int_equal(crypto_key_generate(&a), SH_OK);
    assert_int_equal(crypto_key_generate(&b), SH_OK);
    crypto_key_public(a, pa);
    crypto_key_public(b, pb);
    assert_memory_not_equal(pa, pb, sizeof(pa));
    assert_int_equal(crypto_key_sign(a, "report", 6, sig), SH_OK);
    assert_int_equal(crypto_verify(pa, "report", 6, sig), SH_OK);
    assert_int_equal(crypto_verify(pb, "report", 6, sig), SH_ECRYPTO);
    assert_non_null(crypto_key_evp(a));
    assert_int_equal(EVP_PKEY_is_a(crypto_key_evp(a), "ED25519"), 1);
    crypto_key_free(a);
    crypto_key_free(b);
    crypto_key_free(NULL);
}

static void test_key_save_mode_and_no_overwrite(void **state)
{
    char path[512], text[256] = "";
    struct crypto_key *key = NULL, *other = NULL;
    FILE *f;

    tmp_path("save.key", path, sizeof(path));
    assert_int_equal(crypto_key_generate(&key), SH_OK);
    assert_int_equal(crypto_key_generate(&other), SH_OK);
    assert_int_equal(crypto_key_save(key, path), SH_OK);
    assert_int_equal(file_mode(path), 0600);
    f = fopen(path, "r");
    assert_non_null(f);
    assert_non_null(fgets(text, sizeof(text), f));
    fclose(f);
    assert_string_equal(text, "-----BEGIN PRIVATE KEY-----\n"); /* PKCS#8, unencrypted */

    /* A second save must neither succeed nor disturb the key already there. */
    assert_int_equal(crypto_key_save(other, path), SH_EEXISTS);
    ERR_clear_error();
    crypto_key_free(other);
    assert_int_equal(crypto_key_load(path, &other), SH_OK);
    {
        uint8_t p1[CRYPTO_ED25519_PUB_LEN], p2[CRYPTO_ED25519_PUB_LEN];

        crypto_key_public(key, p1);
        crypto_key_public(other, p2);
        assert_memory_equal(p1, p2, sizeof(p1));
    }
    crypto_key_free(other);
    crypto_key_free(key);
}

static void test_key_save_load_round_trip(void **state)
{
    char path[512];
    uint8_t seed[32], sig1[CRYPTO_ED25519_SIG_LEN], sig2[CRYPTO_ED25519_SIG_LEN];
    uint8_t pub[CRYPTO_ED25519_PUB_LEN];
    char hex[2 * CRYPTO_ED25519_SIG_LEN + 1];
    struct crypto_key *key = NULL, *loaded = NULL;
    static const uint8_t msg[] = {0x72};

    tmp_path("round.key", path, sizeof(path));
    unhex_or_fail(rfc_test2_seed, seed, sizeof(seed));
    assert_int_equal(crypto_key_from_seed(seed, &key), SH_OK);
    assert_int_equal(crypto_key_save(key, path), SH_OK);
    assert_int_equal(crypto_key_load(path, &loaded), SH_OK);
    assert_non_null(loaded);
    crypto_key_public(loaded, pub);
    crypto_hex(pub, sizeof(pub), hex);
    assert_string_equal(hex, rfc_test2_pub);
    assert_int_equal(crypto_key_sign(key, msg, sizeof(msg), sig1), SH_OK);
    assert_int_equal(crypto_key_sign(loaded, msg, sizeof(msg), sig2), SH_OK);
    assert_memory_equal(sig1, sig2, sizeof(sig1));
    crypto_hex(sig2, sizeof(sig2), hex);
    assert_string_equal(hex, rfc_test2_sig);
    crypto_key_free(loaded);
    crypto_key_free(key);
}

static void test_key_load_refuses_open_mode(void **state)
{
    char path[512], why[512];
    struct crypto_key *key = NULL, *loaded = (struct crypto_key *)&key;

    tmp_path("open.key", path, sizeof(path));
    assert_int_equal(crypto_key_generate(&key), SH_OK);
    assert_int_equal(crypto_key_save(key, path), SH_OK);
    assert_int_equal(chmod(path, 0644), 0);
    assert_int_equal(crypto_key_load(path, &loaded), SH_EINVAL);
    assert_null(loaded);
    crypto_last_error(why, sizeof(why));
    assert_non_null(strstr(why, "open.key"));
    assert_int_equal(chmod(path, 0640), 0);
    assert_int_equal(crypto_key_load(path, &loaded), SH_EINVAL);
    assert_int_equal(chmod(path, 0604), 0);
    assert_int_equal(crypto_key_load(path, &loaded), SH_EINVAL);
    assert_int_equal(chmod(path, 0400), 0); /* stricter than 0600 is fine */
    assert_int_equal(crypto_key_load(path, &loaded), SH_OK);
    crypto_key_free(loaded);
    crypto_key_free(key);
    ERR_clear_error();
}

static void test_key_load_rejects_bad_files(void **state)
{
    char path[512], why[512];
    struct crypto_key *loaded = NULL;
    EVP_PKEY *ec = NULL;
    FILE *f;

    tmp_path("missing.key", path, sizeof(path));
    assert_int_equal(crypto_key_load(path, &loaded), SH_EIO);
    assert_null(loaded);

    tmp_path("garbage.key", path, sizeof(path));
    write_file(path, "this is not a key\n", 0600);
    assert_int_equal(crypto_key_load(path, &loaded), SH_EINVAL);
    assert_null(loaded);
    assert_string_not_equal(crypto_last_error(why, sizeof(why)), "");
    assert_int_equal(ERR_peek_error(), 0); /* drained */

    tmp_path("empty.key", path, sizeof(path));
    write_file(path, "", 0600);
    assert_int_equal(crypto_key_load(path, &loaded), SH_EINVAL);

    /* A well-formed private key of another type is still not a node key. */
    tmp_path("p256.key", path, sizeof(path));
    ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    assert_non_null(ec);
    f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(PEM_write_PrivateKey(f, ec, NULL, NULL, 0, NULL, NULL), 1);
    fclose(f);
    assert_int_equal(chmod(path, 0600), 0);
    assert_int_equal(crypto_key_load(path, &loaded), SH_EINVAL);
    assert_null(loaded);
    EVP_PKEY_free(ec);

    assert_int_equal(crypto_key_load(tmp_dir, &loaded), SH_EINVAL); /* a directory */
    ERR_clear_error();
}

/* Returns the text of the `nid` entry of `name`, into `out`. */
static void name_entry(const X509_NAME *name, int nid, char *out, int outlen)
{
    assert_true(X509_NAME_get_text_by_NID(name, nid, out, outlen) > 0);
}

static int ext_critical(X509 *x, int nid)
{
    int at = X509_get_ext_by_NID(x, nid, -1);

    assert_true(at >= 0);
    return X509_EXTENSION_get_critical(X509_get_ext(x, at));
}

/* Checks the SAN list: one DNS name equal to `dns` (or none if NULL) and IP 127.0.0.1. */
static void check_san(X509 *x, const char *dns)
{
    GENERAL_NAMES *names = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    int dns_seen = 0, ip_seen = 0;

    assert_non_null(names);
    for (int i = 0; i < sk_GENERAL_NAME_num(names); i++) {
        const GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, i);

        if (gn->type == GEN_DNS) {
            /* An unexpected DNS name fails the dns_seen check below. */
            if (dns != NULL) {
                assert_int_equal(ASN1_STRING_length(gn->d.dNSName), strlen(dns));
                assert_memory_equal(ASN1_STRING_get0_data(gn->d.dNSName), dns, strlen(dns));
            }
            dns_seen++;
        } else if (gn->type == GEN_IPADD) {
            static const uint8_t loopback[] = {127, 0, 0, 1};

            assert_int_equal(ASN1_STRING_length(gn->d.iPAddress), 4);
            assert_memory_equal(ASN1_STRING_get0_data(gn->d.iPAddress), loopback, 4);
            ip_seen++;
        } else {
            fail_msg("unexpected SAN type %d", gn->type);
        }
    }
    assert_int_equal(dns_seen, dns != NULL ? 1 : 0);
    assert_int_equal(ip_seen, 1);
    GENERAL_NAMES_free(names);
}

static X509 *read_cert(const char *path)
{
    FILE *f = fopen(path, "r");
    X509 *x;

    assert_non_null(f);
    x = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    assert_non_null(x);
    return x;
}

static void check_validity(X509 *x, int days)
{
    int day = 0, sec = 0;

    assert_int_equal(ASN1_TIME_diff(&day, &sec, X509_get0_notBefore(x), X509_get0_notAfter(x)), 1);
    assert_int_equal(day, days);
    assert_int_equal(sec, 0);
    /* notBefore is an hour back from now (a minute of slack for a slow test machine). */
    assert_int_equal(ASN1_TIME_diff(&day, &sec, X509_get0_notBefore(x), NULL), 1);
    assert_int_equal(day, 0);
    assert_in_range(sec, 3600, 3660);
}

static void test_cert_create(void **state)
{
    char path[512], text[128], fp1[HEX_SHA256_LEN], fp2[HEX_SHA256_LEN], der_hex[HEX_SHA256_LEN];
    struct crypto_key *key = NULL;
    unsigned char *der = NULL;
    const ASN1_INTEGER *serial;
    X509 *x;
    int der_len;

    tmp_path("cert.pem", path, sizeof(path));
    assert_int_equal(crypto_key_generate(&key), SH_OK);
    assert_int_equal(crypto_cert_create(key, "Taftan-1", "PAK", 3650, path), SH_OK);
    assert_int_equal(file_mode(path), 0644);

    x = read_cert(path);
    assert_int_equal(X509_get_version(x), X509_VERSION_3);
    assert_int_equal(EVP_PKEY_eq(X509_get0_pubkey(x), crypto_key_evp(key)), 1);
    assert_int_equal(X509_verify(x, crypto_key_evp(key)), 1);
    name_entry(X509_get_subject_name(x), NID_commonName, text, sizeof(text));
    assert_string_equal(text, "Taftan-1");
    name_entry(X509_get_subject_name(x), NID_organizationName, text, sizeof(text));
    assert_string_equal(text, "sarhad");
    name_entry(X509_get_subject_name(x), NID_organizationalUnitName, text, sizeof(text));
    assert_string_equal(text, "PAK");
    assert_int_equal(X509_NAME_cmp(X509_get_subject_name(x), X509_get_issuer_name(x)), 0);
    serial = X509_get0_serialNumber(x);
    assert_int_equal(ASN1_STRING_type(serial), V_ASN1_INTEGER); /* positive */
    assert_int_equal(ASN1_STRING_length(serial), 16);
    check_validity(x, 3650);

    assert_int_equal(ext_critical(x, NID_basic_constraints), 1);
    assert_int_equal(ext_critical(x, NID_key_usage), 1);
    assert_int_equal(X509_check_ca(x), 0);
    assert_int_equal(X509_get_key_usage(x), KU_DIGITAL_SIGNATURE);
    assert_int_equal(X509_get_extended_key_usage(x), XKU_SSL_SERVER | XKU_SSL_CLIENT);
    check_san(x, "taftan-1");

    assert_int_equal(crypto_cert_fingerprint(path, fp1), SH_OK);
    assert_int_equal(strlen(fp1), 64);
    assert_int_equal(strspn(fp1, "0123456789abcdef"), 64);
    assert_int_equal(crypto_cert_fingerprint(path, fp2), SH_OK);
    assert_string_equal(fp1, fp2);
    der_len = i2d_X509(x, &der);
    assert_true(der_len > 0);
    sha256_hex(der, (size_t)der_len, der_hex);
    assert_string_equal(fp1, der_hex);

    assert_int_equal(crypto_cert_create(key, "Taftan-1", "PAK", 3650, path), SH_EEXISTS);
    assert_int_equal(crypto_cert_fingerprint(path, fp2), SH_OK);
    assert_string_equal(fp1, fp2); /* untouched */
    ERR_clear_error();
    OPENSSL_free(der);
    X509_free(x);
    crypto_key_free(key);
}

static void test_cert_name_not_a_hostname(void **state)
{
    char path[512], text[128];
    struct crypto_key *key = NULL;
    X509 *x;

    tmp_path("cert-underscore.pem", path, sizeof(path));
    assert_int_equal(crypto_key_generate(&key), SH_OK);
    assert_int_equal(crypto_cert_create(key, "mirjaveh_post.2", "IRN", 30, path), SH_OK);
    x = read_cert(path);
    name_entry(X509_get_subject_name(x), NID_commonName, text, sizeof(text));
    assert_string_equal(text, "mirjaveh_post.2");
    check_san(x, NULL);
    check_validity(x, 30);
    X509_free(x);
    crypto_key_free(key);
}

static void test_cert_rejects_bad_args(void **state)
{
    char path[512];
    struct crypto_key *key = NULL;

    tmp_path("cert-bad.pem", path, sizeof(path));
    assert_int_equal(crypto_key_generate(&key), SH_OK);
    assert_int_equal(crypto_cert_create(key, "", "PAK", 30, path), SH_EINVAL);
    assert_int_equal(crypto_cert_create(key, "node", "PK", 30, path), SH_EINVAL);
    assert_int_equal(crypto_cert_create(key, "node", "P4K", 30, path), SH_EINVAL);
    assert_int_equal(crypto_cert_create(key, "node", "PAK", 0, path), SH_EINVAL);
    assert_int_equal(access(path, F_OK), -1); /* nothing written */
    crypto_key_free(key);
}

static void test_cert_fingerprint_errors(void **state)
{
    char path[512], fp[HEX_SHA256_LEN];

    tmp_path("no-such-cert.pem", path, sizeof(path));
    assert_int_equal(crypto_cert_fingerprint(path, fp), SH_EIO);
    tmp_path("not-a-cert.pem", path, sizeof(path));
    write_file(path, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", 0644);
    assert_int_equal(crypto_cert_fingerprint(path, fp), SH_EINVAL);
    ERR_clear_error();
}

static void test_last_error_drains(void **state)
{
    char buf[16];

    ERR_clear_error();
    assert_string_equal(crypto_last_error(buf, sizeof(buf)), "");
    ERR_raise_data(ERR_LIB_SYS, 2, "first");
    ERR_raise_data(ERR_LIB_SYS, 2, "second");
    crypto_last_error(buf, sizeof(buf));
    assert_int_equal(strlen(buf), sizeof(buf) - 1); /* truncated, still terminated */
    assert_int_equal(ERR_peek_error(), 0);
    ERR_raise_data(ERR_LIB_SYS, 2, "third");
    assert_ptr_equal(crypto_last_error(buf, 0), buf);
    assert_int_equal(ERR_peek_error(), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256_vectors),
        cmocka_unit_test(test_sha256_v_concatenates),
        cmocka_unit_test(test_hex_round_trip),
        cmocka_unit_test(test_unhex_rejects),
        cmocka_unit_test(test_equal),
        cmocka_unit_test(test_random),
        cmocka_unit_test(test_token_format),
        cmocka_unit_test(test_token_hash),
        cmocka_unit_test(test_ed25519_rfc8032_test1),
        cmocka_unit_test(test_ed25519_rfc8032_test2),
        cmocka_unit_test(test_verify_rejects_tampering),
        cmocka_unit_test(test_generated_key_signs),
        cmocka_unit_test(test_key_save_mode_and_no_overwrite),
        cmocka_unit_test(test_key_save_load_round_trip),
        cmocka_unit_test(test_key_load_refuses_open_mode),
        cmocka_unit_test(test_key_load_rejects_bad_files),
        cmocka_unit_test(test_cert_create),
        cmocka_unit_test(test_cert_name_not_a_hostname),
        cmocka_unit_test(test_cert_rejects_bad_args),
        cmocka_unit_test(test_cert_fingerprint_errors),
        cmocka_unit_test(test_last_error_drains),
    };

    return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
