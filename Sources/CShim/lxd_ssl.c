#include "lxd_ssl.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

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
