/* ctest driver for the C tests of the C interface (Tests/InvigilCTests/abi_tests.c).
 *
 *   invigil-c-tests                      every single test
 *   invigil-c-tests threads T N          T threads x N events == one thread
 *   invigil-c-tests bench [N [BYTES]]    events/s through invigil_set_* + invigil_scan, and scan_json
 */
#include "invigil_ctests.h"
#include "invigil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "threads") == 0) {
        int threads = argc >= 3 ? atoi(argv[2]) : 4;
        size_t events = argc >= 4 ? (size_t)strtoull(argv[3], NULL, 10) : 100000;
        int failures = invigil_ctests_threads(threads, events);
        printf("%d threads x %zu events: %s\n", threads, events, failures ? "FAILED" : "same findings as one thread");
        return failures ? 1 : 0;
    }
    if (argc >= 2 && strcmp(argv[1], "bench") == 0) {
        size_t events = argc >= 3 ? (size_t)strtoull(argv[2], NULL, 10) : 200000;
        size_t bytes = argc >= 4 ? (size_t)strtoull(argv[3], NULL, 10) : 200;
        size_t findings = 0, findings_json = 0;
        double best = 0, best_json = 0;
        for (int round = 0; round < 3; round++) {
            double r = invigil_ctests_bench(events, bytes, &findings);
            double j = invigil_ctests_bench_json(events, bytes, &findings_json);
            if (r > best) best = r;
            if (j > best_json) best_json = j;
        }
        printf("invigil %s: %zu events of %zu-byte text, best of 3\n", invigil_version(), events, bytes);
        printf("  invigil_set_* + invigil_scan: %10.0f events/s  (%.2f us/event, %zu findings)\n", best,
               1e6 / best, findings);
        printf("  invigil_scan_json:            %10.0f events/s  (%.2f us/event, %zu findings)\n", best_json,
               1e6 / best_json, findings_json);
        return best > 0 && best_json > 0 ? 0 : 1;
    }
    int failures = invigil_ctests_run_all();
    if (failures) fprintf(stderr, "%d check(s) failed\n", failures);
    else fprintf(stderr, "all %d C tests passed\n", invigil_ctests_count());
    return failures ? 1 : 0;
}
