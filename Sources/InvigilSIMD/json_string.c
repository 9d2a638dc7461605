// The end of a run of plain bytes in a JSON string: the first quote, backslash or control
// character. Event texts are most of an event's JSON and nearly all plain, so the event reader
// finds where each string ends sixteen bytes a step. SSE2 is part of every x86-64 CPU, so no
// runtime dispatch; other CPUs take the scalar loop, which is also the tests' reference.
#include "invigil_simd.h"

#if defined(__x86_64__)
#include <emmintrin.h>
#endif

size_t ivg_json_plain_end_scalar(const uint8_t *x, size_t from, size_t n) {
    for (size_t i = from; i < n; i++)
        if (x[i] == 0x22 || x[i] == 0x5C || x[i] < 0x20) return i;
    return n;
}

size_t ivg_json_plain_end(const uint8_t *x, size_t from, size_t n) {
#if defined(__x86_64__)
    const __m128i quote = _mm_set1_epi8(0x22), backslash = _mm_set1_epi8(0x5C), control = _mm_set1_epi8(0x1F);
    size_t i = from;
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(x + i));
        // v <= 0x1F (unsigned) exactly when max(v, 0x1F) == 0x1F.
        __m128i stop = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                                    _mm_cmpeq_epi8(_mm_max_epu8(v, control), control));
        int mask = _mm_movemask_epi8(stop);
        if (mask) return i + (size_t)__builtin_ctz((unsigned)mask);
    }
    return ivg_json_plain_end_scalar(x, i, n);
#else
    return ivg_json_plain_end_scalar(x, from, n);
#endif
}
