/* Shared by the C test files of Tests/InvigilCTests (not part of the tests' public header): the
 * harness of abi_tests.c, and the tests defined in other files, which abi_tests.c registers. */
#ifndef INVIGIL_CTESTS_INTERNAL_H
#define INVIGIL_CTESTS_INTERNAL_H

#include "invigil.h"

/* Records a failure of the running test (printed with the test's name). */
void invigil_ctests_record_failure(const char *file, int line, const char *message);

/* hardening_tests.c: bounded memory, match-dense inputs, BUSY, interrupt, lengths, error model. */
void invigil_hardening_test_match_limit(void);
void invigil_hardening_test_memory_ceiling(void);
void invigil_hardening_test_dense_generated(void);
void invigil_hardening_test_busy_in_callback(void);
void invigil_hardening_test_busy_two_threads(void);
void invigil_hardening_test_interrupt(void);
void invigil_hardening_test_lengths(void);
void invigil_hardening_test_error_model(void);

/* includes_tests.c: includes of source compiled from memory. */
void invigil_includes_test_from_memory(void);

/* field_id_tests.c: field ids, element semantics, the integer element setter. */
void invigil_field_id_test(void);

/* A match-dense text from `seed`: phrases of the demo rules, phone numbers (plain and
 * obfuscated), emails, URLs, separators and non-ASCII letters, packed together, `length` bytes
 * (valid UTF-8; the last character may be cut short of `length`). Written into text, which holds
 * at least length + 1 bytes, NUL-terminated; returns the bytes written. */
size_t invigil_ctests_dense_text(unsigned long long seed, char *text, size_t length);

#endif
