/* C tests of the Invigil C interface (include/invigil.h).
 *
 * Shared by `swift test` (Tests/InvigilCABITests calls these from Swift) and by CMake's ctest
 * (Tests/C/test_main.c). Each test prints its failures to stderr and returns their number. */
#ifndef INVIGIL_CTESTS_H
#define INVIGIL_CTESTS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The rule source every test compiles (a small pack over a subset of the event schema). */
extern const char invigil_ctests_rules_source[];
const char *invigil_ctests_rules(void);

/* The text of generated event `i` (used by the thread test and the benchmarks, in C and Swift):
 * written NUL-terminated into text, at most text_bytes - 1 long; returns its length. */
size_t invigil_ctests_event_text(size_t i, char *text, size_t text_bytes);

/* The texts of generated events 0..<events, `text_bytes` - 1 bytes at most each, made before a
 * benchmark times anything (as a peer's benchmark scans texts already in memory; formatting each
 * text inside the timed loop cost about a twentieth of a call): text i starts at
 * texts + i * text_bytes, NUL-terminated, and is lengths[i] long. NULL texts when out of memory. */
typedef struct invigil_ctests_texts {
    char *texts;
    size_t *lengths;
    size_t text_bytes;
} invigil_ctests_texts;
invigil_ctests_texts invigil_ctests_make_texts(size_t events, size_t text_bytes);
void invigil_ctests_free_texts(invigil_ctests_texts *texts);

/* Number of single tests, their names, and running one (0-based). Returns the failures. Tests
 * are serialised internally, so these may be called from several threads. */
int invigil_ctests_count(void);
const char *invigil_ctests_name(int index);
int invigil_ctests_run(int index);

/* Runs every single test; returns the total failures. */
int invigil_ctests_run_all(void);

/* `threads` threads, each with its own scanner on one shared rule set, each scan the same
 * `events` generated events; every thread's findings must equal one thread's. Returns failures. */
int invigil_ctests_threads(int threads, size_t events);

/* Benchmark: events per second through invigil_set_* + invigil_scan (with a reset per event) for
 * events whose text is `message_bytes` long, over `events` events. *out_findings (if not NULL)
 * receives the total findings. Returns events per second, or a negative number on failure. */
double invigil_ctests_bench(size_t events, size_t message_bytes, size_t *out_findings);

/* The same through invigil_scan_json, with each event's JSON built beforehand. */
double invigil_ctests_bench_json(size_t events, size_t message_bytes, size_t *out_findings);

/* The same as invigil_ctests_bench with the fields set by id (invigil_field_lookup once, then
 * invigil_set_*_id). */
double invigil_ctests_bench_ids(size_t events, size_t message_bytes, size_t *out_findings);

/* Two threads call into one scanner (set, scan, scan_json, finding_at, reset ...) while a third
 * interrupts it, for `seconds`: every call must return OK, BUSY, INTERRUPTED or (finding_at)
 * ARGUMENT, and the scanner must still work after. Returns the unexpected statuses. Run long
 * under TSan (docs/fuzzing.md). */
int invigil_ctests_misuse_stress(double seconds);

#ifdef __cplusplus
}
#endif

#endif
