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

#endif
