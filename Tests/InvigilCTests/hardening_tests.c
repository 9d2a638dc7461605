/* C tests of the gateway hardening of include/invigil.h ("Hardening" in docs/c-api.md): bounded
 * memory per scan on hostile and generated match-dense text, a scanner entered by two threads,
 * interrupting a scan, lengths beyond the limits, and the error model of scanner calls.
 * Registered in abi_tests.c; run by ctest (plain, valgrind, ASan) and by `swift test`. */
#define _POSIX_C_SOURCE 200809L

#include "ctests_internal.h"
#include "invigil_ctests.h"
#include "invigil.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define HCHECK(cond)                                                                  \
    do {                                                                              \
        if (!(cond)) invigil_ctests_record_failure(__FILE__, __LINE__, "check failed: " #cond); \
    } while (0)

#define HSTATUS(expr, expected)                                                        \
    do {                                                                               \
        invigil_status st_ = (expr);                                                   \
        if (st_ != (expected)) {                                                       \
            char m_[512];                                                              \
            snprintf(m_, sizeof m_, "%s returned %d (%s), expected %s", #expr, (int)st_, \
                     invigil_status_string(st_), #expected);                           \
            invigil_ctests_record_failure(__FILE__, __LINE__, m_);                     \
        }                                                                              \
    } while (0)

#define LIT(literal) literal, (sizeof(literal) - 1)

static const char hostile_phrase[] = "text me on 07700 900461 ";

static invigil_rules *compile_rules(void) {
    invigil_rules *rules = NULL;
    HSTATUS(invigil_rules_compile(invigil_ctests_rules_source, strlen(invigil_ctests_rules_source), "demo.rules",
                                  &rules, NULL),
            INVIGIL_OK);
    return rules;
}

/* The hostile text of the issue: the phrase repeated to `bytes`; returns its repetitions. */
static char *hostile_text(size_t bytes, size_t *out_repetitions) {
    size_t n = sizeof hostile_phrase - 1;
    size_t reps = bytes / n;
    char *text = malloc(reps * n + 1);
    for (size_t i = 0; i < reps; i++) memcpy(text + i * n, hostile_phrase, n);
    text[reps * n] = '\0';
    *out_repetitions = reps;
    return text;
}

static void set_staff_to_pupil(invigil_scanner *s, const char *text, size_t length) {
    invigil_scanner_reset(s);
    HSTATUS(invigil_set_string(s, "author.role", LIT("staff")), INVIGIL_OK);
    HSTATUS(invigil_add_string(s, "recipients.role", LIT("pupil")), INVIGIL_OK);
    HSTATUS(invigil_set_string(s, "text", text, length), INVIGIL_OK);
}

static long finding_index(const invigil_scanner *s, size_t count, const char *rule) {
    for (size_t i = 0; i < count; i++) {
        invigil_finding f;
        if (invigil_finding_at(s, i, &f) == INVIGIL_OK && strcmp(f.rule, rule) == 0) return (long)i;
    }
    return -1;
}

/* Naive reference: whole-word, case-insensitive occurrences of "text me" (the demo's phrase). */
static size_t naive_text_me(const char *text, size_t length) {
    size_t count = 0;
    for (size_t i = 0; i + 7 <= length; i++) {
        if ((text[i] | 0x20) == 't' && (text[i + 1] | 0x20) == 'e' && (text[i + 2] | 0x20) == 'x' &&
            (text[i + 3] | 0x20) == 't' && text[i + 4] == ' ' && (text[i + 5] | 0x20) == 'm' &&
            (text[i + 6] | 0x20) == 'e') {
            int before = i > 0 && ((text[i - 1] | 0x20) >= 'a' && (text[i - 1] | 0x20) <= 'z');
            int after = i + 7 < length && ((text[i + 7] | 0x20) >= 'a' && (text[i + 7] | 0x20) <= 'z');
            if (!before && !after) count++;
        }
    }
    return count;
}

/* ---------------------------------------------------------------------------------------- */

void invigil_hardening_test_match_limit(void) {
    invigil_rules *rules = compile_rules();
    invigil_scanner *s = NULL;
    HSTATUS(invigil_scanner_new(rules, &s), INVIGIL_OK);
    size_t reps = 0;
    char *text = hostile_text(1 << 20, &reps);
    size_t length = strlen(text);

    /* Unbounded: every span stored; the reference counts. */
    HSTATUS(invigil_scanner_set_match_limit(s, INVIGIL_MAX_MATCH_LIMIT), INVIGIL_OK);
    set_staff_to_pupil(s, text, length);
    size_t n_all = 0;
    HSTATUS(invigil_scan(s, &n_all), INVIGIL_OK);
    long fi = finding_index(s, n_all, "demo/staff-contact");
    HCHECK(fi >= 0);
    invigil_finding f_all;
    HSTATUS(invigil_finding_at(s, (size_t)fi, &f_all), INVIGIL_OK);
    size_t total_all = 0, offers = 0;
    int truncated = -1;
    HSTATUS(invigil_finding_match_total(s, (size_t)fi, &total_all, &truncated), INVIGIL_OK);
    HCHECK(truncated == 0 && total_all == f_all.match_count);
    for (size_t m = 0; m < f_all.match_count; m++) {
        invigil_match match;
        if (invigil_match_at(s, (size_t)fi, m, &match) == INVIGIL_OK && strcmp(match.pattern, "contact_offer") == 0) offers++;
    }
    HCHECK(offers == naive_text_me(text, length) && offers == reps);
    HCHECK(total_all >= 2 * reps); /* a phone number in every repetition as well */

    /* Bounded, at several limits: the same findings and counts, cut lists flagged. */
    size_t limits[] = {0, 1, 10, INVIGIL_DEFAULT_MATCH_LIMIT};
    for (size_t k = 0; k < sizeof limits / sizeof limits[0]; k++) {
        HSTATUS(invigil_scanner_set_match_limit(s, limits[k]), INVIGIL_OK);
        size_t n = 0;
        HSTATUS(invigil_scan(s, &n), INVIGIL_OK);
        HCHECK(n == n_all);
        HCHECK(finding_index(s, n, "demo/staff-contact") == fi);
        invigil_finding f;
        HSTATUS(invigil_finding_at(s, (size_t)fi, &f), INVIGIL_OK);
        size_t total = 0;
        truncated = -1;
        HSTATUS(invigil_finding_match_total(s, (size_t)fi, &total, &truncated), INVIGIL_OK);
        HCHECK(f.match_count <= limits[k]);
        HCHECK(truncated == 1);
        /* Not stopped early here (the secrecy list on `text` never matches, so not every comparison
         * on the field is settled): the total is exact. */
        HCHECK(total == total_all);
        if (f.match_count > 0) {
            invigil_match a, b;
            HSTATUS(invigil_match_at(s, (size_t)fi, 0, &a), INVIGIL_OK);
            HCHECK(a.start == 0 && a.end == 7);
            HSTATUS(invigil_match_at(s, (size_t)fi, f.match_count, &b), INVIGIL_ERROR_ARGUMENT);
        }
    }
    HSTATUS(invigil_scanner_set_match_limit(s, (size_t)INVIGIL_MAX_MATCH_LIMIT + 1), INVIGIL_ERROR_LIMIT);
    HSTATUS(invigil_scanner_set_match_limit(s, (size_t)-1), INVIGIL_ERROR_ARGUMENT);
    HSTATUS(invigil_scanner_set_match_limit(NULL, 5), INVIGIL_ERROR_ARGUMENT);
    HSTATUS(invigil_finding_match_total(s, n_all, NULL, NULL), INVIGIL_ERROR_ARGUMENT);
    HSTATUS(invigil_finding_match_total(NULL, 0, NULL, NULL), INVIGIL_ERROR_ARGUMENT);
    free(text);
    invigil_scanner_free(s);
    invigil_rules_free(rules);
}

static long max_rss_kib(void) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

/* The issue's hostile text at 8 MiB: before the bound it took 336 MB; now the peak grows by
 * about the event's own copies (the caller's text, the scanner's copy, a normalised copy). */
void invigil_hardening_test_memory_ceiling(void) {
    invigil_rules *rules = compile_rules();
    invigil_scanner *s = NULL;
    HSTATUS(invigil_scanner_new(rules, &s), INVIGIL_OK);
    /* Warm the scanner and the process, so that the growth measured is the big event's. */
    set_staff_to_pupil(s, LIT("text me on 07700 900461"));
    size_t n = 0;
    HSTATUS(invigil_scan(s, &n), INVIGIL_OK);
    long before = max_rss_kib();
    size_t reps = 0;
    char *text = hostile_text(8 << 20, &reps);
    set_staff_to_pupil(s, text, strlen(text));
    HSTATUS(invigil_scan(s, &n), INVIGIL_OK);
    HCHECK(finding_index(s, n, "demo/staff-contact") >= 0);
    long grown_mib = (max_rss_kib() - before) / 1024;
    if (grown_mib > 8 * 3 + 48) {
        char m[128];
        snprintf(m, sizeof m, "peak memory grew by %ld MiB for an 8 MiB event", grown_mib);
        invigil_ctests_record_failure(__FILE__, __LINE__, m);
    }
    free(text);
    invigil_scanner_free(s);
    invigil_rules_free(rules);
}

/* ---------------------------------------------------------------------------------------- */
/* Generated match-dense inputs                                                              */
/* ---------------------------------------------------------------------------------------- */

size_t invigil_ctests_dense_text(unsigned long long seed, char *text, size_t length) {
    static const char *const parts[] = {
        "text me", "TEXT ME", "dm me", "add me on snap", "don't tell", "our secret", "07700 900461",
        "+44 7700 900 123", "0 7 7 0 0 9 0 0 4 6 1", "o7700 9oo461", "me@example.org", "a.b@school.sch.uk",
        "https://facebook.com/x", "www.instagram.com", " ", ".", ",", "-", "\n", "textme", "text  me", "tex",
        "é", "д", "\xe2\x80\x8b", "x", "07", "@", "me", "on",
    };
    const size_t count = sizeof parts / sizeof parts[0];
    unsigned long long state = seed * 2862933555777941757ull + 3037000493ull;
    size_t used = 0;
    while (used < length) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        const char *p = parts[(state >> 33) % count];
        size_t n = strlen(p);
        if (used + n > length) break;
        memcpy(text + used, p, n);
        used += n;
    }
    /* Pad with spaces (a part may not have fitted). */
    while (used < length) text[used++] = ' ';
    text[used] = '\0';
    return used;
}

static int has_span(const invigil_scanner *s, size_t finding, size_t count, const invigil_match *m) {
    for (size_t i = 0; i < count; i++) {
        invigil_match other;
        if (invigil_match_at(s, finding, i, &other) != INVIGIL_OK) return 0;
        if (other.start == m->start && other.end == m->end && other.value_index == m->value_index &&
            strcmp(other.pattern, m->pattern) == 0 && strcmp(other.field, m->field) == 0)
            return 1;
    }
    return 0;
}

/* Generated match-dense events: a scanner with a small match limit finds what an unbounded one
 * finds (the reference), its spans are among the reference's, and a list is flagged whenever it
 * is shorter than the reference's. */
void invigil_hardening_test_dense_generated(void) {
    invigil_rules *rules = compile_rules();
    invigil_scanner *bounded = NULL, *reference = NULL;
    HSTATUS(invigil_scanner_new(rules, &bounded), INVIGIL_OK);
    HSTATUS(invigil_scanner_new(rules, &reference), INVIGIL_OK);
    HSTATUS(invigil_scanner_set_match_limit(reference, INVIGIL_MAX_MATCH_LIMIT), INVIGIL_OK);
    enum { length = 48 << 10 };
    char *text = malloc(length + 1);
    for (unsigned long long seed = 1; seed <= 24; seed++) {
        size_t used = invigil_ctests_dense_text(seed, text, length);
        size_t limit = (size_t)(seed % 4 == 0 ? 0 : seed * 3);
        HSTATUS(invigil_scanner_set_match_limit(bounded, limit), INVIGIL_OK);
        size_t nb = 0, nr = 0;
        set_staff_to_pupil(bounded, text, used);
        set_staff_to_pupil(reference, text, used);
        HSTATUS(invigil_set_string(bounded, "subject", text, used / 3), INVIGIL_OK);
        HSTATUS(invigil_set_string(reference, "subject", text, used / 3), INVIGIL_OK);
        HSTATUS(invigil_scan(bounded, &nb), INVIGIL_OK);
        HSTATUS(invigil_scan(reference, &nr), INVIGIL_OK);
        HCHECK(nb == nr && nr > 0);
        for (size_t i = 0; i < nb && i < nr; i++) {
            invigil_finding fb, fr;
            HSTATUS(invigil_finding_at(bounded, i, &fb), INVIGIL_OK);
            HSTATUS(invigil_finding_at(reference, i, &fr), INVIGIL_OK);
            HCHECK(strcmp(fb.rule, fr.rule) == 0);
            size_t tb = 0, tr = 0;
            int cut_b = -1, cut_r = -1;
            HSTATUS(invigil_finding_match_total(bounded, i, &tb, &cut_b), INVIGIL_OK);
            HSTATUS(invigil_finding_match_total(reference, i, &tr, &cut_r), INVIGIL_OK);
            HCHECK(cut_r == 0 && tr == fr.match_count);
            HCHECK(fb.match_count <= limit && tb >= fb.match_count);
            if (cut_b) HCHECK(tb <= tr);
            else HCHECK(tb == tr && fb.match_count == fr.match_count);
            if (fb.match_count < fr.match_count) HCHECK(cut_b == 1);
            for (size_t m = 0; m < fb.match_count; m++) {
                invigil_match match;
                HSTATUS(invigil_match_at(bounded, i, m, &match), INVIGIL_OK);
                HCHECK(has_span(reference, i, fr.match_count, &match));
                const char *excerpt = NULL;
                size_t excerpt_length = 0;
                HSTATUS(invigil_match_text(bounded, i, m, &excerpt, &excerpt_length), INVIGIL_OK);
                HCHECK(excerpt_length == match.end - match.start);
            }
        }
    }
    free(text);
    invigil_scanner_free(bounded);
    invigil_scanner_free(reference);
    invigil_rules_free(rules);
}

/* ---------------------------------------------------------------------------------------- */
/* BUSY                                                                                      */
/* ---------------------------------------------------------------------------------------- */

static int modify_in_callback(void *user, const invigil_scanner *s, size_t line, invigil_status status, size_t count,
                              const invigil_error *error) {
    (void)line, (void)error;
    invigil_scanner *mutable_s = (invigil_scanner *)user;
    HCHECK(status == INVIGIL_OK);
    /* Reading is allowed during the callback, changing the scanner is refused. */
    if (count > 0) {
        invigil_finding f;
        HSTATUS(invigil_finding_at(s, 0, &f), INVIGIL_OK);
    }
    HSTATUS(invigil_set_string(mutable_s, "text", LIT("our secret")), INVIGIL_ERROR_BUSY);
    size_t n = 0;
    HSTATUS(invigil_scan(mutable_s, &n), INVIGIL_ERROR_BUSY);
    HSTATUS(invigil_scan_json(mutable_s, LIT("{}"), &n, NULL), INVIGIL_ERROR_BUSY);
    invigil_scanner_reset(mutable_s); /* refused too: the event stays */
    const char *value = NULL;
    size_t value_length = 0;
    HSTATUS(invigil_event_string(s, "text", 0, &value, &value_length), INVIGIL_OK);
    HCHECK(value_length > 0);
    return 0;
}

void invigil_hardening_test_busy_in_callback(void) {
    invigil_rules *rules = compile_rules();
    invigil_scanner *s = NULL;
    HSTATUS(invigil_scanner_new(rules, &s), INVIGIL_OK);
    const char jsonl[] = "{\"text\":\"it's our secret\"}\n{\"text\":\"don't tell\"}\n";
    size_t lines = 0;
    HSTATUS(invigil_scan_jsonl(s, LIT(jsonl), modify_in_callback, s, &lines), INVIGIL_OK);
    HCHECK(lines == 2);
    /* Free again once the call has returned. */
    HSTATUS(invigil_set_string(s, "text", LIT("our secret")), INVIGIL_OK);
    size_t n = 0;
    HSTATUS(invigil_scan(s, &n), INVIGIL_OK);
    HCHECK(n == 1);
    invigil_scanner_free(s);
    invigil_rules_free(rules);
}

typedef struct holder {
    invigil_scanner *s;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    int inside, release;
    invigil_status status;
} holder;

static int hold_in_callback(void *user, const invigil_scanner *s, size_t line, invigil_status status, size_t count,
                            const invigil_error *error) {
    (void)s, (void)line, (void)status, (void)count, (void)error;
    holder *h = (holder *)user;
    pthread_mutex_lock(&h->lock);
    h->inside = 1;
    pthread_cond_broadcast(&h->changed);
    while (!h->release) pthread_cond_wait(&h->changed, &h->lock);
    pthread_mutex_unlock(&h->lock);
    return 0;
}

static void *hold_thread(void *arg) {
    holder *h = (holder *)arg;
    h->status = invigil_scan_jsonl(h->s, LIT("{\"text\":\"our secret\"}\n"), hold_in_callback, h, NULL);
    return NULL;
}

static void *hammer_thread(void *arg) {
    invigil_scanner *s = (invigil_scanner *)arg;
    for (int i = 0; i < 2000; i++) {
        size_t n = 0;
        invigil_status a = invigil_set_string(s, "text", LIT("text me on 07700 900461, our secret"));
        invigil_status b = invigil_scan(s, &n);
        invigil_finding f;
        invigil_status c = invigil_finding_at(s, 0, &f);
        if (a != INVIGIL_OK && a != INVIGIL_ERROR_BUSY) HCHECK(!"set_string gave a status other than OK or BUSY");
        if (b != INVIGIL_OK && b != INVIGIL_ERROR_BUSY) HCHECK(!"scan gave a status other than OK or BUSY");
        if (c != INVIGIL_OK && c != INVIGIL_ERROR_BUSY && c != INVIGIL_ERROR_ARGUMENT) HCHECK(!"finding_at gave an unexpected status");
        if (i % 16 == 0) invigil_scanner_reset(s);
    }
    return NULL;
}

/* One thread inside the scanner (held in a JSONL callback, as a reader), another calling in:
 * changes are refused with BUSY, reads go through; then two threads hammering one scanner get
 * only OK or BUSY, never a crash (the stress runs longer under TSan in the fuzz notes). */
void invigil_hardening_test_busy_two_threads(void) {
    invigil_rules *rules = compile_rules();
    holder h;
    memset(&h, 0, sizeof h);
    pthread_mutex_init(&h.lock, NULL);
    pthread_cond_init(&h.changed, NULL);
    HSTATUS(invigil_scanner_new(rules, &h.s), INVIGIL_OK);
    pthread_t t;
    pthread_create(&t, NULL, hold_thread, &h);
    pthread_mutex_lock(&h.lock);
    while (!h.inside) pthread_cond_wait(&h.changed, &h.lock);
    pthread_mutex_unlock(&h.lock);
    size_t n = 0;
    HSTATUS(invigil_set_string(h.s, "text", LIT("hello")), INVIGIL_ERROR_BUSY);
    HSTATUS(invigil_scan(h.s, &n), INVIGIL_ERROR_BUSY);
    HSTATUS(invigil_scanner_set_time_budget(h.s, 5), INVIGIL_ERROR_BUSY);
    HSTATUS(invigil_scanner_set_match_limit(h.s, 5), INVIGIL_ERROR_BUSY);
    invigil_error *error = NULL;
    HSTATUS(invigil_scan_json(h.s, LIT("{}"), &n, &error), INVIGIL_ERROR_BUSY);
    HCHECK(invigil_error_status(error) == INVIGIL_ERROR_BUSY);
    invigil_error_free(error);
    invigil_finding f;
    HSTATUS(invigil_finding_at(h.s, 0, &f), INVIGIL_OK); /* readers share */
    HCHECK(strcmp(f.rule, "demo/secrecy") == 0);
    pthread_mutex_lock(&h.lock);
    h.release = 1;
    pthread_cond_broadcast(&h.changed);
    pthread_mutex_unlock(&h.lock);
    pthread_join(t, NULL);
    HSTATUS(h.status, INVIGIL_OK);
    HSTATUS(invigil_set_string(h.s, "text", LIT("hello")), INVIGIL_OK);

    pthread_t a, b;
    pthread_create(&a, NULL, hammer_thread, h.s);
    pthread_create(&b, NULL, hammer_thread, h.s);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    /* The scanner still works. */
    set_staff_to_pupil(h.s, LIT("text me"));
    HSTATUS(invigil_scan(h.s, &n), INVIGIL_OK);
    HCHECK(n == 1);
    invigil_scanner_free(h.s);
    pthread_cond_destroy(&h.changed);
    pthread_mutex_destroy(&h.lock);
    invigil_rules_free(rules);
}

/* ---------------------------------------------------------------------------------------- */
/* Interrupt and time budget                                                                 */
/* ---------------------------------------------------------------------------------------- */

typedef struct scan_job {
    invigil_scanner *s;
    invigil_status status;
    size_t count;
    volatile int done;
    pthread_mutex_t lock;
} scan_job;

static void *scan_thread(void *arg) {
    scan_job *job = (scan_job *)arg;
    job->status = invigil_scan(job->s, &job->count);
    pthread_mutex_lock(&job->lock);
    job->done = 1;
    pthread_mutex_unlock(&job->lock);
    return NULL;
}

static int job_done(scan_job *job) {
    pthread_mutex_lock(&job->lock);
    int d = job->done;
    pthread_mutex_unlock(&job->lock);
    return d;
}

void invigil_hardening_test_interrupt(void) {
    invigil_rules *rules = compile_rules();
    invigil_scanner *s = NULL;
    HSTATUS(invigil_scanner_new(rules, &s), INVIGIL_OK);
    size_t reps = 0;
    char *text = hostile_text(8 << 20, &reps);
    set_staff_to_pupil(s, text, strlen(text));
    HSTATUS(invigil_set_string(s, "subject", LIT("our secret")), INVIGIL_OK);
    size_t full = 0;
    HSTATUS(invigil_scan(s, &full), INVIGIL_OK);
    HCHECK(full == 2);

    /* An interrupt with no scan running has no effect on the next scan. */
    invigil_scan_interrupt(s);
    invigil_scan_interrupt(NULL);
    size_t n = 0;
    HSTATUS(invigil_scan(s, &n), INVIGIL_OK);
    HCHECK(n == full);

    /* Interrupted from another thread: asked repeatedly until the scan returns. A scheduler may
     * run the whole scan before this thread asks (valgrind runs one thread at a time), so a scan
     * that finished is checked as complete and the attempt repeated, a few times at most. */
    scan_job job;
    struct timespec pause = {0, 200000};
    for (int attempt = 0; attempt < 8; attempt++) {
        memset(&job, 0, sizeof job);
        pthread_mutex_init(&job.lock, NULL);
        job.s = s;
        pthread_t t;
        pthread_create(&t, NULL, scan_thread, &job);
        while (!job_done(&job)) {
            invigil_scan_interrupt(s);
            nanosleep(&pause, NULL);
        }
        pthread_join(t, NULL);
        pthread_mutex_destroy(&job.lock);
        if (job.status != INVIGIL_OK) break;
        HCHECK(job.count == full);
    }
    HSTATUS(job.status, INVIGIL_ERROR_INTERRUPTED);
    HCHECK(job.count <= full);
    HCHECK(invigil_scanner_timed_out(s) == 0);
    for (size_t i = 0; i < job.count; i++) {
        invigil_finding f;
        HSTATUS(invigil_finding_at(s, i, &f), INVIGIL_OK);
    }
    HCHECK(invigil_scanner_last_error(s)[0] != '\0');
    /* The next scan runs to the end. */
    HSTATUS(invigil_scan(s, &n), INVIGIL_OK);
    HCHECK(n == full && invigil_scanner_last_error(s)[0] == '\0');

    /* A time budget that runs out: INTERRUPTED, and timed_out says it was the budget. */
    HSTATUS(invigil_scanner_set_time_budget(s, 1), INVIGIL_OK);
    HSTATUS(invigil_scan(s, &n), INVIGIL_ERROR_INTERRUPTED);
    HCHECK(invigil_scanner_timed_out(s) == 1 && n <= full);
    invigil_error *error = NULL;
    HSTATUS(invigil_scan_json(s, LIT("{\"text\":\"our secret\"}"), &n, &error), INVIGIL_ERROR_INTERRUPTED);
    HCHECK(invigil_error_status(error) == INVIGIL_ERROR_INTERRUPTED);
    HCHECK(strcmp(invigil_scanner_last_error(s), invigil_error_message(error)) == 0);
    invigil_error_free(error);
    HSTATUS(invigil_scanner_set_time_budget(s, 0), INVIGIL_OK);
    HSTATUS(invigil_scan_json(s, LIT("{\"text\":\"our secret\"}"), &n, &error), INVIGIL_OK);
    HCHECK(n == 1 && error == NULL);
    free(text);
    invigil_scanner_free(s);
    invigil_rules_free(rules);
}

/* ---------------------------------------------------------------------------------------- */
/* Lengths and the error model                                                               */
/* ---------------------------------------------------------------------------------------- */

/* Lengths far beyond the limits with a pointer to 8 real bytes: refused before a byte is read
 * (ASan and valgrind would report the read). */
void invigil_hardening_test_lengths(void) {
    invigil_rules *rules = compile_rules();
    invigil_scanner *s = NULL;
    HSTATUS(invigil_scanner_new(rules, &s), INVIGIL_OK);
    char *small = malloc(8);
    memcpy(small, "text me", 8);
    size_t huge = (size_t)1 << 62;
    size_t n = 0;
    HSTATUS(invigil_set_string(s, "text", small, huge), INVIGIL_ERROR_LIMIT);
    HCHECK(strstr(invigil_scanner_last_error(s), "limit") != NULL);
    HSTATUS(invigil_add_string(s, "recipients.name", small, huge), INVIGIL_ERROR_LIMIT);
    HSTATUS(invigil_set_element_string(s, "recipients.name", 0, small, huge), INVIGIL_ERROR_LIMIT);
    HSTATUS(invigil_set_string(s, "text", small, ((size_t)64 << 20) + 1), INVIGIL_ERROR_LIMIT);
    invigil_error *error = NULL;
    HSTATUS(invigil_scan_json(s, small, huge, &n, &error), INVIGIL_ERROR_LIMIT);
    HCHECK(invigil_error_status(error) == INVIGIL_ERROR_LIMIT);
    invigil_error_free(error);
    error = NULL;
    invigil_rules *other = NULL;
    HSTATUS(invigil_rules_compile(small, huge, "huge.rules", &other, &error), INVIGIL_ERROR_LIMIT);
    HCHECK(other == NULL && invigil_error_status(error) == INVIGIL_ERROR_LIMIT);
    invigil_error_free(error);
    HSTATUS(invigil_scan_jsonl(s, small, huge, modify_in_callback, s, NULL), INVIGIL_ERROR_LIMIT);
    /* Above SIZE_MAX / 2: an argument error, as before. */
    HSTATUS(invigil_set_string(s, "text", small, (size_t)-1), INVIGIL_ERROR_ARGUMENT);
    /* Nothing was set. */
    HSTATUS(invigil_scan(s, &n), INVIGIL_OK);
    HCHECK(n == 0);
    free(small);
    invigil_scanner_free(s);
    invigil_rules_free(rules);
}

void invigil_hardening_test_error_model(void) {
    invigil_rules *rules = compile_rules();
    invigil_scanner *s = NULL;
    HSTATUS(invigil_scanner_new(rules, &s), INVIGIL_OK);
    HCHECK(invigil_scanner_last_error(s)[0] == '\0');
    HSTATUS(invigil_set_string(s, "nope", LIT("x")), INVIGIL_ERROR_FIELD);
    HCHECK(strstr(invigil_scanner_last_error(s), "nope") != NULL);
    /* A successful call clears it. */
    HSTATUS(invigil_set_string(s, "text", LIT("fine")), INVIGIL_OK);
    HCHECK(invigil_scanner_last_error(s)[0] == '\0');
    /* A query that fails leaves it alone. */
    HSTATUS(invigil_set_bool(s, "text", 1), INVIGIL_ERROR_FIELD);
    const char *kept = invigil_scanner_last_error(s);
    HCHECK(kept[0] != '\0');
    invigil_finding f;
    HSTATUS(invigil_finding_at(s, 99, &f), INVIGIL_ERROR_ARGUMENT);
    HCHECK(strcmp(invigil_scanner_last_error(s), kept) == 0);
    /* scan_json: the scanner's message is the returned error's. */
    invigil_error *error = NULL;
    size_t n = 0;
    HSTATUS(invigil_scan_json(s, LIT("{\"likes\":\"many\"}"), &n, &error), INVIGIL_ERROR_FIELD);
    HCHECK(error != NULL && strcmp(invigil_scanner_last_error(s), invigil_error_message(error)) == 0);
    invigil_error_free(error);
    HSTATUS(invigil_scan_json(s, LIT("{\"likes\":5"), &n, &error), INVIGIL_ERROR_EVENT);
    HCHECK(error != NULL && strcmp(invigil_scanner_last_error(s), invigil_error_message(error)) == 0);
    invigil_error_free(error);
    HSTATUS(invigil_scan_json(s, LIT("{\"likes\":500}"), &n, &error), INVIGIL_OK);
    HCHECK(error == NULL && n == 1 && invigil_scanner_last_error(s)[0] == '\0');
    /* More than 100,000 values: LIMIT from scan_json as from the setters. */
    {
        const char head[] = "{\"recipients\":[", item[] = "{\"role\":\"pupil\"},", tail[] = "{}]}";
        size_t count = 100001, length = strlen(head) + count * strlen(item) + strlen(tail);
        char *json = malloc(length + 1), *p = json;
        memcpy(p, head, strlen(head));
        p += strlen(head);
        for (size_t i = 0; i < count; i++, p += strlen(item)) memcpy(p, item, strlen(item));
        memcpy(p, tail, strlen(tail) + 1);
        HSTATUS(invigil_scan_json(s, json, length, &n, &error), INVIGIL_ERROR_LIMIT);
        HCHECK(invigil_error_status(error) == INVIGIL_ERROR_LIMIT);
        invigil_error_free(error);
        error = NULL;
        free(json);
    }
    /* A NULL field is an argument error with a message. */
    HSTATUS(invigil_set_string(s, NULL, LIT("x")), INVIGIL_ERROR_ARGUMENT);
    HCHECK(invigil_scanner_last_error(s)[0] != '\0');
    invigil_scanner_free(s);
    invigil_rules_free(rules);
}

/* ---------------------------------------------------------------------------------------- */
/* Misuse stress (run long under TSan: docs/fuzzing.md)                                      */
/* ---------------------------------------------------------------------------------------- */

typedef struct stress_state {
    invigil_scanner *s;
    double until;
    int unexpected;
    pthread_mutex_t lock;
} stress_state;

static double stress_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void stress_note(stress_state *st, const char *what, invigil_status status) {
    pthread_mutex_lock(&st->lock);
    if (st->unexpected < 10) fprintf(stderr, "misuse stress: %s returned %s\n", what, invigil_status_string(status));
    st->unexpected++;
    pthread_mutex_unlock(&st->lock);
}

static void *stress_user(void *arg) {
    stress_state *st = (stress_state *)arg;
    unsigned i = 0;
    while (stress_now() < st->until) {
        size_t n = 0;
        invigil_status a = invigil_set_string(st->s, "text", LIT("text me on 07700 900461, our secret"));
        invigil_status b = invigil_scan(st->s, &n);
        invigil_finding f;
        invigil_status c = invigil_finding_at(st->s, 0, &f);
        invigil_error *error = NULL;
        invigil_status d = invigil_scan_json(st->s, LIT("{\"text\":\"dm me\",\"likes\":500}"), &n, &error);
        invigil_error_free(error);
        if (a != INVIGIL_OK && a != INVIGIL_ERROR_BUSY) stress_note(st, "set_string", a);
        if (b != INVIGIL_OK && b != INVIGIL_ERROR_BUSY && b != INVIGIL_ERROR_INTERRUPTED) stress_note(st, "scan", b);
        if (c != INVIGIL_OK && c != INVIGIL_ERROR_BUSY && c != INVIGIL_ERROR_ARGUMENT) stress_note(st, "finding_at", c);
        if (d != INVIGIL_OK && d != INVIGIL_ERROR_BUSY && d != INVIGIL_ERROR_INTERRUPTED) stress_note(st, "scan_json", d);
        (void)invigil_scanner_last_error(st->s);
        (void)invigil_scanner_timed_out(st->s);
        if (++i % 8 == 0) invigil_scanner_reset(st->s);
    }
    return NULL;
}

static void *stress_interrupter(void *arg) {
    stress_state *st = (stress_state *)arg;
    struct timespec pause = {0, 50000};
    while (stress_now() < st->until) {
        invigil_scan_interrupt(st->s);
        nanosleep(&pause, NULL);
    }
    return NULL;
}

int invigil_ctests_misuse_stress(double seconds) {
    invigil_rules *rules = NULL;
    if (invigil_rules_compile(invigil_ctests_rules_source, strlen(invigil_ctests_rules_source), "demo.rules", &rules,
                              NULL) != INVIGIL_OK)
        return 1;
    stress_state st;
    memset(&st, 0, sizeof st);
    pthread_mutex_init(&st.lock, NULL);
    invigil_scanner_new(rules, &st.s);
    st.until = stress_now() + seconds;
    pthread_t a, b, c;
    pthread_create(&a, NULL, stress_user, &st);
    pthread_create(&b, NULL, stress_user, &st);
    pthread_create(&c, NULL, stress_interrupter, &st);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    pthread_join(c, NULL);
    /* Still a working scanner. */
    size_t n = 0;
    invigil_scanner_reset(st.s);
    invigil_set_string(st.s, "text", LIT("our secret"));
    if (invigil_scan(st.s, &n) != INVIGIL_OK || n != 1) st.unexpected++;
    invigil_scanner_free(st.s);
    invigil_rules_free(rules);
    pthread_mutex_destroy(&st.lock);
    return st.unexpected;
}
