/* C tests of the compiled-rule-file functions of the Invigil C interface (include/invigil.h,
 * section "Compiled rule files"): save, load from memory and from a file, scan, and refusal of
 * damaged buffers. Shared by `swift test` (Tests/InvigilCABITests) and usable from ctest. Each test
 * prints its failures to stderr and returns their number. */
#ifndef INVIGIL_COMPILED_CTESTS_H
#define INVIGIL_COMPILED_CTESTS_H

#ifdef __cplusplus
extern "C" {
#endif

int invigil_compiled_ctests_count(void);
const char *invigil_compiled_ctests_name(int index);
int invigil_compiled_ctests_run(int index);

#ifdef __cplusplus
}
#endif

#endif
