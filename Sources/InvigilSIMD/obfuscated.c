// The first test of the obfuscated-phone detector (Detectors.mayHoldObfuscatedPhone): could a
// text hold a phone number written with letters for digits or with spelled-out digits?
//
// The byte-by-byte loop spends most of its time on mispredicted branches at token ends (prose
// has a token every five or six bytes). Here the byte classes of 64 bytes at a time become bit
// masks (SSE2, or AVX2 where the CPU has it), and only two things are looked at one by one:
// whether any digit touches a letter (without that, no token can mix them, and the
// letters-for-digits test cannot hold), and the few tokens that start like a digit word.
#include "invigil_simd.h"
#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

static inline int is_digit(uint8_t b) { return b >= '0' && b <= '9'; }
static inline int is_letter(uint8_t b) { return (uint8_t)(b | 0x20) >= 'a' && (uint8_t)(b | 0x20) <= 'z'; }
static inline int stands_for_digit(uint8_t b) { return b == 'O' || b == 'o' || b == 'l' || b == 'I'; }
static inline int starts_digit_word(uint8_t b) {
    switch (b | 0x20) {
    case 'z': case 'o': case 'n': case 't': case 'f': case 's': case 'e': return is_letter(b);
    default: return 0;
    }
}

/// Whether `key` (up to six letters, OR 0x20, packed little-endian) is a digit word of
/// Detectors.digitWordList: zero oh o nought nil one two three four five six seven eight nine.
static inline int is_digit_word(uint64_t key) {
    switch (key) {
    case 0x6F72657AULL: case 0x686FULL: case 0x6FULL: case 0x746867756F6EULL: case 0x6C696EULL:
    case 0x656E6FULL: case 0x6F7774ULL: case 0x6565726874ULL: case 0x72756F66ULL: case 0x65766966ULL:
    case 0x786973ULL: case 0x6E65766573ULL: case 0x7468676965ULL: case 0x656E696EULL:
        return 1;
    default:
        return 0;
    }
}

#if defined(__x86_64__)
/// The digit words again, as a perfect hash: (key * digit_word_multiplier) >> 60 puts the 14
/// keys in 14 different slots of 16 (the multiplier was found by trying random odd ones), so that
/// a key is tested with one multiply, one load and one compare, without a branch to mispredict.
/// Empty slots hold 0, which no token's key is.
static const uint64_t digit_word_multiplier = 0x0326324DFB695FFBULL;
static const uint64_t digit_word_slots[16] = {
    0, 0,
    0x746867756F6EULL, /* nought */
    0x6C696EULL,       /* nil */
    0x6565726874ULL,   /* three */
    0x6FULL,           /* o */
    0x656E696EULL,     /* nine */
    0x6E65766573ULL,   /* seven */
    0x72756F66ULL,     /* four */
    0x656E6FULL,       /* one */
    0x786973ULL,       /* six */
    0x7468676965ULL,   /* eight */
    0x6F72657AULL,     /* zero */
    0x65766966ULL,     /* five */
    0x686FULL,         /* oh */
    0x6F7774ULL,       /* two */
};
#endif

static inline uint64_t word_key(const uint8_t *t, size_t at, size_t length) {
    uint64_t key = 0;
    for (size_t k = 0; k < length; k++) key |= (uint64_t)(t[at + k] | 0x20) << (8 * k);
    return key;
}

/// The definition, token by token (also the kernel where there is no SSE2).
static int may_hold_bytewise(const uint8_t *t, size_t n) {
    size_t i = 0;
    int words = 0;
    while (i < n) {
        if (!is_digit(t[i]) && !is_letter(t[i])) {
            i++;
            continue;
        }
        size_t j = i;
        int digit = 0, letter = 0, other_letter = 0;
        while (j < n && (is_digit(t[j]) || is_letter(t[j]))) {
            if (is_digit(t[j])) {
                digit = 1;
            } else {
                letter = 1;
                if (!stands_for_digit(t[j])) other_letter = 1;
            }
            j++;
        }
        if (digit) {
            if (letter && !other_letter) return 1;
        } else if (starts_digit_word(t[i]) && j - i <= 6 && is_digit_word(word_key(t, i, j - i))) {
            if (++words >= 7) return 1;
        }
        i = j;
    }
    return 0;
}

#if defined(__x86_64__)
typedef struct {
    uint64_t alnum, digit, word_start;
} class_masks;

static inline uint64_t bits16(__m128i m) { return (uint64_t)(uint16_t)_mm_movemask_epi8(m); }

