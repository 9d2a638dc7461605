/*
 * invigil-scan-jsonl: scan JSONL events from standard input against a rule file, on N threads.
 *
 *     invigil-scan-jsonl [-t THREADS] RULES < events.jsonl
 *
 * RULES is a .rules file or a folder of them (e.g. the school packs). Each input line is one event
 * in the JSON form of the event schema. For every finding it prints one line, in input order:
 *
 *     EVENT-ID <tab> RULE <tab> SEVERITY <tab> CLAUSES <tab> MESSAGE
 *
 * followed by one indented line per supporting match. Lines that are not valid events are reported
 * on standard error with their line number. Exit status: 0 no findings, 1 findings, 2 errors.
 *
 * The pattern to copy: compile the rules once; give each thread its own scanner; share the rules.
 *
 *     cc -std=c99 -O2 scan_jsonl.c $(pkg-config --cflags --libs invigil) -lpthread -o invigil-scan-jsonl
 */
#define _POSIX_C_SOURCE 200809L

#include <invigil.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { BATCH = 8192, MAX_THREADS = 64 };

/* A growable output buffer: what one input line printed. */
typedef struct text {
    char *data;
    size_t length, capacity;
} text;

static void append(text *t, const char *bytes, size_t n) {
    if (t->length + n + 1 > t->capacity) {
        size_t capacity = t->capacity ? t->capacity * 2 : 256;
        while (capacity < t->length + n + 1) capacity *= 2;
        char *grown = realloc(t->data, capacity);
        if (!grown) return; /* out of memory: drop this output */
        t->data = grown;
        t->capacity = capacity;
    }
    memcpy(t->data + t->length, bytes, n);
    t->length += n;
    t->data[t->length] = '\0';
}

static void append_str(text *t, const char *s) { append(t, s, strlen(s)); }

/* One batch of input lines and, per line, what it printed to stdout and stderr. */
typedef struct batch {
    char *lines[BATCH];
    size_t lengths[BATCH];
    size_t first_line_number;
    size_t count;
    text out[BATCH];
    text err[BATCH];
} batch;

typedef struct worker {
    const invigil_rules *rules; /* shared, read-only */
    invigil_scanner *scanner;   /* this thread's own */
    batch *batch;
    size_t index, stride;       /* this thread takes lines index, index + stride, ... */
    size_t findings, errors;
} worker;

static void report_findings(const invigil_scanner *s, size_t count, const char *fallback_id, text *out) {
    const char *id = fallback_id;
    size_t id_length = strlen(fallback_id);
    invigil_event_string(s, "id", 0, &id, &id_length); /* keeps the fallback if the event has no id */
    for (size_t i = 0; i < count; i++) {
        invigil_finding f;
        if (invigil_finding_at(s, i, &f) != INVIGIL_OK) continue;
        append(out, id, id_length);
        append_str(out, "\t");
        append_str(out, f.rule);
        append_str(out, "\t");
        append_str(out, f.severity);
        append_str(out, "\t");
        append_str(out, f.clauses[0] ? f.clauses : "-");
        append_str(out, "\t");
        append_str(out, f.message);
        if (f.action[0]) {
            append_str(out, " Action: ");
            append_str(out, f.action);
        }
        append_str(out, "\n");
        for (size_t m = 0; m < f.match_count; m++) {
            invigil_match match;
            const char *matched = "";
            size_t matched_length = 0;
            if (invigil_match_at(s, i, m, &match) != INVIGIL_OK) continue;
            invigil_match_text(s, i, m, &matched, &matched_length);
            char where[160];
            snprintf(where, sizeof where, "    %s[%zu] %zu-%zu %s: \"", match.field, match.value_index, match.start,
                     match.end, match.pattern);
            append_str(out, where);
            append(out, matched, matched_length);
            append_str(out, "\"\n");
        }
    }
}

