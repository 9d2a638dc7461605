#include "crc32c_fold.h"

// CRC-32C by carry-less multiplication (VPCLMULQDQ on 512-bit registers, AVX-512): the buffer is
// folded 256 bytes at a time into four registers of four 128-bit lanes each, the sixteen lanes are
// then folded into one, and that one's 16 bytes and the tail go through the crc32 instruction.
// The crc32 instruction alone (crc32c.c) does 8 bytes a cycle at best; folding does several
// times that, which matters for a compiled rule file, checksummed whole at every load.
//
// Representation: the CRC is bit-reflected, so in a 128-bit lane loaded from memory bit i is the
// coefficient of x^(127 - i) (the lane's first byte holds its highest degrees). Moving a lane
// A = lo * x^64 + hi forward by F bits (to the lane F bits later) is A * x^F = lo * x^(F + 64) +
// hi * x^F, and modulo P each power is a 32-bit constant. A carry-less product of two reflected
// numbers comes out one degree low (bit m of the product is x^(126 - m) for 64-bit operands), so
// the constants are x^(F + 63) and x^(F - 1) mod P, reflected, in the upper half of their 64-bit
// lanes (bit j + 32 for x^(31 - j)), which puts the product (degree at most 95) at the lane's
// low degrees, where it is XORed into the lane it was moved onto.

#if defined(__x86_64__)
#include <immintrin.h>

#define IVG_FOLD_POLY 0x82F63B78u

/* a * b mod P, both reflected (bit 31 is x^0). */
static uint32_t fold_mul_mod(uint32_t a, uint32_t b) {
    uint32_t product = 0;
    for (uint32_t bit = 1u << 31; bit; bit >>= 1) {
        if (a & bit) product ^= b;
        b = (b & 1) ? (b >> 1) ^ IVG_FOLD_POLY : b >> 1; /* b * x */
    }
    return product;
}

/* x^n mod P, reflected, by square and multiply. */
static uint32_t x_pow_mod(uint64_t n) {
    uint32_t result = 1u << 31; /* x^0 */
    uint32_t square = 1u << 30; /* x^1 */
    for (; n; n >>= 1) {
        if (n & 1) result = fold_mul_mod(result, square);
        square = fold_mul_mod(square, square);
    }
    return result;
}

/* The constant pair that moves a lane forward by `bits`: low qword for the lane's low qword. */
static __m128i fold_constants(uint64_t bits) {
    uint64_t lo = (uint64_t)x_pow_mod(bits + 63) << 32;
    uint64_t hi = (uint64_t)x_pow_mod(bits - 1) << 32;
    return _mm_set_epi64x((long long)hi, (long long)lo);
}

static __m128i k_2048, k_512, k_384, k_256, k_128;
static int fold_ready;

__attribute__((constructor)) static void ivg_crc32c_fold_init(void) {
    __builtin_cpu_init();
    if (!(__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl")
          && __builtin_cpu_supports("vpclmulqdq") && __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.2")))
        return;
    k_2048 = fold_constants(2048);
    k_512 = fold_constants(512);
    k_384 = fold_constants(384);
    k_256 = fold_constants(256);
    k_128 = fold_constants(128);
    fold_ready = 1;
}

int ivg_crc32c_fold_available(void) { return fold_ready; }

#define IVG_FOLD_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,vpclmulqdq,pclmul,sse4.2")))

/* a moved forward by k's distance, XORed with b. */
IVG_FOLD_TARGET static inline __m512i fold512(__m512i a, __m512i k, __m512i b) {
    __m512i lo = _mm512_clmulepi64_epi128(a, k, 0x00);
    __m512i hi = _mm512_clmulepi64_epi128(a, k, 0x11);
    return _mm512_ternarylogic_epi64(lo, hi, b, 0x96); /* lo ^ hi ^ b */
}

IVG_FOLD_TARGET static inline __m128i fold128(__m128i a, __m128i k, __m128i b) {
    __m128i lo = _mm_clmulepi64_si128(a, k, 0x00);
    __m128i hi = _mm_clmulepi64_si128(a, k, 0x11);
    return _mm_xor_si128(_mm_xor_si128(lo, hi), b);
}

IVG_FOLD_TARGET
uint32_t ivg_crc32c_fold_update(uint32_t crc, const uint8_t *p, size_t n) {
    uint64_t c = (uint32_t)~crc;
    if (n >= 512) {
        /* The running CRC enters as the first four message bytes XORed with it (zero-extended:
         * a cast would leave the register's upper lanes undefined). */
        __m512i x0 = _mm512_xor_si512(_mm512_loadu_si512((const void *)p), _mm512_zextsi128_si512(_mm_cvtsi32_si128((int)c)));
        __m512i x1 = _mm512_loadu_si512((const void *)(p + 64));
        __m512i x2 = _mm512_loadu_si512((const void *)(p + 128));
        __m512i x3 = _mm512_loadu_si512((const void *)(p + 192));
        const __m512i k2048 = _mm512_broadcast_i32x4(k_2048);
        size_t i = 256;
        for (; i + 256 <= n; i += 256) {
            x0 = fold512(x0, k2048, _mm512_loadu_si512((const void *)(p + i)));
            x1 = fold512(x1, k2048, _mm512_loadu_si512((const void *)(p + i + 64)));
            x2 = fold512(x2, k2048, _mm512_loadu_si512((const void *)(p + i + 128)));
            x3 = fold512(x3, k2048, _mm512_loadu_si512((const void *)(p + i + 192)));
        }
        const __m512i k512 = _mm512_broadcast_i32x4(k_512);
        x1 = fold512(x0, k512, x1);
        x2 = fold512(x1, k512, x2);
        x3 = fold512(x2, k512, x3);
        /* The four lanes of x3 into its last. */
        __m128i l0 = _mm512_extracti32x4_epi32(x3, 0), l1 = _mm512_extracti32x4_epi32(x3, 1);
        __m128i l2 = _mm512_extracti32x4_epi32(x3, 2), l3 = _mm512_extracti32x4_epi32(x3, 3);
        __m128i acc = fold128(l0, k_384, l3);
        acc = fold128(l1, k_256, acc);
        acc = fold128(l2, k_128, acc);
        for (; i + 16 <= n; i += 16) acc = fold128(acc, k_128, _mm_loadu_si128((const __m128i *)(p + i)));
        c = _mm_crc32_u64(0, (uint64_t)_mm_cvtsi128_si64(acc));
        c = _mm_crc32_u64(c, (uint64_t)_mm_extract_epi64(acc, 1));
        p += i;
        n -= i;
    }
    size_t j = 0;
    for (; j + 8 <= n; j += 8) {
        uint64_t v;
        __builtin_memcpy(&v, p + j, 8);
        c = _mm_crc32_u64(c, v);
    }
    for (; j < n; j++) c = _mm_crc32_u8((uint32_t)c, p[j]);
    return ~(uint32_t)c;
}

#else

int ivg_crc32c_fold_available(void) { return 0; }

uint32_t ivg_crc32c_fold_update(uint32_t crc, const uint8_t *p, size_t n) {
    (void)p;
    (void)n;
    return crc;
}
#endif