/// The class masks of 64 bytes: bit k for byte k.
static inline class_masks classify64(const uint8_t *p) {
    const __m128i below_digit = _mm_set1_epi8('0' - 1), above_digit = _mm_set1_epi8('9' + 1);
    const __m128i below_letter = _mm_set1_epi8('a' - 1), above_letter = _mm_set1_epi8('z' + 1);
    const __m128i fold = _mm_set1_epi8(0x20);
    class_masks m = {0, 0, 0};
    for (int k = 0; k < 4; k++) {
        // Bytes of 0x80 and above are negative as signed bytes, so below every range here.
        __m128i v = _mm_loadu_si128((const __m128i *)(p + 16 * k));
        __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(v, below_digit), _mm_cmplt_epi8(v, above_digit));
        __m128i lower = _mm_or_si128(v, fold);
        __m128i letter = _mm_and_si128(_mm_cmpgt_epi8(lower, below_letter), _mm_cmplt_epi8(lower, above_letter));
        // Only a letter ORed with 0x20 equals a lowercase letter.
        __m128i start = _mm_or_si128(
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(lower, _mm_set1_epi8('z')), _mm_cmpeq_epi8(lower, _mm_set1_epi8('o'))),
                         _mm_or_si128(_mm_cmpeq_epi8(lower, _mm_set1_epi8('n')), _mm_cmpeq_epi8(lower, _mm_set1_epi8('t')))),
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(lower, _mm_set1_epi8('f')), _mm_cmpeq_epi8(lower, _mm_set1_epi8('s'))),
                         _mm_cmpeq_epi8(lower, _mm_set1_epi8('e'))));
        m.alnum |= bits16(_mm_or_si128(digit, letter)) << (16 * k);
        m.digit |= bits16(digit) << (16 * k);
        m.word_start |= bits16(start) << (16 * k);
    }
    return m;
}

/// classify64 with AVX2, 32 bytes per step: each byte's class is the AND of two 16-entry
/// tables, one indexed by its low nibble and one by its high nibble (bit 0 digit; bits 1 and 2
/// letter, rows 4 and 6, rows 5 and 7; bits 3 and 4 a letter that starts a digit word, same rows).
__attribute__((target("avx2"))) static class_masks classify64_avx2(const uint8_t *p) {
    const __m256i low_table = _mm256_setr_epi8(
        /* 0 */ 1 | 4, /* 1 */ 1 | 2 | 4, /* 2 */ 1 | 2 | 4, /* 3 */ 1 | 2 | 4 | 16, /* 4 */ 1 | 2 | 4 | 16,
        /* 5 */ 1 | 2 | 4 | 8, /* 6 */ 1 | 2 | 4 | 8, /* 7 */ 1 | 2 | 4, /* 8 */ 1 | 2 | 4, /* 9 */ 1 | 2 | 4,
        /* A */ 2 | 4 | 16, /* B */ 2, /* C */ 2, /* D */ 2, /* E */ 2 | 8, /* F */ 2 | 8,
        1 | 4, 1 | 2 | 4, 1 | 2 | 4, 1 | 2 | 4 | 16, 1 | 2 | 4 | 16, 1 | 2 | 4 | 8, 1 | 2 | 4 | 8, 1 | 2 | 4, 1 | 2 | 4, 1 | 2 | 4,
        2 | 4 | 16, 2, 2, 2, 2 | 8, 2 | 8);
    const __m256i high_table = _mm256_setr_epi8(
        0, 0, 0, /* 3 */ 1, /* 4 */ 2 | 8, /* 5 */ 4 | 16, /* 6 */ 2 | 8, /* 7 */ 4 | 16, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 1, 2 | 8, 4 | 16, 2 | 8, 4 | 16, 0, 0, 0, 0, 0, 0, 0, 0);
    const __m256i nibble = _mm256_set1_epi8(0x0F), zero = _mm256_setzero_si256();
    const __m256i digit_bit = _mm256_set1_epi8(1), letter_bits = _mm256_set1_epi8(2 | 4), start_bits = _mm256_set1_epi8(8 | 16);
    class_masks m = {0, 0, 0};
    for (int k = 0; k < 2; k++) {
        __m256i v = _mm256_loadu_si256((const __m256i *)(p + 32 * k));
        __m256i low = _mm256_shuffle_epi8(low_table, _mm256_and_si256(v, nibble));
        __m256i high = _mm256_shuffle_epi8(high_table, _mm256_and_si256(_mm256_srli_epi16(v, 4), nibble));
        __m256i c = _mm256_and_si256(low, high);
        uint64_t digit = (uint32_t)~_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_and_si256(c, digit_bit), zero));
        uint64_t letter = (uint32_t)~_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_and_si256(c, letter_bits), zero));
        uint64_t start = (uint32_t)~_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_and_si256(c, start_bits), zero));
        m.alnum |= (digit | letter) << (32 * k);
        m.digit |= digit << (32 * k);
        m.word_start |= start << (32 * k);
    }
    return m;
}

