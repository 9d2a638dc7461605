#include "invigil_simd.h"

// CRC-32C with the SSE 4.2 crc32 instruction, eight bytes per instruction. Same definition as
// the table-driven Swift version (Sources/Invigil/Serialize/CRC32C.swift), which checks it.

#if defined(__x86_64__)
#include <nmmintrin.h>

int ivg_crc32c_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("sse4.2") ? 1 : 0;
}

/* Polynomials modulo the CRC polynomial, bit-reflected as the CRC is: bit 31 is x^0. */
#define IVG_CRC_POLY 0x82F63B78u

/* a * b mod P. */
static uint32_t mul_mod(uint32_t a, uint32_t b) {
    uint32_t product = 0;
    for (uint32_t bit = 1u << 31; bit; bit >>= 1) {
        if (a & bit) product ^= b;
        b = (b & 1) ? (b >> 1) ^ IVG_CRC_POLY : b >> 1;  /* b * x */
    }
    return product;
}

/* x^(2^k) mod P for k = 0..63, filled at load time. */
static uint32_t x_pow2[64];

__attribute__((constructor)) static void ivg_crc32c_init(void) {
    uint32_t p = 1u << 30;  /* x^1 */
    for (int k = 0; k < 64; k++) {
        x_pow2[k] = p;
        p = mul_mod(p, p);
    }
}

/* The raw CRC state `s` advanced over `bytes` zero bytes: s * x^(8 * bytes) mod P, the power
 * assembled from the squares in x_pow2 (8 * bytes = bytes << 3, so bit j of bytes is 2^(j + 3)). */
static uint32_t shift_zeros(uint32_t s, size_t bytes) {
    uint32_t power = 1u << 31;  /* x^0 */
    for (int k = 3; bytes && k < 64; bytes >>= 1, k++)
        if (bytes & 1) power = mul_mod(x_pow2[k], power);
    return mul_mod(power, s);
}

__attribute__((target("sse4.2")))
static uint64_t crc_run(uint64_t c, const uint8_t *p, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t v;
        __builtin_memcpy(&v, p + i, 8);
        c = _mm_crc32_u64(c, v);
    }
    for (; i < n; i++) c = _mm_crc32_u8((uint32_t)c, p[i]);
    return c;
}

/* Large buffers as three independent streams (the instruction's latency is three times its
 * throughput), joined with shift_zeros. */
__attribute__((target("sse4.2")))
uint32_t ivg_crc32c_update(uint32_t crc, const uint8_t *p, size_t n) {
    uint64_t c = (uint32_t)~crc;
    if (n >= 3 * 4096) {
        size_t third = n / 3 / 8 * 8;
        const uint8_t *a = p, *b = p + third, *d = p + 2 * third;
        uint64_t c1 = c, c2 = 0, c3 = 0;
        for (size_t i = 0; i < third; i += 8) {
            uint64_t va, vb, vd;
            __builtin_memcpy(&va, a + i, 8);
            __builtin_memcpy(&vb, b + i, 8);
            __builtin_memcpy(&vd, d + i, 8);
            c1 = _mm_crc32_u64(c1, va);
            c2 = _mm_crc32_u64(c2, vb);
            c3 = _mm_crc32_u64(c3, vd);
        }
        c = shift_zeros(shift_zeros((uint32_t)c1, third) ^ (uint32_t)c2, third) ^ (uint32_t)c3;
        c = crc_run(c, p + 3 * third, n - 3 * third);
        return ~(uint32_t)c;
    }
    return ~(uint32_t)crc_run(c, p, n);
}

#else

int ivg_crc32c_available(void) { return 0; }

uint32_t ivg_crc32c_update(uint32_t crc, const uint8_t *p, size_t n) {
    (void)p;
    (void)n;
    return crc;
}
#endif
