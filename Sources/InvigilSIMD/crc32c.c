#include "invigil_simd.h"

// CRC-32C with the SSE 4.2 crc32 instruction, eight bytes per instruction. Same definition as
// the table-driven Swift version (Sources/Invigil/Serialize/CRC32C.swift), which checks it.

#if defined(__x86_64__)
#include <nmmintrin.h>

int ivg_crc32c_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("sse4.2") ? 1 : 0;
}

/* The raw CRC state `s` advanced over `bytes` zero bytes: multiplication by x^(8 * bytes) in
 * GF(2)[x] mod the polynomial, as a 32x32 bit matrix raised by repeated squaring (zlib's
 * crc32_combine method). */
static uint32_t gf2_times(const uint32_t *m, uint32_t v) {
    uint32_t r = 0;
    for (int i = 0; v; i++, v >>= 1)
        if (v & 1) r ^= m[i];
    return r;
}

static void gf2_square(uint32_t *out, const uint32_t *m) {
    for (int i = 0; i < 32; i++) out[i] = gf2_times(m, m[i]);
}

static uint32_t shift_zeros(uint32_t s, size_t bytes) {
    uint32_t odd[32], even[32];
    /* The operator of one zero bit, then squared to one byte (8 bits). */
    odd[0] = 0x82F63B78u;
    for (int i = 1; i < 32; i++) odd[i] = 1u << (i - 1);
    gf2_square(even, odd);  /* 2 bits */
    gf2_square(odd, even);  /* 4 bits */
    gf2_square(even, odd);  /* 8 bits: one byte, in even */
    uint32_t *cur = even, *other = odd;
    while (bytes) {
        if (bytes & 1) s = gf2_times(cur, s);
        bytes >>= 1;
        if (!bytes) break;
        gf2_square(other, cur);
        uint32_t *t = cur; cur = other; other = t;
    }
    return s;
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
