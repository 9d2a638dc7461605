#include "invigil_simd.h"

static size_t next_scalar(const ivg_prefilter *p, const uint8_t *x, size_t q, size_t end) {
    for (; q + 3 <= end; q++) {
        uint8_t b0 = x[q] | 0x20, b1 = x[q + 1] | 0x20, b2 = x[q + 2] | 0x20;
        for (int j = 0; j < p->count; j++)
            if (b0 == p->a[j] && b1 == p->b[j] && b2 == p->c[j]) return q;
    }
    return end;
}

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

// The starts among the 32 positions from x + q (bit k: position q + k), reading x[q ..< q + 34].
__attribute__((target("avx2")))
static inline unsigned starts_avx2(const uint8_t *x, size_t q, int n, const __m256i *A, const __m256i *B, const __m256i *C) {
    const __m256i lower = _mm256_set1_epi8(0x20);
    __m256i v0 = _mm256_or_si256(_mm256_loadu_si256((const __m256i *)(x + q)), lower);
    __m256i v1 = _mm256_or_si256(_mm256_loadu_si256((const __m256i *)(x + q + 1)), lower);
    __m256i v2 = _mm256_or_si256(_mm256_loadu_si256((const __m256i *)(x + q + 2)), lower);
    __m256i m = _mm256_setzero_si256();
    for (int j = 0; j < n; j++) {
        __m256i e = _mm256_and_si256(_mm256_cmpeq_epi8(v0, A[j]), _mm256_cmpeq_epi8(v1, B[j]));
        m = _mm256_or_si256(m, _mm256_and_si256(e, _mm256_cmpeq_epi8(v2, C[j])));
    }
    return (unsigned)_mm256_movemask_epi8(m);
}

__attribute__((target("avx2")))
static size_t next_avx2(const ivg_prefilter *p, const uint8_t *x, size_t q, size_t end) {
    const int n = p->count;
    __m256i A[IVG_PREFILTER_MAX], B[IVG_PREFILTER_MAX], C[IVG_PREFILTER_MAX];
    for (int j = 0; j < n; j++) {
        A[j] = _mm256_set1_epi8((char)p->a[j]);
        B[j] = _mm256_set1_epi8((char)p->b[j]);
        C[j] = _mm256_set1_epi8((char)p->c[j]);
    }
    // 32 positions per step: loads at q, q+1, q+2 must stay below end.
    while (q + 34 <= end) {
        unsigned mask = starts_avx2(x, q, n, A, B, C);
        if (mask) return q + (size_t)__builtin_ctz(mask);
        q += 32;
    }
    // The tail: one more step over the last 34 bytes, which end where the text does, with the
    // positions before q masked off. A message-sized text otherwise spent a sixth of its bytes
    // in the scalar loop.
    if (end >= 34 && q + 3 <= end) {
        size_t s = end - 34;
        unsigned mask = starts_avx2(x, s, n, A, B, C) >> (q - s);
        return mask ? q + (size_t)__builtin_ctz(mask) : end;
    }
    return next_scalar(p, x, q, end);
}

int ivg_prefilter_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") ? 1 : 0;
}

// Set once at load time, before any thread can scan.
static int has_avx2 = 0;
__attribute__((constructor)) static void ivg_simd_init(void) { has_avx2 = ivg_prefilter_available(); }

size_t ivg_prefilter_next(const ivg_prefilter *p, const uint8_t *x, size_t from, size_t end) {
    return has_avx2 ? next_avx2(p, x, from, end) : next_scalar(p, x, from, end);
}

#else

int ivg_prefilter_available(void) { return 0; }

size_t ivg_prefilter_next(const ivg_prefilter *p, const uint8_t *x, size_t q, size_t end) {
    return next_scalar(p, x, q, end);
}
#endif
