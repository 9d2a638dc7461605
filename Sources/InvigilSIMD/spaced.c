// The scanner's ASCII `spaced` normalisation (Normalizer.normalizeASCIISpaced) sixteen bytes at
// a time: map each byte through a 256-byte table (case folding, and leet when asked), drop the
// separators, then drop each letter equal to the byte before it. Because a dropped letter
// equals the byte kept before it, "equal to the last kept byte" and "equal to the previous byte
// once separators are gone" are the same test, so the two drops are two compress passes.
// Compressing uses pshufb (SSSE3) with a table of the 256 ways to keep bytes of eight.
#include "invigil_simd.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <pthread.h>
#include <string.h>

static uint8_t keep_shuffle[256][16];
static pthread_once_t keep_shuffle_once = PTHREAD_ONCE_INIT;

static void make_keep_shuffle(void) {
    for (int mask = 0; mask < 256; mask++) {
        int k = 0;
        for (int bit = 0; bit < 8; bit++)
            if (mask & (1 << bit)) keep_shuffle[mask][k++] = (uint8_t)bit;
        for (; k < 16; k++) keep_shuffle[mask][k] = 0x80;  // zero
    }
}

int ivg_ascii_spaced_available(void) {
    __builtin_cpu_init();
    // The kernel is compiled for SSSE3 and POPCNT: a CPU (or a VM's) may offer the one without
    // the other.
    if (!__builtin_cpu_supports("ssse3") || !__builtin_cpu_supports("popcnt")) return 0;
    pthread_once(&keep_shuffle_once, make_keep_shuffle);
    return 1;
}

// Writes the bytes of `v` whose bit is set in `keep` (16 bits) at `out`; returns how many. Writes
// 16 bytes at `out` and 16 after the first half's, whatever is kept.
__attribute__((target("ssse3,popcnt"), always_inline)) static inline size_t compress16(__m128i v, unsigned keep, uint8_t *out) {
    unsigned low = keep & 0xFF, high = keep >> 8;
    __m128i a = _mm_shuffle_epi8(v, _mm_loadu_si128((const __m128i *)keep_shuffle[low]));
    __m128i b = _mm_shuffle_epi8(_mm_srli_si128(v, 8), _mm_loadu_si128((const __m128i *)keep_shuffle[high]));
    size_t first = (size_t)__builtin_popcount(low);
    _mm_storeu_si128((__m128i *)out, a);
    _mm_storeu_si128((__m128i *)(out + first), b);
    return first + (size_t)__builtin_popcount(high);
}

// The map of sixteen ASCII bytes, from its ASCII half held as eight 16-byte rows. For row h,
// the bytes whose high nibble is h become 0..15 (xor), and adding 0x70 with unsigned saturation
// keeps those below 0x80 while every other byte reaches 0x80 or more, which pshufb turns into
// zero: so each byte is picked from its own row only. About 33 instructions a block, where the
// byte-at-a-time map was compiled into some 100 (a load, a table load and an insert per byte).
// Bytes from 0x80 come out as zero: the caller maps blocks that hold any byte by byte. (Skipping
// the rows a map leaves alone cost more than it saved: texts are short, and the set-up per call
// and a loop over the changed rows outweighed the four instructions per row.)
__attribute__((target("ssse3"), always_inline)) static inline __m128i map_ascii16(__m128i v, const __m128i rows[8]) {
    const __m128i push = _mm_set1_epi8(0x70);
    __m128i result = _mm_setzero_si128();
    for (int h = 0; h < 8; h++) {
        __m128i index = _mm_adds_epu8(_mm_xor_si128(v, _mm_set1_epi8((char)(h << 4))), push);
        result = _mm_or_si128(result, _mm_shuffle_epi8(rows[h], index));
    }
    return result;
}

