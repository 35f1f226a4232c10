#ifndef LXD_SSL_SHIM_H
#define LXD_SSL_SHIM_H

#include <stddef.h>

/// SHA-256 of a buffer into out[32]. Returns 0 on success.
int lxd_ssl_sha256(const void *data, size_t len, unsigned char out[32]);

/// Incremental SHA-256 (an opaque EVP_MD_CTX). NULL on allocation failure.
void *lxd_ssl_sha256_new(void);
int lxd_ssl_sha256_update(void *ctx, const void *data, size_t len);
/// Writes the digest into out[32] and frees ctx.
int lxd_ssl_sha256_final(void *ctx, unsigned char out[32]);
void lxd_ssl_sha256_free(void *ctx);

/// Fills buf with cryptographically secure random bytes. Returns 0 on success.
int lxd_ssl_random(void *buf, size_t len);


/// TLS contexts and sessions (OpenSSL's SSL_CTX / SSL). The peer's certificate is requested and
/// accepted whatever it is: trust is decided by the caller from its fingerprint, as LXD does.
void *lxd_ssl_ctx_new(int is_server);
/// Loads a PEM certificate and private key into the context. Returns 0 on success.
int lxd_ssl_ctx_use_pem(void *ctx, const char *cert_pem, const char *key_pem);
void lxd_ssl_ctx_free(void *ctx);

/// A session over `fd` (not owned). `server_name` (client side, may be NULL) goes out as SNI.
void *lxd_ssl_new(void *ctx, int fd, int is_server, const char *server_name);
void lxd_ssl_free(void *ssl);

/// Results of lxd_ssl_handshake/read/write besides a byte count (> 0) or 0 for success.
#define LXD_SSL_WANT_READ (-1)
#define LXD_SSL_WANT_WRITE (-2)
#define LXD_SSL_CLOSED (-3)
#define LXD_SSL_ERROR (-4)

/// One step of the handshake: 0 when done, else one of the codes above.
int lxd_ssl_handshake_step(void *ssl);
/// Reads up to len bytes: a count > 0, or LXD_SSL_WANT_READ/WANT_WRITE/CLOSED/ERROR.
int lxd_ssl_read(void *ssl, void *buf, int len);
/// Writes up to len bytes: a count > 0, or a code.
int lxd_ssl_write(void *ssl, const void *buf, int len);
/// Decrypted bytes already buffered inside the session.
int lxd_ssl_pending(void *ssl);
/// Sends close_notify (best effort, never blocks for long on a non-blocking fd).
void lxd_ssl_shutdown(void *ssl);
/// The negotiated protocol ("TLSv1.3").
const char *lxd_ssl_version(void *ssl);
/// The peer certificate as DER into a malloc'ed buffer (*out, free with lxd_ssl_free_buffer);
/// returns the length, 0 when the peer sent none.
int lxd_ssl_peer_certificate(void *ssl, unsigned char **out);
void lxd_ssl_free_buffer(void *buffer);

/// The last OpenSSL error as text into buf (cleared afterwards).
void lxd_ssl_error_string(char *buf, size_t len);

/// A self-signed ECDSA P-384 certificate and its key, as LXD generates them: O=linuxcontainers.org,
/// CN=`common_name`, 10 years, serverAuth or clientAuth, `alt_names` an OpenSSL SAN list
/// ("DNS:host,IP:127.0.0.1") or NULL. PEM texts are malloc'ed into *cert_pem / *key_pem.
int lxd_ssl_generate_certificate(int is_client, const char *common_name, const char *alt_names, int days, char **cert_pem,
                                 char **key_pem);

/// A PEM certificate to DER (malloc'ed *out); returns the length or -1 if it does not parse.
int lxd_ssl_pem_to_der(const char *pem, unsigned char **out);
/// Facts of a DER certificate: common name (malloc'ed), validity as Unix times. 0 on success.
int lxd_ssl_certificate_info(const unsigned char *der, int len, char **common_name, long long *not_before,
                             long long *not_after);
/// The DER certificate as PEM (malloc'ed).
char *lxd_ssl_der_to_pem(const unsigned char *der, int len);

/// scrypt(password, salt, N, r, p) into out[outlen]. Returns 0 on success.
int lxd_ssl_scrypt(const void *password, size_t password_len, const void *salt, size_t salt_len, unsigned long long n,
                   unsigned long long r, unsigned long long p, unsigned char *out, size_t outlen);

#endif
