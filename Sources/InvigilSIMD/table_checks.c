#include "table_checks.h"

// Sixteen entries per step: each check ORs a lane mask of violations across the table and tests
// it once at the end, like the Swift passes, which the compiler can only vectorise for SSE 2
// without a target flag (about a cycle per entry there, a sixteenth of one here).

#if defined(__x86_64__)
#include <immintrin.h>

static int table_checks_ready;

__attribute__((constructor)) static void ivg_table_checks_init(void) {
    __builtin_cpu_init();
    table_checks_ready = __builtin_cpu_supports("avx512f") ? 1 : 0;
}

int ivg_table_checks_available(void) { return table_checks_ready; }

#define IVG_TC_TARGET __attribute__((target("avx512f")))

IVG_TC_TARGET uint32_t ivg_u32_largest(const uint32_t *p, size_t count) {
    __m512i m = _mm512_setzero_si512();
    size_t i = 0;
    for (; i + 16 <= count; i += 16) m = _mm512_max_epu32(m, _mm512_loadu_si512((const void *)(p + i)));
    uint32_t r = _mm512_reduce_max_epu32(m);
    for (; i < count; i++) r = p[i] > r ? p[i] : r;
    return r;
}

IVG_TC_TARGET int ivg_u32_non_decreasing(const uint32_t *p, size_t count) {
    if (count < 2) return 1;
    __mmask16 bad = 0;
    size_t i = 0;
    for (; i + 17 <= count; i += 16) {
        __m512i v = _mm512_loadu_si512((const void *)(p + i));
        __m512i w = _mm512_loadu_si512((const void *)(p + i + 1));
        bad |= _mm512_cmpgt_epu32_mask(v, w);
    }
    int tail = 0;
    for (; i + 1 < count; i++) tail |= p[i] > p[i + 1];
    return bad == 0 && tail == 0;
}

IVG_TC_TARGET int ivg_u32_starts_after_index(const uint32_t *p, size_t n) {
    __mmask16 bad = 0;
    __m512i index = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m512i step = _mm512_set1_epi32(16);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512i v = _mm512_loadu_si512((const void *)(p + i));
        __m512i w = _mm512_loadu_si512((const void *)(p + i + 1)); /* p[i + 16] exists: n + 1 entries */
        bad |= _mm512_cmpgt_epu32_mask(v, w) | _mm512_cmple_epu32_mask(v, index);
        index = _mm512_add_epi32(index, step);
    }
    int tail = 0;
    for (; i < n; i++) tail |= (p[i] > p[i + 1]) | (p[i] <= (uint32_t)i);
    return bad == 0 && tail == 0;
}

IVG_TC_TARGET int ivg_u32_below_index(const uint32_t *p, size_t n) {
    if (n < 2) return 1;
    __mmask16 bad = 0;
    __m512i index = _mm512_setr_epi32(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
    const __m512i step = _mm512_set1_epi32(16);
    size_t i = 1;
    for (; i + 16 <= n; i += 16) {
        __m512i v = _mm512_loadu_si512((const void *)(p + i));
        bad |= _mm512_cmpge_epu32_mask(v, index);
        index = _mm512_add_epi32(index, step);
    }
    int tail = 0;
    for (; i < n; i++) tail |= p[i] >= (uint32_t)i;
    return bad == 0 && tail == 0;
}

#else

int ivg_table_checks_available(void) { return 0; }
uint32_t ivg_u32_largest(const uint32_t *p, size_t count) { (void)p; (void)count; return 0; }
int ivg_u32_non_decreasing(const uint32_t *p, size_t count) { (void)p; (void)count; return 0; }
int ivg_u32_starts_after_index(const uint32_t *p, size_t n) { (void)p; (void)n; return 0; }
int ivg_u32_below_index(const uint32_t *p, size_t n) { (void)p; (void)n; return 0; }
#endif
