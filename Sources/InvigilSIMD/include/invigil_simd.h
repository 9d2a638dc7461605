// SIMD kernels for the Invigil automaton, with runtime CPU dispatch. Optional: the Swift core
// checks `canImport(InvigilSIMD)` and scans without a prefilter when this target is absent.
#ifndef INVIGIL_SIMD_H
#define INVIGIL_SIMD_H
#include <stddef.h>
#include <stdint.h>
#include "crc32c_fold.h"
#include "table_checks.h"
#include "prefetch.h"

#define IVG_PREFILTER_MAX 16

/// Up to 16 three-byte fingerprints (the first three bytes of each pattern, OR 0x20 so that ASCII
/// case does not matter). A position is a candidate if the three bytes there (OR 0x20) equal one
/// fingerprint. Every pattern must be at least three bytes long.
typedef struct ivg_prefilter {
    uint8_t a[IVG_PREFILTER_MAX];
    uint8_t b[IVG_PREFILTER_MAX];
    uint8_t c[IVG_PREFILTER_MAX];
    int32_t count;
} ivg_prefilter;

/// 1 if the prefilter kernel can run on this CPU (AVX2), else 0.
int ivg_prefilter_available(void);

/// The first candidate position q with from <= q and q + 3 <= end, or `end` if there is none.
size_t ivg_prefilter_next(const ivg_prefilter *p, const uint8_t *x, size_t from, size_t end);

/// 1 if ivg_crc32c_update can run on this CPU (SSE 4.2), else 0.
int ivg_crc32c_available(void);

/// CRC-32C (Castagnoli) of n bytes continuing `crc` (0 to start), with the CPU's crc32
/// instruction; only when ivg_crc32c_available() is 1.
uint32_t ivg_crc32c_update(uint32_t crc, const uint8_t *p, size_t n);

/// A flag that one thread sets once after writing some memory, and that other threads test
/// before reading it (the tables a loaded automaton builds on first use): the store releases and
/// the load acquires, so a thread that sees 1 sees everything written before the store.
static inline int32_t ivg_flag_load_acquire(const int32_t *flag) { return __atomic_load_n(flag, __ATOMIC_ACQUIRE); }
static inline void ivg_flag_store_release(int32_t *flag, int32_t value) { __atomic_store_n(flag, value, __ATOMIC_RELEASE); }

/// The first q with from <= q < end where x[q] is an ASCII digit, '+' or '(' (where a phone
/// number can start), or `end` (SSE2; bytes.c).
size_t ivg_next_phone_start(const uint8_t *x, size_t from, size_t end);

/// 1 if t[0..<n] may hold a phone number written with letters for digits (a token mixing digits
/// with O o l I only) or with spelled-out digits (seven digit words or more), else 0: the first
/// test of the obfuscated-phone detector (obfuscated.c; SSE2, a byte loop elsewhere).
int ivg_may_hold_obfuscated_phone(const uint8_t *t, size_t n);

/// ivg_may_hold_obfuscated_phone with a given kernel, for the tests: 0 a byte at a time, 1 SSE2,
/// 2 AVX2. Returns -1 when the kernel cannot run on this machine.
int ivg_may_hold_obfuscated_phone_kernel(const uint8_t *t, size_t n, int kernel);

/// How many bytes of x[0..<n] equal `byte` (SSE2): the lines of a chunk, counted by the thread
/// that reads a JSONL archive.
size_t ivg_count_byte(const uint8_t *x, size_t n, uint8_t byte);

/// 1 if some byte of x[0..<n] is one of needles[0..<count], else 0. Up to 8 needles 16 bytes at
/// a time (SSE2); more, a byte at a time.
int ivg_holds_any_byte(const uint8_t *x, size_t n, const uint8_t *needles, size_t count);

/// ivg_holds_any_byte a byte at a time: the tests' reference.
int ivg_holds_any_byte_scalar(const uint8_t *x, size_t n, const uint8_t *needles, size_t count);

/// The index of the first `From ` (five bytes) that starts in x[from..<n] and ends by n; n if none.
size_t ivg_find_mbox_from(const uint8_t *x, size_t from, size_t n);

/// The index of the last line feed in x[from..<n]; n if none.
size_t ivg_last_line_feed(const uint8_t *x, size_t from, size_t n);

/// The index of the first byte of x[from..<n] that is a quote (0x22), a backslash (0x5C) or a
/// control character (below 0x20): where a run of plain bytes in a JSON string ends; n if there is
/// none. Sixteen bytes a step (SSE2) on x86-64.
size_t ivg_json_plain_end(const uint8_t *x, size_t from, size_t n);

/// ivg_json_plain_end a byte at a time: the tests' reference.
size_t ivg_json_plain_end_scalar(const uint8_t *x, size_t from, size_t n);

/// 1 if ivg_ascii_spaced can run on this CPU (SSSE3), else 0. Call it once before
/// ivg_ascii_spaced: it also makes the kernel's table.
int ivg_ascii_spaced_available(void);

/// The scanner's `spaced` normalisation of ASCII text (spaced.c): every byte mapped through
/// `map` (256 entries), separators (space . - _ *, tested before mapping) dropped, and each
/// letter a-z equal to the byte kept before it dropped. Writes at most n bytes of result to
/// `out`, which must have room for n + 32 bytes; returns the number of result bytes.
size_t ivg_ascii_spaced(const uint8_t *text, size_t n, const uint8_t *map, uint8_t *out);

#endif