// Set once at load time, before any thread can scan.
static int obfuscated_has_avx2 = 0;
__attribute__((constructor)) static void obfuscated_init(void) {
    __builtin_cpu_init();
    obfuscated_has_avx2 = __builtin_cpu_supports("avx2") ? 1 : 0;
}

static inline class_masks classify(const uint8_t *p, int avx2) { return avx2 ? classify64_avx2(p) : classify64(p); }

/// Block `b` of the text, bytes past the end without a class: the last partial block is read
/// as the 64 bytes that end the text, its masks shifted down (a short text is copied, padded).

static inline class_masks block_masks(const uint8_t *t, size_t n, size_t b, int avx2) {
    size_t at = b * 64;
    if (at + 64 <= n) return classify(t + at, avx2);
    if (n >= 64) {
        unsigned shift = (unsigned)(at + 64 - n);
        class_masks m = classify(t + n - 64, avx2);
        m.alnum >>= shift;
        m.digit >>= shift;
        m.word_start >>= shift;
        return m;
    }
    uint8_t padded[64] = {0};
    memcpy(padded, t + at, n - at);
    return classify(padded, avx2);
}

/// The first eight bytes at t[at] OR 0x20 (fewer at the end of the text), packed little-endian.
static inline uint64_t folded_bytes(const uint8_t *t, size_t n, size_t at) {
    if (at + 8 > n) return word_key(t, at, n - at);
    uint64_t key;
    memcpy(&key, t + at, 8);
    return key | 0x2020202020202020ULL;
}
#endif

#if defined(__x86_64__)
static int may_hold_masks(const uint8_t *t, size_t n, int avx2) {
    if (n == 0) return 0;
    size_t blocks = (n + 63) / 64;
    class_masks current = block_masks(t, n, 0, avx2);
    uint64_t carry_alnum = 0, carry_digit = 0, carry_letter = 0;
    unsigned words = 0;
    for (size_t b = 0; b < blocks; b++) {
        class_masks next = {0, 0, 0};
        if (b + 1 < blocks) next = block_masks(t, n, b + 1, avx2);
        uint64_t alnum = current.alnum, digit = current.digit, letter = alnum & ~digit;
        // A digit right after a letter, or a letter right after a digit: some token mixes them,
        // and the definition decides (rare in prose: "5th", "10am").
        uint64_t after_letter = (letter << 1) | carry_letter, after_digit = (digit << 1) | carry_digit;
        if ((digit & after_letter) | (letter & after_digit)) return may_hold_bytewise(t, n);
        // Otherwise every token is all digits or all letters: count the letter tokens that are
        // digit words, without a branch per token (a token starting like one is looked up).
        uint64_t starts = alnum & ~((alnum << 1) | carry_alnum) & current.word_start;
        unsigned __int128 window = ((unsigned __int128)next.alnum << 64) | alnum;
        while (starts) {
            unsigned i = (unsigned)__builtin_ctzll(starts);
            starts &= starts - 1;
            // The token's length, then its letters: a key of at most seven bytes, so that a token
            // longer than six letters keeps a seventh and equals no digit word.
            uint64_t run = (uint64_t)(window >> i);
            unsigned length = (unsigned)__builtin_ctzll(~run | (1ULL << 63));
            unsigned kept = length < 7 ? length : 7;
            uint64_t key = folded_bytes(t, n, b * 64 + i) & ((1ULL << (8 * kept)) - 1);
            words += digit_word_slots[(key * digit_word_multiplier) >> 60] == key;
        }
        if (words >= 7) return 1;
        carry_alnum = alnum >> 63;
        carry_digit = digit >> 63;
        carry_letter = letter >> 63;
        current = next;
    }
    return 0;
}
#endif

int ivg_may_hold_obfuscated_phone(const uint8_t *t, size_t n) {
#if defined(__x86_64__)
    return may_hold_masks(t, n, obfuscated_has_avx2);
#else
    return may_hold_bytewise(t, n);
#endif
}

int ivg_may_hold_obfuscated_phone_kernel(const uint8_t *t, size_t n, int kernel) {
#if defined(__x86_64__)
    if (kernel == 1) return may_hold_masks(t, n, 0);
    if (kernel == 2 && obfuscated_has_avx2) return may_hold_masks(t, n, 1);
#endif
    return kernel == 0 ? may_hold_bytewise(t, n) : -1;
}
