#include "lxd_ssl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

int lxd_ssl_sha256(const void *data, size_t len, unsigned char out[32]) {
    unsigned int outlen = 0;
    return EVP_Digest(data, len, out, &outlen, EVP_sha256(), NULL) == 1 ? 0 : -1;
}

void *lxd_ssl_sha256_new(void) {
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx == NULL)
        return NULL;
    if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

int lxd_ssl_sha256_update(void *ctx, const void *data, size_t len) {
    return EVP_DigestUpdate((EVP_MD_CTX *)ctx, data, len) == 1 ? 0 : -1;
}

int lxd_ssl_sha256_final(void *ctx, unsigned char out[32]) {
    unsigned int outlen = 0;
    int ok = EVP_DigestFinal_ex((EVP_MD_CTX *)ctx, out, &outlen);
    EVP_MD_CTX_free((EVP_MD_CTX *)ctx);
    return ok == 1 ? 0 : -1;
}

void lxd_ssl_sha256_free(void *ctx) { EVP_MD_CTX_free((EVP_MD_CTX *)ctx); }

int lxd_ssl_random(void *buf, size_t len) { return RAND_bytes(buf, (int)len) == 1 ? 0 : -1; }

/* TLS ---------------------------------------------------------------------------------------- */

/* Accepts any peer certificate: the daemon and the client decide trust by fingerprint. */
static int lxd_ssl_accept_any(int preverify, X509_STORE_CTX *store) {
    (void)preverify;
    (void)store;
    return 1;
}

void *lxd_ssl_ctx_new(int is_server) {
    SSL_CTX *ctx = SSL_CTX_new(is_server ? TLS_server_method() : TLS_client_method());
    if (ctx == NULL)
        return NULL;
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, lxd_ssl_accept_any);
    if (is_server) {
        /* One session per connection, like LXD's clients use them; no ticket state to keep. */
        SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
        SSL_CTX_set_num_tickets(ctx, 0);
        SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    }
    return ctx;
}

int lxd_ssl_ctx_use_pem(void *ctx, const char *cert_pem, const char *key_pem) {
    int rc = -1;
    BIO *cert_bio = BIO_new_mem_buf(cert_pem, -1);
    BIO *key_bio = BIO_new_mem_buf(key_pem, -1);
    X509 *cert = cert_bio ? PEM_read_bio_X509(cert_bio, NULL, NULL, NULL) : NULL;
    EVP_PKEY *key = key_bio ? PEM_read_bio_PrivateKey(key_bio, NULL, NULL, NULL) : NULL;
    if (cert != NULL && key != NULL && SSL_CTX_use_certificate((SSL_CTX *)ctx, cert) == 1 &&
        SSL_CTX_use_PrivateKey((SSL_CTX *)ctx, key) == 1 && SSL_CTX_check_private_key((SSL_CTX *)ctx) == 1)
        rc = 0;
    X509_free(cert);
    EVP_PKEY_free(key);
    BIO_free(cert_bio);
    BIO_free(key_bio);
    return rc;
}

void lxd_ssl_ctx_free(void *ctx) { SSL_CTX_free((SSL_CTX *)ctx); }

void *lxd_ssl_new(void *ctx, int fd, int is_server, const char *server_name) {
    SSL *ssl = SSL_new((SSL_CTX *)ctx);
    if (ssl == NULL)
        return NULL;
    if (SSL_set_fd(ssl, fd) != 1) {
        SSL_free(ssl);
        return NULL;
    }
    if (is_server) {
        SSL_set_accept_state(ssl);
    } else {
        SSL_set_connect_state(ssl);
        if (server_name != NULL && server_name[0] != '\0')
            SSL_set_tlsext_host_name(ssl, server_name);
    }
    return ssl;
}

void lxd_ssl_free(void *ssl) { SSL_free((SSL *)ssl); }

