// Byte searches for the detectors' first tests. SSE2 is part of every x86-64 CPU, so these need
// no runtime dispatch; other CPUs take the scalar loop. They are C because Swift's portable SIMD
// types compile these compares and masks to per-lane code (notes in docs/performance.md).
#include "invigil_simd.h"

#if defined(__x86_64__)
#include <emmintrin.h>
#endif

static inline int is_digit(uint8_t b) { return b >= '0' && b <= '9'; }

size_t ivg_next_phone_start(const uint8_t *x, size_t from, size_t end) {
#if defined(__x86_64__)
    const __m128i below = _mm_set1_epi8('0' - 1), above = _mm_set1_epi8('9' + 1);
    const __m128i plus = _mm_set1_epi8('+'), open = _mm_set1_epi8('(');
    while (from + 16 <= end) {
        __m128i v = _mm_loadu_si128((const __m128i *)(x + from));
        __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(v, below), _mm_cmplt_epi8(v, above));
        __m128i sign = _mm_or_si128(_mm_cmpeq_epi8(v, plus), _mm_cmpeq_epi8(v, open));
        int mask = _mm_movemask_epi8(_mm_or_si128(digit, sign));
        if (mask) return from + (size_t)__builtin_ctz((unsigned)mask);
        from += 16;
    }
#endif
    for (; from < end; from++)
        if (is_digit(x[from]) || x[from] == '+' || x[from] == '(') return from;
    return end;
}

size_t ivg_count_byte(const uint8_t *x, size_t n, uint8_t byte) {
    size_t count = 0, i = 0;
#if defined(__x86_64__)
    // Each lane of `lanes` counts its matches (a compare gives -1, subtracted); after at most 255
    // blocks, before a lane could wrap, the lanes are summed by _mm_sad_epu8. The movemask and
    // popcount this replaces compiled, without -mpopcnt, to a dozen instructions a block.
    const __m128i wanted = _mm_set1_epi8((char)byte), zero = _mm_setzero_si128();
    while (i + 16 <= n) {
        size_t blocks = (n - i) / 16;
        if (blocks > 255) blocks = 255;
        __m128i lanes = zero;
        for (size_t b = 0; b < blocks; b++, i += 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(x + i));
            lanes = _mm_sub_epi8(lanes, _mm_cmpeq_epi8(v, wanted));
        }
        __m128i sums = _mm_sad_epu8(lanes, zero);
        count += (size_t)_mm_cvtsi128_si32(sums) + (size_t)_mm_extract_epi16(sums, 4);
    }
#endif
    for (; i < n; i++) count += x[i] == byte;
    return count;
}