static void *work(void *arg) {
    worker *w = (worker *)arg;
    batch *b = w->batch;
    for (size_t i = w->index; i < b->count; i += w->stride) {
        size_t line_number = b->first_line_number + i;
        size_t length = b->lengths[i];
        const char *line = b->lines[i];
        if (length > 0 && line[length - 1] == '\r') length--;
        if (strspn(line, " \t") >= length) continue; /* blank line */

        size_t count = 0;
        invigil_error *error = NULL;
        invigil_status st = invigil_scan_json(w->scanner, line, length, &count, &error);
        if (st != INVIGIL_OK) {
            char message[512];
            snprintf(message, sizeof message, "stdin:%zu:%u: %s: %s\n", line_number, invigil_error_column(error),
                     invigil_status_string(st), invigil_error_message(error));
            append_str(&b->err[i], message);
            invigil_error_free(error);
            w->errors++;
            continue;
        }
        char fallback[32];
        snprintf(fallback, sizeof fallback, "line-%zu", line_number);
        report_findings(w->scanner, count, fallback, &b->out[i]);
        w->findings += count;
    }
    return NULL;
}

static void usage(void) {
    fprintf(stderr, "usage: invigil-scan-jsonl [-t THREADS] RULES < events.jsonl\n");
    exit(2);
}

int main(int argc, char **argv) {
    long threads = sysconf(_SC_NPROCESSORS_ONLN);
    int opt;
    while ((opt = getopt(argc, argv, "t:h")) != -1) {
        if (opt == 't') threads = strtol(optarg, NULL, 10);
        else usage();
    }
    if (optind != argc - 1) usage();
    if (threads < 1) threads = 1;
    if (threads > MAX_THREADS) threads = MAX_THREADS;

    /* 1. Compile the rules once. */
    invigil_rules *rules = NULL;
    invigil_error *error = NULL;
    invigil_status st = invigil_rules_load(argv[optind], &rules, &error);
    if (st != INVIGIL_OK) {
        fprintf(stderr, "%s\n%s: %s\n", invigil_error_text(error), argv[optind], invigil_status_string(st));
        invigil_error_free(error);
        return 2;
    }
    fprintf(stderr, "invigil %s: %zu rules, %ld threads\n", invigil_version(), invigil_rules_count(rules), threads);

    /* 2. One scanner per thread, all sharing the rules. */
    worker workers[MAX_THREADS];
    memset(workers, 0, sizeof workers);
    for (long t = 0; t < threads; t++) {
        workers[t].rules = rules;
        workers[t].index = (size_t)t;
        workers[t].stride = (size_t)threads;
        if (invigil_scanner_new(rules, &workers[t].scanner) != INVIGIL_OK) return 2;
    }

    /* 3. Read a batch of lines, scan it on every thread, print it in input order, repeat. */
    batch *b = calloc(1, sizeof *b);
    if (!b) return 2;
    size_t line_number = 1, findings = 0, errors = 0;
    int more = 1;
    while (more) {
        b->first_line_number = line_number;
        b->count = 0;
        while (b->count < BATCH) {
            char *line = NULL;
            size_t capacity = 0;
            ssize_t n = getline(&line, &capacity, stdin);
            if (n < 0) {
                free(line);
                more = 0;
                break;
            }
            if (n > 0 && line[n - 1] == '\n') line[--n] = '\0';
            b->lines[b->count] = line;
            b->lengths[b->count] = (size_t)n;
            b->count++;
        }
        pthread_t ids[MAX_THREADS];
        for (long t = 0; t < threads; t++) {
            workers[t].batch = b;
            if (pthread_create(&ids[t], NULL, work, &workers[t]) != 0) return 2;
        }
        for (long t = 0; t < threads; t++) pthread_join(ids[t], NULL);
        for (size_t i = 0; i < b->count; i++) {
            if (b->err[i].length) fputs(b->err[i].data, stderr);
            if (b->out[i].length) fputs(b->out[i].data, stdout);
            b->out[i].length = b->err[i].length = 0;
            free(b->lines[i]);
        }
        line_number += b->count;
    }
    for (long t = 0; t < threads; t++) {
        findings += workers[t].findings;
        errors += workers[t].errors;
        invigil_scanner_free(workers[t].scanner);
    }
    for (size_t i = 0; i < BATCH; i++) {
        free(b->out[i].data);
        free(b->err[i].data);
    }
    free(b);
    invigil_rules_free(rules);
    fprintf(stderr, "%zu events, %zu findings, %zu rejected lines\n", line_number - 1, findings, errors);
    return errors ? 2 : findings ? 1 : 0;
}
