// CRC-32C by carry-less multiplication (crc32c_fold.c), for large buffers: the checksum of a
// compiled rule file.
#ifndef INVIGIL_CRC32C_FOLD_H
#define INVIGIL_CRC32C_FOLD_H
#include <stddef.h>
#include <stdint.h>

/// 1 if ivg_crc32c_fold_update can run on this CPU (AVX-512 with VPCLMULQDQ, and SSE 4.2), else 0.
int ivg_crc32c_fold_available(void);

/// CRC-32C (Castagnoli) of n bytes continuing `crc` (0 to start), the same value as
/// ivg_crc32c_update; only when ivg_crc32c_fold_available() is 1.
uint32_t ivg_crc32c_fold_update(uint32_t crc, const uint8_t *p, size_t n);

#endif
