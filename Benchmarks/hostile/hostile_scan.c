/* A hostile message through the C interface: "text me on 07700 900461 " repeated to
 * N MiB, from a staff member to a pupil, scanned once against a rule folder. Prints the findings
 * with their stored and counted spans, and the scan's time. Run under /usr/bin/time -v for the
 * peak memory. It compiles against headers from before the bound too, for a baseline:
 *
 *   cc -O2 -Iinclude Benchmarks/hostile/hostile_scan.c -LBUILD -linvigil -Wl,-rpath,BUILD -o hostile-scan
 *   /usr/bin/time -v ./hostile-scan packs 64
 *
 *   hostile-scan RULES MIB [MATCH_LIMIT]
 */
#define _POSIX_C_SOURCE 200809L
#include "invigil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: hostile-scan RULES MIB [MATCH_LIMIT]\n");
        return 2;
    }
    size_t mib = (size_t)strtoull(argv[2], NULL, 10);
    invigil_rules *rules = NULL;
    invigil_error *error = NULL;
    if (invigil_rules_load(argv[1], &rules, &error) != INVIGIL_OK) {
        fprintf(stderr, "%s\n", invigil_error_text(error));
        invigil_error_free(error);
        return 2;
    }
    invigil_scanner *s = NULL;
    invigil_scanner_new(rules, &s);
#ifdef INVIGIL_DEFAULT_MATCH_LIMIT /* absent from headers before the bound (for the baseline) */
    if (argc >= 4) invigil_scanner_set_match_limit(s, (size_t)strtoull(argv[3], NULL, 10));
#endif
    const char phrase[] = "text me on 07700 900461 ";
    size_t n = sizeof phrase - 1, reps = (mib << 20) / n;
    char *text = malloc(reps * n);
    for (size_t i = 0; i < reps; i++) memcpy(text + i * n, phrase, n);
    invigil_set_string(s, "school", "WOOL", 4);
    invigil_set_string(s, "type", "direct_message", 14);
    invigil_set_string(s, "author.role", "staff", 5);
    invigil_add_string(s, "recipients.role", "pupil", 5);
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    invigil_status st = invigil_set_string(s, "text", text, reps * n);
    size_t count = 0;
    if (st == INVIGIL_OK) st = invigil_scan(s, &count);
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("%zu MiB: status %s, %zu findings, %.2f s (set + scan)\n", mib, invigil_status_string(st), count,
           (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9);
    for (size_t i = 0; i < count; i++) {
        invigil_finding f;
        size_t total = 0;
        int cut = 0;
        invigil_finding_at(s, i, &f);
#ifdef INVIGIL_DEFAULT_MATCH_LIMIT
        invigil_finding_match_total(s, i, &total, &cut);
#else
        total = f.match_count;
#endif
        printf("  %s: %zu spans stored, %zu counted%s\n", f.rule, f.match_count, total, cut ? " (list cut)" : "");
    }
    free(text);
    invigil_scanner_free(s);
    invigil_rules_free(rules);
    return 0;
}
