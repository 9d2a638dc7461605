#include "invigil_simd.h"

// CRC-32C with the SSE 4.2 crc32 instruction, eight bytes per instruction. Same definition as
// the table-driven Swift version (Sources/Invigil/Serialize/CRC32C.swift), which checks it.

#if defined(__x86_64__)
#include <nmmintrin.h>

int ivg_crc32c_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("sse4.2") ? 1 : 0;
}

__attribute__((target("sse4.2")))
uint32_t ivg_crc32c_update(uint32_t crc, const uint8_t *p, size_t n) {
    uint64_t c = (uint32_t)~crc;
    size_t i = 0;
    for (; i < n && ((uintptr_t)(p + i) & 7) != 0; i++) c = _mm_crc32_u8((uint32_t)c, p[i]);
    for (; i + 8 <= n; i += 8) {
        uint64_t v;
        __builtin_memcpy(&v, p + i, 8);
        c = _mm_crc32_u64(c, v);
    }
    for (; i < n; i++) c = _mm_crc32_u8((uint32_t)c, p[i]);
    return ~(uint32_t)c;
}

#else

int ivg_crc32c_available(void) { return 0; }

uint32_t ivg_crc32c_update(uint32_t crc, const uint8_t *p, size_t n) {
    (void)p;
    (void)n;
    return crc;
}
#endif
