/* C tests of compiled rule files through include/invigil.h, written from the contract
 * (shared/spec/compiled-rules.md) and the header: a program saves a rule set, loads it from
 * memory and from a file, scans with it, and gets a status (never an abort) for every damaged
 * buffer. */
#define _POSIX_C_SOURCE 200809L

#include "invigil_compiled_ctests.h"
#include "invigil_ctests.h"
#include "invigil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failures;
static const char *current_test = "";

#define CHECK(cond)                                                                                    \
    do {                                                                                               \
        if (!(cond)) {                                                                                 \
            fprintf(stderr, "%s:%d: [%s] check failed: %s\n", __FILE__, __LINE__, current_test, #cond); \
            failures++;                                                                                \
        }                                                                                              \
    } while (0)

#define CHECK_STATUS(expr, expected)                                                                   \
    do {                                                                                               \
        invigil_status st_ = (expr);                                                                   \
        if (st_ != (expected)) {                                                                       \
            fprintf(stderr, "%s:%d: [%s] %s returned %d (%s), expected %s\n", __FILE__, __LINE__,      \
                    current_test, #expr, (int)st_, invigil_status_string(st_), #expected);            \
            failures++;                                                                                \
        }                                                                                              \
    } while (0)

/* Events over the demo rules: each flags some rules, or none. */
static const char *const events[] = {
    "{\"id\":\"1\",\"author\":{\"role\":\"staff\"},\"recipients\":[{\"role\":\"pupil\"}],\"text\":\"text me on 07700 900123\"}",
    "{\"id\":\"2\",\"text\":\"this is OUR SECRET, don't tell\",\"subject\":\"hi\"}",
    "{\"id\":\"3\",\"web\":{\"host\":\"www.facebook.com\"},\"time\":\"2024-03-05T10:00:00Z\"}",
    "{\"id\":\"4\",\"likes\":250,\"urgent\":true,\"recipients\":[{\"role\":\"pupil\",\"family\":false}]}",
    "{\"id\":\"5\",\"text\":\"nothing to see\"}",
};
#define EVENT_COUNT (sizeof(events) / sizeof(events[0]))

static invigil_rules *compile_demo(void) {
    invigil_rules *rules = NULL;
    const char *source = invigil_ctests_rules();
    if (invigil_rules_compile(source, strlen(source), "demo.rules", &rules, NULL) != INVIGIL_OK) {
        fprintf(stderr, "[%s] the demo rules did not compile\n", current_test);
        failures++;
    }
    return rules;
}

/* Writes every finding of every event (rule name and match spans) into out, one line each;
 * returns the length written. */
static size_t describe_findings(const invigil_rules *rules, char *out, size_t size) {
    size_t used = 0;
    invigil_scanner *s = NULL;
    if (invigil_scanner_new(rules, &s) != INVIGIL_OK) return 0;
    for (size_t e = 0; e < EVENT_COUNT; e++) {
        size_t count = 0;
        CHECK_STATUS(invigil_scan_json(s, events[e], strlen(events[e]), &count, NULL), INVIGIL_OK);
        for (size_t i = 0; i < count; i++) {
            invigil_finding f;
            if (invigil_finding_at(s, i, &f) != INVIGIL_OK) continue;
            int n = snprintf(out + used, size - used, "%zu %s %s %d", e, f.rule, f.severity, f.level);
            if (n > 0 && (size_t)n < size - used) used += (size_t)n;
            for (size_t m = 0; m < f.match_count; m++) {
                invigil_match match;
                if (invigil_match_at(s, i, m, &match) != INVIGIL_OK) continue;
                n = snprintf(out + used, size - used, " %s:%zu-%zu:%s", match.field, match.start, match.end, match.pattern);
                if (n > 0 && (size_t)n < size - used) used += (size_t)n;
            }
            if (used + 1 < size) out[used++] = '\n';
        }
    }
    out[used < size ? used : size - 1] = 0;
    invigil_scanner_free(s);
    return used;
}

static void test_save_load_scan(void) {
    invigil_rules *rules = compile_demo();
    unsigned char *buf = NULL;
    size_t len = 0;
    CHECK_STATUS(invigil_rules_save(rules, &buf, &len), INVIGIL_OK);
    CHECK(buf != NULL && len > 64);

    invigil_rules *loaded = NULL;
    invigil_error *error = NULL;
    CHECK_STATUS(invigil_rules_load_compiled(buf, len, &loaded, &error), INVIGIL_OK);
    CHECK(loaded != NULL && error == NULL);
    /* The buffer is copied: the loaded rules do not need it. */
    memset(buf, 0xAB, len);
    invigil_buffer_free(buf);

    CHECK(invigil_rules_count(loaded) == invigil_rules_count(rules));
    static char expected[16384], actual[16384];
    size_t a = describe_findings(rules, expected, sizeof expected);
    size_t b = describe_findings(loaded, actual, sizeof actual);
    CHECK(a > 0);
    CHECK(a == b && strcmp(expected, actual) == 0);
    if (strcmp(expected, actual) != 0) fprintf(stderr, "expected:\n%s\nactual:\n%s\n", expected, actual);
    /* At least the staff-contact, secrecy and popular rules fire on the events. */
    CHECK(strstr(actual, "demo/staff-contact") != NULL);
    CHECK(strstr(actual, "demo/secrecy") != NULL);
    CHECK(strstr(actual, "demo/popular") != NULL);

    /* A loaded rule set saves to the same bytes as the one it came from. */
    unsigned char *again = NULL, *first = NULL;
    size_t again_len = 0, first_len = 0;
    CHECK_STATUS(invigil_rules_save(loaded, &again, &again_len), INVIGIL_OK);
    CHECK_STATUS(invigil_rules_save(rules, &first, &first_len), INVIGIL_OK);
    CHECK(again_len == first_len && again && first && memcmp(again, first, first_len) == 0);
    invigil_buffer_free(again);
    invigil_buffer_free(first);
    invigil_rules_free(loaded);
    invigil_rules_free(rules);
}

static void test_load_file(void) {
    invigil_rules *rules = compile_demo();
    unsigned char *buf = NULL;
    size_t len = 0;
    CHECK_STATUS(invigil_rules_save(rules, &buf, &len), INVIGIL_OK);
    char path[64];
    snprintf(path, sizeof path, "/tmp/invigil-compiled-ctest-%ld.bin", (long)getpid());
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f) {
        CHECK(fwrite(buf, 1, len, f) == len);
        fclose(f);
    }
    invigil_rules *loaded = NULL;
    invigil_error *error = NULL;
    CHECK_STATUS(invigil_rules_load_compiled_file(path, &loaded, &error), INVIGIL_OK);
    CHECK(loaded != NULL && error == NULL);
    static char expected[16384], actual[16384];
    describe_findings(rules, expected, sizeof expected);
    describe_findings(loaded, actual, sizeof actual);
    CHECK(strcmp(expected, actual) == 0);
    invigil_rules_free(loaded);

    /* Truncated on disk: refused, and the error names the file. */
    f = fopen(path, "wb");
    if (f) {
        fwrite(buf, 1, len / 2, f);
        fclose(f);
    }
    loaded = (invigil_rules *)1;
    CHECK_STATUS(invigil_rules_load_compiled_file(path, &loaded, &error), INVIGIL_ERROR_RULES);
    CHECK(loaded == NULL && error != NULL);
    CHECK(strstr(invigil_error_message(error), "truncated") != NULL);
    CHECK(strcmp(invigil_error_source(error), path) == 0);
    invigil_error_free(error);
    unlink(path);

    /* Missing file and a folder: I/O errors. */
    error = NULL;
    CHECK_STATUS(invigil_rules_load_compiled_file(path, &loaded, &error), INVIGIL_ERROR_IO);
    CHECK(loaded == NULL && error != NULL);
    invigil_error_free(error);
    CHECK_STATUS(invigil_rules_load_compiled_file("/tmp", &loaded, NULL), INVIGIL_ERROR_IO);
    /* Rule sources are not a compiled file. */
    f = fopen(path, "wb");
    if (f) {
        fputs(invigil_ctests_rules(), f);
        fclose(f);
    }
    error = NULL;
    CHECK_STATUS(invigil_rules_load_compiled_file(path, &loaded, &error), INVIGIL_ERROR_RULES);
    CHECK(error != NULL && strstr(invigil_error_message(error), "not a compiled rule file") != NULL);
    invigil_error_free(error);
    unlink(path);
    invigil_buffer_free(buf);
    invigil_rules_free(rules);
}

static void test_arguments(void) {
    invigil_rules *rules = compile_demo();
    unsigned char *buf = (unsigned char *)1;
    size_t len = 7;
    CHECK_STATUS(invigil_rules_save(NULL, &buf, &len), INVIGIL_ERROR_ARGUMENT);
    CHECK(buf == NULL && len == 0);
    CHECK_STATUS(invigil_rules_save(rules, NULL, &len), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_rules_save(rules, &buf, NULL), INVIGIL_ERROR_ARGUMENT);
    invigil_buffer_free(NULL);

    invigil_rules *loaded = (invigil_rules *)1;
    invigil_error *error = NULL;
    CHECK_STATUS(invigil_rules_load_compiled(NULL, 10, &loaded, &error), INVIGIL_ERROR_ARGUMENT);
    CHECK(loaded == NULL && error != NULL);
    invigil_error_free(error);
    CHECK_STATUS(invigil_rules_load_compiled((const unsigned char *)"x", 1, NULL, NULL), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_rules_load_compiled(NULL, 0, &loaded, NULL), INVIGIL_ERROR_RULES);
    CHECK(loaded == NULL);
    CHECK_STATUS(invigil_rules_load_compiled_file(NULL, &loaded, NULL), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_rules_load_compiled_file("/tmp/x", NULL, NULL), INVIGIL_ERROR_ARGUMENT);

    /* A freed rule set cannot be saved. */
    invigil_rules_free(rules);
}

static void test_damaged_buffers(void) {
    invigil_rules *rules = compile_demo();
    unsigned char *buf = NULL;
    size_t len = 0;
    CHECK_STATUS(invigil_rules_save(rules, &buf, &len), INVIGIL_OK);
    unsigned char *copy = malloc(len + 1);
    if (!buf || !copy) {
        failures++;
        free(copy);
        return;
    }
    /* Every truncation, in a buffer of exactly that length (so an over-read would be outside
     * the allocation, where AddressSanitizer and valgrind see it). */
    for (size_t cut = 0; cut < len; cut++) {
        unsigned char *part = malloc(cut ? cut : 1);
        memcpy(part, buf, cut);
        invigil_rules *loaded = (invigil_rules *)1;
        invigil_error *error = NULL;
        invigil_status st = invigil_rules_load_compiled(part, cut, &loaded, &error);
        if (st != INVIGIL_ERROR_RULES || loaded != NULL || error == NULL) {
            fprintf(stderr, "[%s] truncation at %zu: status %d\n", current_test, cut, (int)st);
            failures++;
        }
        invigil_error_free(error);
        invigil_rules_free(st == INVIGIL_OK ? loaded : NULL);
        free(part);
    }
    /* One flipped bit per byte: the checksums catch every one. */
    for (size_t i = 0; i < len; i++) {
        memcpy(copy, buf, len);
        copy[i] ^= (unsigned char)(1u << (i % 8));
        invigil_rules *loaded = NULL;
        invigil_status st = invigil_rules_load_compiled(copy, len, &loaded, NULL);
        if (st != INVIGIL_ERROR_RULES || loaded != NULL) {
            fprintf(stderr, "[%s] bit flip in byte %zu: status %d\n", current_test, i, (int)st);
            failures++;
        }
        invigil_rules_free(loaded);
    }
    /* A byte appended. */
    memcpy(copy, buf, len);
    copy[len] = 0;
    invigil_rules *loaded = NULL;
    CHECK_STATUS(invigil_rules_load_compiled(copy, len + 1, &loaded, NULL), INVIGIL_ERROR_RULES);
    /* Another format version: refused, naming both versions. */
    memcpy(copy, buf, len);
    copy[8] = 99;
    invigil_error *error = NULL;
    CHECK_STATUS(invigil_rules_load_compiled(copy, len, &loaded, &error), INVIGIL_ERROR_RULES);
    CHECK(error != NULL && strstr(invigil_error_message(error), "format version 99") != NULL
          && strstr(invigil_error_message(error), "format version 4") != NULL);
    invigil_error_free(error);
    free(copy);
    invigil_buffer_free(buf);
    invigil_rules_free(rules);
}

typedef struct {
    const char *name;
    void (*run)(void);
} named_test;

static const named_test tests[] = {
    {"save_load_scan", test_save_load_scan},
    {"load_file", test_load_file},
    {"arguments", test_arguments},
    {"damaged_buffers", test_damaged_buffers},
};

int invigil_compiled_ctests_count(void) { return (int)(sizeof(tests) / sizeof(tests[0])); }

const char *invigil_compiled_ctests_name(int index) {
    return index >= 0 && index < invigil_compiled_ctests_count() ? tests[index].name : "";
}

int invigil_compiled_ctests_run(int index) {
    if (index < 0 || index >= invigil_compiled_ctests_count()) return 1;
    failures = 0;
    current_test = tests[index].name;
    tests[index].run();
    return failures;
}