static int lxd_ssl_result(SSL *ssl, int ret) {
    switch (SSL_get_error(ssl, ret)) {
    case SSL_ERROR_WANT_READ:
        return LXD_SSL_WANT_READ;
    case SSL_ERROR_WANT_WRITE:
        return LXD_SSL_WANT_WRITE;
    case SSL_ERROR_ZERO_RETURN:
        return LXD_SSL_CLOSED;
    case SSL_ERROR_SYSCALL:
        /* EOF without close_notify (Go clients just close): treat as the end of the stream. */
        if (ERR_peek_error() == 0 && (ret == 0 || errno == 0 || errno == ECONNRESET || errno == EPIPE))
            return LXD_SSL_CLOSED;
        return LXD_SSL_ERROR;
    case SSL_ERROR_SSL:
        /* OpenSSL 3 reports an EOF without close_notify as this error. */
        if (ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
            ERR_clear_error();
            return LXD_SSL_CLOSED;
        }
        return LXD_SSL_ERROR;
    default:
        return LXD_SSL_ERROR;
    }
}

int lxd_ssl_handshake_step(void *ssl) {
    ERR_clear_error();
    errno = 0;
    int ret = SSL_do_handshake((SSL *)ssl);
    return ret == 1 ? 0 : lxd_ssl_result((SSL *)ssl, ret);
}

int lxd_ssl_read(void *ssl, void *buf, int len) {
    ERR_clear_error();
    errno = 0;
    int ret = SSL_read((SSL *)ssl, buf, len);
    return ret > 0 ? ret : lxd_ssl_result((SSL *)ssl, ret);
}

int lxd_ssl_write(void *ssl, const void *buf, int len) {
    ERR_clear_error();
    errno = 0;
    int ret = SSL_write((SSL *)ssl, buf, len);
    return ret > 0 ? ret : lxd_ssl_result((SSL *)ssl, ret);
}

int lxd_ssl_pending(void *ssl) { return SSL_pending((SSL *)ssl); }

void lxd_ssl_shutdown(void *ssl) {
    ERR_clear_error();
    SSL_shutdown((SSL *)ssl);
    ERR_clear_error();
}

const char *lxd_ssl_version(void *ssl) { return SSL_get_version((SSL *)ssl); }

int lxd_ssl_peer_certificate(void *ssl, unsigned char **out) {
    *out = NULL;
    X509 *cert = SSL_get1_peer_certificate((SSL *)ssl);
    if (cert == NULL)
        return 0;
    int len = i2d_X509(cert, out);
    X509_free(cert);
    return len > 0 ? len : 0;
}

void lxd_ssl_free_buffer(void *buffer) { OPENSSL_free(buffer); }

void lxd_ssl_error_string(char *buf, size_t len) {
    unsigned long code = ERR_get_error();
    if (code == 0)
        snprintf(buf, len, "%s", errno != 0 ? strerror(errno) : "unknown TLS error");
    else
        ERR_error_string_n(code, buf, len);
    ERR_clear_error();
}

/* Certificates -------------------------------------------------------------------------------- */

static char *lxd_ssl_bio_text(BIO *bio) {
    char *data = NULL;
    long len = BIO_get_mem_data(bio, &data);
    if (len < 0)
        return NULL;
    char *copy = malloc((size_t)len + 1);
    if (copy == NULL)
        return NULL;
    memcpy(copy, data, (size_t)len);
    copy[len] = '\0';
    return copy;
}

static int lxd_ssl_add_ext(X509 *cert, int nid, const char *value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    if (ext == NULL)
        return -1;
    int ok = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    return ok == 1 ? 0 : -1;
}

