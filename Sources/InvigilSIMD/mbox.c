// Byte searches for the mbox splitter, which runs on the thread that reads the input: the next
// `From ` (SSE2 on x86-64, the byte loop elsewhere) and the last line feed (glibc's memrchr, which
// Swift's Glibc module does not expose).
#define _GNU_SOURCE
#include <string.h>
#include "invigil_simd.h"

#if defined(__x86_64__)
#include <emmintrin.h>
#endif

static int is_from(const uint8_t *p) { return p[0] == 'F' && p[1] == 'r' && p[2] == 'o' && p[3] == 'm' && p[4] == ' '; }

size_t ivg_find_mbox_from(const uint8_t *x, size_t from, size_t n) {
    if (from >= n || n - from < 5) return n;
    size_t i = from;
    const size_t last = n - 5;  // the last position a match can start at
#if defined(__x86_64__)
    // "Fr" at i and i + 1, sixteen positions a step (rarer than any one byte in mail text); each
    // candidate checked whole. glibc's memmem takes its general two-way path for five bytes.
    const __m128i f = _mm_set1_epi8('F'), r = _mm_set1_epi8('r');
    for (; i + 17 <= n && i + 16 <= last + 1; i += 16) {
        __m128i a = _mm_loadu_si128((const __m128i *)(x + i)), b = _mm_loadu_si128((const __m128i *)(x + i + 1));
        unsigned mask = (unsigned)_mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, f), _mm_cmpeq_epi8(b, r)));
        while (mask) {
            size_t q = i + (size_t)__builtin_ctz(mask);
            if (q <= last && is_from(x + q)) return q;
            mask &= mask - 1;
        }
    }
#endif
    for (; i <= last; i++)
        if (is_from(x + i)) return i;
    return n;
}

size_t ivg_last_line_feed(const uint8_t *x, size_t from, size_t n) {
    if (from >= n) return n;
    const void *p = memrchr(x + from, '\n', n - from);
    return p ? (size_t)((const uint8_t *)p - x) : n;
}
