// Whether a text holds any of a few given bytes: the test that lets the scanner skip a pass whose
// patterns all need one of them (Automaton.requiredBytes). SSE2 is part of every x86-64 CPU, so
// no runtime dispatch; other CPUs take the scalar loop, which is also the tests' reference.
#include "invigil_simd.h"

#if defined(__x86_64__)
#include <emmintrin.h>
#endif

int ivg_holds_any_byte_scalar(const uint8_t *x, size_t n, const uint8_t *needles, size_t count) {
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < count; k++)
            if (x[i] == needles[k]) return 1;
    return 0;
}

int ivg_holds_any_byte(const uint8_t *x, size_t n, const uint8_t *needles, size_t count) {
    if (count == 0) return 0;
    if (count > 8) return ivg_holds_any_byte_scalar(x, n, needles, count);
#if defined(__x86_64__)
    __m128i want[8];
    for (size_t k = 0; k < 8; k++) want[k] = _mm_set1_epi8((char)needles[k < count ? k : 0]);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(x + i));
        __m128i hit = _mm_cmpeq_epi8(v, want[0]);
        // Unused slots repeat the first needle, so the loop needs no bound per byte count.
        for (size_t k = 1; k < 8; k++) hit = _mm_or_si128(hit, _mm_cmpeq_epi8(v, want[k]));
        if (_mm_movemask_epi8(hit)) return 1;
    }
    return ivg_holds_any_byte_scalar(x + i, n - i, needles, count);
#else
    return ivg_holds_any_byte_scalar(x, n, needles, count);
#endif
}