int lxd_ssl_generate_certificate(int is_client, const char *common_name, const char *alt_names, int days, char **cert_pem,
                                 char **key_pem) {
    int rc = -1;
    *cert_pem = NULL;
    *key_pem = NULL;
    EVP_PKEY *key = EVP_EC_gen("P-384");
    X509 *cert = X509_new();
    BIGNUM *serial = BN_new();
    BIO *cert_bio = BIO_new(BIO_s_mem());
    BIO *key_bio = BIO_new(BIO_s_mem());
    if (key == NULL || cert == NULL || serial == NULL || cert_bio == NULL || key_bio == NULL)
        goto out;
    if (X509_set_version(cert, 2) != 1)
        goto out;
    /* A random positive 128-bit serial number. */
    if (BN_rand(serial, 128, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
        BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(cert)) == NULL)
        goto out;
    if (X509_gmtime_adj(X509_getm_notBefore(cert), 0) == NULL ||
        X509_gmtime_adj(X509_getm_notAfter(cert), (long)days * 24 * 3600) == NULL)
        goto out;
    X509_NAME *name = X509_get_subject_name(cert);
    if (X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, (const unsigned char *)"linuxcontainers.org", -1, -1, 0) != 1 ||
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)common_name, -1, -1, 0) != 1 ||
        X509_set_issuer_name(cert, name) != 1 || X509_set_pubkey(cert, key) != 1)
        goto out;
    if (lxd_ssl_add_ext(cert, NID_key_usage, "critical,digitalSignature,keyEncipherment") != 0 ||
        lxd_ssl_add_ext(cert, NID_ext_key_usage, is_client ? "clientAuth" : "serverAuth") != 0 ||
        lxd_ssl_add_ext(cert, NID_basic_constraints, "critical,CA:FALSE") != 0)
        goto out;
    if (alt_names != NULL && alt_names[0] != '\0' && lxd_ssl_add_ext(cert, NID_subject_alt_name, alt_names) != 0)
        goto out;
    if (X509_sign(cert, key, EVP_sha384()) <= 0)
        goto out;
    if (PEM_write_bio_X509(cert_bio, cert) != 1 ||
        PEM_write_bio_PrivateKey_traditional(key_bio, key, NULL, NULL, 0, NULL, NULL) != 1)
        goto out;
    *cert_pem = lxd_ssl_bio_text(cert_bio);
    *key_pem = lxd_ssl_bio_text(key_bio);
    if (*cert_pem != NULL && *key_pem != NULL)
        rc = 0;
out:
    if (rc != 0) {
        free(*cert_pem);
        free(*key_pem);
        *cert_pem = NULL;
        *key_pem = NULL;
    }
    BIO_free(cert_bio);
    BIO_free(key_bio);
    BN_free(serial);
    X509_free(cert);
    EVP_PKEY_free(key);
    return rc;
}

int lxd_ssl_pem_to_der(const char *pem, unsigned char **out) {
    *out = NULL;
    BIO *bio = BIO_new_mem_buf(pem, -1);
    if (bio == NULL)
        return -1;
    X509 *cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);
    BIO_free(bio);
    ERR_clear_error();
    if (cert == NULL)
        return -1;
    int len = i2d_X509(cert, out);
    X509_free(cert);
    return len > 0 ? len : -1;
}

static long long lxd_ssl_asn1_time(const ASN1_TIME *time) {
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    if (ASN1_TIME_to_tm(time, &tm) != 1)
        return 0;
    return (long long)timegm(&tm);
}

int lxd_ssl_certificate_info(const unsigned char *der, int len, char **common_name, long long *not_before,
                             long long *not_after) {
    *common_name = NULL;
    const unsigned char *cursor = der;
    X509 *cert = d2i_X509(NULL, &cursor, len);
    if (cert == NULL) {
        ERR_clear_error();
        return -1;
    }
    char buf[256] = {0};
    X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, buf, sizeof(buf));
    *common_name = strdup(buf);
    *not_before = lxd_ssl_asn1_time(X509_get0_notBefore(cert));
    *not_after = lxd_ssl_asn1_time(X509_get0_notAfter(cert));
    X509_free(cert);
    return 0;
}

char *lxd_ssl_der_to_pem(const unsigned char *der, int len) {
    const unsigned char *cursor = der;
    X509 *cert = d2i_X509(NULL, &cursor, len);
    if (cert == NULL) {
        ERR_clear_error();
        return NULL;
    }
    char *text = NULL;
    BIO *bio = BIO_new(BIO_s_mem());
    if (bio != NULL && PEM_write_bio_X509(bio, cert) == 1)
        text = lxd_ssl_bio_text(bio);
    BIO_free(bio);
    X509_free(cert);
    return text;
}

int lxd_ssl_scrypt(const void *password, size_t password_len, const void *salt, size_t salt_len, unsigned long long n,
                   unsigned long long r, unsigned long long p, unsigned char *out, size_t outlen) {
    return EVP_PBE_scrypt(password, password_len, salt, salt_len, n, r, p, 64ULL << 20, out, outlen) == 1 ? 0 : -1;
}