// Pass 1 on one block: map, and keep what is not a separator (tested on the original byte), of
// the block's first `valid` bytes.
__attribute__((target("ssse3,popcnt"), always_inline)) static inline size_t map_and_drop_separators(
    __m128i v, const uint8_t *block, const uint8_t *map, const __m128i rows[8], unsigned valid_mask, uint8_t *out) {
    const __m128i space = _mm_set1_epi8(' '), dot = _mm_set1_epi8('.'), dash = _mm_set1_epi8('-');
    const __m128i underscore = _mm_set1_epi8('_'), star = _mm_set1_epi8('*');
    __m128i sep = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, space), _mm_cmpeq_epi8(v, dot)),
                               _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, dash), _mm_cmpeq_epi8(v, underscore)),
                                            _mm_cmpeq_epi8(v, star)));
    __m128i m;
    if (_mm_movemask_epi8(v) == 0) {
        m = map_ascii16(v, rows);
    } else {
        uint8_t mapped[16];
        for (int k = 0; k < 16; k++) mapped[k] = map[block[k]];
        m = _mm_loadu_si128((const __m128i *)mapped);
    }
    unsigned keep = ~(unsigned)_mm_movemask_epi8(sep) & valid_mask;
    return compress16(m, keep, out);
}

// Pass 2 on one block: drop each letter equal to the byte before it (the top byte of `before`
// for the first), of the block's first `valid` bytes.
__attribute__((target("ssse3,popcnt"), always_inline)) static inline size_t drop_repeats(__m128i current, __m128i before, int first_block,
                                                                        unsigned valid_mask, uint8_t *out) {
    const __m128i below_a = _mm_set1_epi8('a' - 1), above_z = _mm_set1_epi8('z' + 1);
    __m128i previous = _mm_alignr_epi8(current, before, 15);
    __m128i letter = _mm_and_si128(_mm_cmpgt_epi8(current, below_a), _mm_cmplt_epi8(current, above_z));
    __m128i repeat = _mm_and_si128(letter, _mm_cmpeq_epi8(current, previous));
    unsigned keep = ~(unsigned)_mm_movemask_epi8(repeat) & valid_mask;
    if (first_block) keep |= 1;  // the first byte has nothing before it
    return compress16(current, keep, out);
}

__attribute__((target("ssse3,popcnt")))
size_t ivg_ascii_spaced(const uint8_t *text, size_t n, const uint8_t *map, uint8_t *out) {
    // Pass 1: map, and keep what is not a separator. The last, partial block is read from a
    // zero-padded copy, its padding not kept.
    size_t count = 0, i = 0;
    __m128i rows[8];
    for (int h = 0; h < 8; h++) rows[h] = _mm_loadu_si128((const __m128i *)(map + 16 * h));
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(text + i));
        count += map_and_drop_separators(v, text + i, map, rows, 0xFFFF, out + count);
    }
    if (i < n) {
        uint8_t last[16] = {0};
        memcpy(last, text + i, n - i);
        __m128i v = _mm_loadu_si128((const __m128i *)last);
        count += map_and_drop_separators(v, last, map, rows, (1u << (n - i)) - 1, out + count);
    }
    // Pass 2, in place: drop each letter equal to the byte before it. The block after is loaded
    // before the block's bytes are written back, and the byte before a block comes from the
    // block before, kept in a register: writes never reach bytes still to be read.
    size_t written = 0, k = 0;
    // The bytes after the last whole block, kept aside (zero-padded): the blocks' writes may
    // reach them.
    size_t blocks_end = count / 16 * 16;
    uint8_t tail[16] = {0};
    memcpy(tail, out + blocks_end, count - blocks_end);
    __m128i before = _mm_setzero_si128();  // its top byte precedes the first block: no letter
    __m128i current = count >= 16 ? _mm_loadu_si128((const __m128i *)out) : _mm_setzero_si128();
    for (; k + 16 <= count; k += 16) {
        __m128i next = k + 32 <= count ? _mm_loadu_si128((const __m128i *)(out + k + 16)) : _mm_setzero_si128();
        written += drop_repeats(current, before, k == 0, 0xFFFF, out + written);
        before = current;
        current = next;
    }
    if (k < count) {
        __m128i last = _mm_loadu_si128((const __m128i *)tail);
        written += drop_repeats(last, before, k == 0, (1u << (count - k)) - 1, out + written);
    }
    return written;
}

#else

int ivg_ascii_spaced_available(void) { return 0; }

size_t ivg_ascii_spaced(const uint8_t *text, size_t n, const uint8_t *map, uint8_t *out) {
    (void)text;
    (void)n;
    (void)map;
    (void)out;
    return 0;
}

#endif
