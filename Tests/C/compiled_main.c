/* ctest driver for the C tests of compiled rule files (Tests/InvigilCTests/compiled_tests.c). */
#include "invigil_compiled_ctests.h"

#include <stdio.h>

int main(void) {
    int failures = 0;
    for (int i = 0; i < invigil_compiled_ctests_count(); i++) {
        int f = invigil_compiled_ctests_run(i);
        printf("%-24s %s\n", invigil_compiled_ctests_name(i), f ? "FAILED" : "ok");
        failures += f;
    }
    return failures ? 1 : 0;
}
