/* sha256.c: SHA-256 as specified in FIPS 180-4, section 6.2 (one block of 64
 * bytes at a time, message padded with 0x80, zeros and the bit length). The
 * block function is the portable one below, or, on x86 CPUs that have them
 * (chosen at run time), the SHA extensions (SHA-NI): same digests, tested
 * against each other. */
#include <stdio.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>
#define SHA256_X86 1
#endif

#include "datasets/sha256.h"

static const uint32_t k256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

/* Processes one 64-byte block (portable). */
static void sha256_block(uint32_t h[8], const unsigned char *p)
{
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = hh + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + k256[i] + w[i];
        uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        hh = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += hh;
}

/* Processes n 64-byte blocks at p with the portable code. */
static void sha256_blocks_portable(uint32_t h[8], const unsigned char *p, size_t n)
{
    for (; n; n--, p += 64)
        sha256_block(h, p);
}

#ifdef SHA256_X86
/* Processes n 64-byte blocks at p with the SHA extensions. The state is kept
 * as the two halves the instructions take (ABEF, CDGH); each sha256rnds2 does
 * two rounds, sha256msg1/msg2 extend the message schedule four words at a
 * time. */
__attribute__((target("sha,sse4.1"))) static void sha256_blocks_ni(uint32_t h[8], const unsigned char *p, size_t n)
{
    const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
    __m128i tmp = _mm_loadu_si128((const __m128i *)(const void *)&h[0]);
    __m128i st1 = _mm_loadu_si128((const __m128i *)(const void *)&h[4]);
    tmp = _mm_shuffle_epi32(tmp, 0xB1);       /* CDAB */
    st1 = _mm_shuffle_epi32(st1, 0x1B);       /* EFGH */
    __m128i st0 = _mm_alignr_epi8(tmp, st1, 8); /* ABEF */
    st1 = _mm_blend_epi16(st1, tmp, 0xF0);    /* CDGH */
    for (; n; n--, p += 64) {
        __m128i save0 = st0, save1 = st1, w[4];
        for (int g = 0; g < 16; g++) {
            __m128i m;
            if (g < 4)
                m = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 16 * g)), bswap);
            else {
                /* W[t-16] + s0(W[t-15]) + W[t-7], then + s1(W[t-2]) */
                m = _mm_sha256msg1_epu32(w[g & 3], w[(g + 1) & 3]);
                m = _mm_add_epi32(m, _mm_alignr_epi8(w[(g + 3) & 3], w[(g + 2) & 3], 4));
                m = _mm_sha256msg2_epu32(m, w[(g + 3) & 3]);
            }
            w[g & 3] = m;
            __m128i wk = _mm_add_epi32(m, _mm_loadu_si128((const __m128i *)(const void *)&k256[4 * g]));
            st1 = _mm_sha256rnds2_epu32(st1, st0, wk);
            st0 = _mm_sha256rnds2_epu32(st0, st1, _mm_shuffle_epi32(wk, 0x0E));
        }
        st0 = _mm_add_epi32(st0, save0);
        st1 = _mm_add_epi32(st1, save1);
    }
    tmp = _mm_shuffle_epi32(st0, 0x1B);   /* FEBA */
    st1 = _mm_shuffle_epi32(st1, 0xB1);   /* DCHG */
    st0 = _mm_blend_epi16(tmp, st1, 0xF0); /* DCBA */
    st1 = _mm_alignr_epi8(st1, tmp, 8);   /* HGFE */
    _mm_storeu_si128((__m128i *)(void *)&h[0], st0);
    _mm_storeu_si128((__m128i *)(void *)&h[4], st1);
}

/* 1 when the CPU has SHA, SSSE3 and SSE4.1. */
static int sha256_cpu_has_ni(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 9)) || !(c & (1u << 19)))
        return 0;
    if (__get_cpuid_max(0, NULL) < 7)
        return 0;
    __cpuid_count(7, 0, a, b, c, d);
    return (b >> 29) & 1;
}
#endif

/* The block function in use: -1 not chosen yet, 0 portable, 1 SHA-NI. Set
 * once (the first hash, or dw_sha256_use_accel); a race only stores the
 * same value twice. */
static int sha256_impl = -1;

/* The block function to use, chosen on first use. */
static int sha256_which(void)
{
    int w = __atomic_load_n(&sha256_impl, __ATOMIC_RELAXED);
    if (w < 0) {
#ifdef SHA256_X86
        w = sha256_cpu_has_ni();
#else
        w = 0;
#endif
        __atomic_store_n(&sha256_impl, w, __ATOMIC_RELAXED);
    }
    return w;
}

/* Processes n blocks with the chosen block function. */
static void sha256_blocks(uint32_t h[8], const unsigned char *p, size_t n)
{
#ifdef SHA256_X86
    if (sha256_which() == 1) {
        sha256_blocks_ni(h, p, n);
        return;
    }
#endif
    sha256_blocks_portable(h, p, n);
}

int dw_sha256_accel(void) { return sha256_which(); }

int dw_sha256_use_accel(int on)
{
#ifdef SHA256_X86
    int w = on && sha256_cpu_has_ni();
#else
    int w = 0;
    (void)on;
#endif
    __atomic_store_n(&sha256_impl, w, __ATOMIC_RELAXED);
    return w;
}

void dw_sha256_init(dw_sha256 *s)
{
    static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(s->h, iv, sizeof iv);
    s->len = 0;
    s->nblk = 0;
}

void dw_sha256_update(dw_sha256 *s, const void *p, size_t n)
{
    const unsigned char *c = p;
    s->len += n;
    if (s->nblk) {
        size_t take = 64 - s->nblk < n ? 64 - s->nblk : n;
        memcpy(s->blk + s->nblk, c, take);
        s->nblk += take;
        c += take;
        n -= take;
        if (s->nblk < 64)
            return;
        sha256_blocks(s->h, s->blk, 1);
        s->nblk = 0;
    }
    if (n >= 64) {
        sha256_blocks(s->h, c, n / 64);
        c += n / 64 * 64;
        n %= 64;
    }
    if (n) {
        memcpy(s->blk, c, n);
        s->nblk = n;
    }
}

void dw_sha256_final(dw_sha256 *s, unsigned char out[32])
{
    uint64_t bits = s->len * 8;
    unsigned char pad[72] = {0x80};
    size_t npad = (s->nblk < 56 ? 56 : 120) - s->nblk;
    for (int i = 0; i < 8; i++)
        pad[npad + (size_t)i] = (unsigned char)(bits >> (56 - 8 * i));
    dw_sha256_update(s, pad, npad + 8);
    for (int i = 0; i < 8; i++) {
        out[4 * i] = (unsigned char)(s->h[i] >> 24);
        out[4 * i + 1] = (unsigned char)(s->h[i] >> 16);
        out[4 * i + 2] = (unsigned char)(s->h[i] >> 8);
        out[4 * i + 3] = (unsigned char)s->h[i];
    }
}

void dw_sha256_hex(dw_sha256 *s, char out[65])
{
    unsigned char d[32];
    dw_sha256_final(s, d);
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}
