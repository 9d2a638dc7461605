/*
 * invigil.h: the C interface of Invigil, a policy engine for schools.
 *
 * Invigil compiles school-policy rule packs (the language of docs/rule-language.md) into one
 * phrase automaton plus predicate bytecode, and scans events (a post, a message, an email, a
 * web access: the fields of the event schema) against them.
 *
 * QUICK START
 *
 *     invigil_rules *rules = NULL;
 *     invigil_error *error = NULL;
 *     if (invigil_rules_load("packs", &rules, &error) != INVIGIL_OK) {
 *         fprintf(stderr, "%s\n", invigil_error_text(error));
 *         invigil_error_free(error);
 *         return 1;
 *     }
 *     invigil_scanner *s = NULL;
 *     invigil_scanner_new(rules, &s);                      // one per thread
 *     invigil_set_string(s, "author.role", "staff", 5);
 *     invigil_add_string(s, "recipients.role", "pupil", 5);
 *     invigil_set_string(s, "text", msg, msg_len);
 *     size_t n = 0;
 *     invigil_scan(s, &n);
 *     for (size_t i = 0; i < n; i++) {
 *         invigil_finding f;
 *         invigil_finding_at(s, i, &f);
 *         printf("%s [%s] %s\n", f.rule, f.severity, f.message);
 *     }
 *     invigil_scanner_reset(s);                            // before the next event
 *     ...
 *     invigil_scanner_free(s);
 *     invigil_rules_free(rules);
 *
 * CONVENTIONS (apply to every function below unless its own comment says otherwise)
 *
 *  - No function aborts, traps or exits the process on any input, including NULL pointers,
 *    out-of-range indices and invalid UTF-8: it returns a status (functions that return a
 *    string return "" or static text, functions that return a count return 0).
 *  - Strings passed in as (pointer, length) are UTF-8 with an explicit length: they need not be
 *    NUL-terminated and may contain NUL bytes. A NULL pointer with length 0 is the empty
 *    string; a NULL pointer with a non-zero length is INVIGIL_ERROR_ARGUMENT. Field names,
 *    paths and source names are NUL-terminated.
 *  - Strings returned by the library are NUL-terminated UTF-8 and owned by the library; never
 *    free them. Each function says how long they stay valid.
 *  - "Required" pointer arguments that are NULL give INVIGIL_ERROR_ARGUMENT and change nothing.
 *  - Out-parameters are written only as each function describes; on INVIGIL_ERROR_ARGUMENT
 *    caused by a NULL out-parameter nothing is written.
 *  - A length, size or index above SIZE_MAX / 2 (e.g. (size_t)-1 from a failed computation) is
 *    INVIGIL_ERROR_ARGUMENT. A length within that but beyond a documented limit (64 MiB for an
 *    event value or event JSON, 64 MiB of rule source, 2^48 bytes for a JSONL buffer) is
 *    INVIGIL_ERROR_LIMIT, returned before any byte of the buffer is read.
 *  - Memory: the engine cannot observe allocation failure (the Swift runtime ends the process
 *    when malloc fails), so INVIGIL_ERROR_MEMORY is reserved and not returned today.
 *
 * THREAD SAFETY
 *
 *  - invigil_rules is immutable after compilation. Any number of threads may use one rule set
 *    at the same time (invigil_scanner_new, invigil_rules_* queries), with no locking. Freeing
 *    it must not race with its use by another thread.
 *  - invigil_scanner holds one event and its findings. It must be used by one thread at a time
 *    (it may move between threads). Give each thread its own scanner; all may share one rule set.
 *    Sharing one by mistake is detected, not a crash: every scanner function claims the scanner
 *    with an atomic in-use flag on entry, and a call made while another thread is inside returns
 *    INVIGIL_ERROR_BUSY at once and changes nothing (functions returning a value return 0 or "").
 *    Calls that only read (invigil_finding_at, invigil_match_at, invigil_match_text,
 *    invigil_event_string, invigil_finding_match_total, invigil_scanner_timed_out,
 *    invigil_scanner_last_error) may run together; a call that changes the scanner (set, add,
 *    scan, reset, settings) excludes all others. invigil_scanner_free is not guarded: freeing a
 *    scanner another thread is using is undefined behaviour.
 *  - invigil_scan_interrupt may be called from any thread at any time while the scanner lives.
 *  - invigil_error is immutable; it may be read from any thread.
 *  - invigil_version, invigil_version_number and invigil_status_string are always safe.
 *
 * MISUSE THAT IS DETECTED
 *
 *  - NULL handles and NULL required pointers: INVIGIL_ERROR_ARGUMENT.
 *  - A handle of the wrong kind (a scanner passed where rules are expected, and so on) and a
 *    handle that was already freed, while its memory has not been reused: each handle carries
 *    a magic number that is checked on entry and cleared when it is freed. This is a best-effort
 *    check; using a freed handle is still undefined behaviour.
 *  - A scanner whose rule set has been freed: always detected. A scanner keeps the compiled rule
 *    set's memory alive until the scanner itself is freed, so every scanner function then
 *    returns INVIGIL_ERROR_ARGUMENT (invigil_scanner_free still frees it, and
 *    invigil_scanner_reset is a no-op) instead of reading freed memory.
 *
 * SIGNALS
 *
 *  The shared library built by CMake links the Swift runtime statically and installs no signal
 *  handlers. A build that links the Swift runtime dynamically (SwiftPM's libInvigilC.so) loads
 *  libswiftCore, whose backtracer installs handlers for SIGSEGV, SIGILL, SIGBUS, SIGABRT, SIGFPE
 *  and SIGTRAP where the host has none; set SWIFT_BACKTRACE=enable=no to prevent that.
 *
 * Compatible with C99 and C++.
 *
 * ABI: until 1.0 each minor version is its own ABI and has its own SONAME (libinvigil.so.0.1 for
 * 0.1.x), so a program never loads a library whose ABI differs from its header's; patch releases
 * keep the ABI. Within an ABI functions are only added; invigil_finding, invigil_match and
 * invigil_field keep their layout (new facts come through accessors); structs the caller fills
 * that may grow start with a caller-set `size`. A function to be removed is marked deprecated for
 * at least one minor version first. See docs/c-api.md, "ABI stability"; the ctest `abi_check`
 * compares symbols and layout with the committed baseline.
 */
#ifndef INVIGIL_H
#define INVIGIL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------------ */
/* Version                                                                                    */
/* ------------------------------------------------------------------------------------------ */

#define INVIGIL_VERSION_MAJOR 0
#define INVIGIL_VERSION_MINOR 1
#define INVIGIL_VERSION_PATCH 0
#define INVIGIL_VERSION_STRING "0.1.0"
/* MAJOR * 10000 + MINOR * 100 + PATCH, comparable with invigil_version_number(). */
#define INVIGIL_VERSION_NUMBER (INVIGIL_VERSION_MAJOR * 10000 + INVIGIL_VERSION_MINOR * 100 + INVIGIL_VERSION_PATCH)

/* ------------------------------------------------------------------------------------------ */
/* Status                                                                                     */
/* ------------------------------------------------------------------------------------------ */

typedef enum invigil_status {
    INVIGIL_OK             = 0,
    INVIGIL_ERROR_ARGUMENT = 1,  /* NULL pointer, bad length, misuse */
    INVIGIL_ERROR_SYNTAX   = 2,  /* rule source does not parse */
    INVIGIL_ERROR_RULES    = 3,  /* parses, but is invalid: unknown field, type mismatch, unknown phrase set, duplicate name */
    INVIGIL_ERROR_LIMIT    = 4,  /* a documented size or count limit is exceeded */
    INVIGIL_ERROR_IO       = 5,  /* a file could not be read */
    INVIGIL_ERROR_FIELD    = 6,  /* event field unknown to the rules' schema, or value of the wrong type */
    INVIGIL_ERROR_EVENT    = 7,  /* event JSON malformed */
    INVIGIL_ERROR_MEMORY   = 8,  /* reserved: not returned today (see CONVENTIONS) */
    INVIGIL_ERROR_BUSY        = 9,   /* the scanner is in use by another thread at this moment */
    INVIGIL_ERROR_INTERRUPTED = 10   /* the scan stopped early: its time budget ran out or it was
                                        interrupted; the findings so far are readable */
} invigil_status;

/*
 * The library's version, "MAJOR.MINOR.PATCH" (static text). It may differ from
 * INVIGIL_VERSION_STRING when a program runs against a newer shared library than the header it
 * was compiled with.
 */
const char *invigil_version(void);

/* The library's version as MAJOR * 10000 + MINOR * 100 + PATCH (see INVIGIL_VERSION_NUMBER). */
int invigil_version_number(void);

/*
 * A short English description of a status ("ok", "invalid argument", ...). Static text, never
 * NULL; an unknown value gives "unknown status".
 */
const char *invigil_status_string(invigil_status status);

/* ------------------------------------------------------------------------------------------ */
/* Opaque handles                                                                             */
/* ------------------------------------------------------------------------------------------ */

/* A compiled rule set. Immutable; share one among any number of threads. */
typedef struct invigil_rules invigil_rules;
/* Per-thread working state: the current event's fields, scratch space, its findings. */
typedef struct invigil_scanner invigil_scanner;
/* A compile or input error with its location; may hold several problems (invigil_error_next). */
typedef struct invigil_error invigil_error;

/* ------------------------------------------------------------------------------------------ */
/* Compiling                                                                                  */
/* ------------------------------------------------------------------------------------------ */

/*
 * Compiles rule source held in memory.
 *
 *  source, length  the rule language text (UTF-8). Required (NULL is allowed only with length 0).
 *  source_name     NUL-terminated name used in error locations. Required.
 *  out_rules       required. On success receives the new rule set, which the caller owns and
 *                  frees with invigil_rules_free. On failure receives NULL.
 *  out_error       may be NULL. On failure, if not NULL, receives an error describing every
 *                  problem found (the caller frees it with invigil_error_free); on success
 *                  receives NULL.
 *
 * Returns INVIGIL_OK; INVIGIL_ERROR_ARGUMENT (a required pointer is NULL); INVIGIL_ERROR_SYNTAX
 * (the text does not parse); INVIGIL_ERROR_RULES (it parses but is invalid: unknown field, type
 * mismatch, unknown phrase set, duplicate name); INVIGIL_ERROR_LIMIT (a limit of docs/limits.md
 * is exceeded, e.g. more than 64 MiB of source); INVIGIL_ERROR_IO (the source has an `include`:
 * this function reads no file, so every include is refused, with an error at the include; use
 * invigil_rules_compile_with_options to allow includes from a folder or a callback). When several
 * kinds of problem are found, the status is the most fundamental: IO, then SYNTAX, then LIMIT,
 * then RULES.
 *
 * Thread-safe: may be called from any number of threads at once.
 */
invigil_status invigil_rules_compile(const char *source, size_t length, const char *source_name,
                                     invigil_rules **out_rules, invigil_error **out_error);

/*
 * Loads and compiles a .rules file, or a folder: every .rules file in it and its subfolders, in
 * sorted (stable) order. Includes are resolved relative to each including file, and must stay
 * inside the folder given (for a file, the file's folder): `..` and absolute paths are refused,
 * and so is an include that a symbolic link leads out of the folder (refused before it is read).
 *
 *  path       NUL-terminated file or folder path. Required.
 *  out_rules  required; as for invigil_rules_compile.
 *  out_error  may be NULL; as for invigil_rules_compile.
 *
 * Returns the statuses of invigil_rules_compile; INVIGIL_ERROR_IO when the path (or an included
 * file) cannot be read.
 *
 * Thread-safe.
 */
invigil_status invigil_rules_load(const char *path, invigil_rules **out_rules, invigil_error **out_error);

/*
 * Frees a rule set. NULL is a no-op. Strings obtained from the rule set (rule names, messages,
 * field names, the string pointers in invigil_finding and invigil_match) become invalid once the
 * rule set is freed and no scanner made from it remains. Scanners made from it must still be
 * freed; until then every scanner function returns INVIGIL_ERROR_ARGUMENT.
 *
 * Must not be called while another thread is using the rule set.
 */
void invigil_rules_free(invigil_rules *rules);

/* Number of rules. 0 for NULL. Thread-safe. */
size_t invigil_rules_count(const invigil_rules *rules);

/* ------------------------------------------------------------------------------------------ */
/* Errors                                                                                     */
/* ------------------------------------------------------------------------------------------ */

/*
 * An invigil_error holds one or more problems. The handle you receive is the first problem;
 * invigil_error_next walks to the others. All strings returned stay valid until the (first)
 * error is freed. A NULL error gives "" / 0 from every accessor.
 */

/* The problem's message, e.g. "unknown field 'author.rol'; did you mean 'author.role'?". */
const char *invigil_error_message(const invigil_error *error);

/* The rule file or source_name it is in; "" if none (event errors, argument errors). */
const char *invigil_error_source(const invigil_error *error);

/* 1-based line; 0 if not applicable. For an event error, the line within the JSON given. */
uint32_t invigil_error_line(const invigil_error *error);

/* 1-based column in bytes; 0 if not applicable. For an event error, the column within the JSON. */
uint32_t invigil_error_column(const invigil_error *error);

/* Frees an error and all its problems. NULL is a no-op. Pass only the error you received, not
 * one returned by invigil_error_next (that is ignored). */
void invigil_error_free(invigil_error *error);

/* Extension: the status of the call that produced the error (never INVIGIL_OK for a non-NULL
 * error; INVIGIL_ERROR_ARGUMENT for NULL). */
invigil_status invigil_error_status(const invigil_error *error);

/* Extension: the next problem, or NULL after the last. Owned by the first error. */
const invigil_error *invigil_error_next(const invigil_error *error);

/* Extension: the number of problems in the chain starting at this error (0 for NULL). */
size_t invigil_error_count(const invigil_error *error);

/* Extension: for an event error, the byte offset into the JSON where the problem was found;
 * INVIGIL_NO_OFFSET otherwise. */
#define INVIGIL_NO_OFFSET ((size_t)-1)
size_t invigil_error_offset(const invigil_error *error);

/* Extension: every problem of the chain starting at this error, formatted as the `invigil`
 * command prints them: "file:line:col: error: message", the source line and a caret, one per
 * problem, separated by newlines. "" for NULL. */
const char *invigil_error_text(const invigil_error *error);

/* ------------------------------------------------------------------------------------------ */
/* Inspecting a rule set (extensions)                                                         */
/* ------------------------------------------------------------------------------------------ */

typedef struct invigil_finding invigil_finding;

/*
 * Fills *out with what rule `index` (0 .. invigil_rules_count - 1, in source order) says about
 * itself: the same fields a finding of that rule has, with match_count 0 and rule_index = index.
 * The strings stay valid until the rule set is freed.
 * Returns INVIGIL_OK; INVIGIL_ERROR_ARGUMENT (NULL, or index out of range). Thread-safe.
 */
invigil_status invigil_rules_rule_at(const invigil_rules *rules, size_t index, invigil_finding *out);

/* The declared type of an event field. */
typedef enum invigil_field_type {
    INVIGIL_FIELD_STRING = 0,  /* set with invigil_set_string */
    INVIGIL_FIELD_TEXT   = 1,  /* string scanned for phrases; set with invigil_set_string */
    INVIGIL_FIELD_BOOL   = 2,  /* invigil_set_bool */
    INVIGIL_FIELD_INT    = 3,  /* invigil_set_int */
    INVIGIL_FIELD_TIME   = 4,  /* invigil_set_string (ISO 8601) or invigil_set_int (seconds since 1970 UTC) */
    INVIGIL_FIELD_ENUM   = 5   /* invigil_set_string with one of the declared values */
} invigil_field_type;

typedef struct invigil_field {
    const char        *name;     /* dotted name, e.g. "recipients.role" */
    invigil_field_type type;
    int                is_list;  /* 1 for list fields (use invigil_add_*), else 0 */
} invigil_field;

/* Number of fields the rule set's schema declares. 0 for NULL. Thread-safe. */
size_t invigil_rules_field_count(const invigil_rules *rules);

/*
 * Fills *out with declared field `index` (0 .. invigil_rules_field_count - 1). The name stays
 * valid until the rule set is freed.
 * Returns INVIGIL_OK; INVIGIL_ERROR_ARGUMENT (NULL, or index out of range). Thread-safe.
 */
invigil_status invigil_rules_field_at(const invigil_rules *rules, size_t index, invigil_field *out);

/* ------------------------------------------------------------------------------------------ */
/* Scanning one event                                                                         */
/* ------------------------------------------------------------------------------------------ */

/*
 * Makes a scanner for a rule set. The scanner keeps the rule set's memory alive; free it with
 * invigil_scanner_free.
 *
 *  rules        required.
 *  out_scanner  required; receives the scanner, or NULL on failure.
 *
 * Returns INVIGIL_OK; INVIGIL_ERROR_ARGUMENT (NULL, or rules already freed). Thread-safe with
 * respect to the rule set: threads may make scanners from one rule set at the same time.
 */
invigil_status invigil_scanner_new(const invigil_rules *rules, invigil_scanner **out_scanner);

/* Frees a scanner. NULL is a no-op. Invalidates every pointer obtained from it. */
void invigil_scanner_free(invigil_scanner *scanner);

/*
 * Forgets the event (every field set) and its findings, keeping the scratch memory, so that the
 * next event can be set. NULL is a no-op; resetting twice is harmless.
 */
void invigil_scanner_reset(invigil_scanner *scanner);

/* Extension: the rule set a scanner was made from, or NULL (NULL scanner, or rules freed). */
const invigil_rules *invigil_scanner_rules(const invigil_scanner *scanner);

/*
 * Extension: why the last call that changed this scanner (set, add, scan, scan_json, scan_jsonl,
 * reset, settings) failed, e.g. "field 'recipients.family' is list bool, not a string"; "" if that
 * call succeeded (a successful call clears it), or for NULL, or while another thread is in the
 * scanner. Every failing call but INVIGIL_ERROR_BUSY sets it (BUSY leaves the scanner untouched);
 * for invigil_scan_json it holds the message of the invigil_error the call returned. Calls that
 * only read (invigil_finding_at ...) return their status and leave it as it was. Stays valid
 * until the next call that changes the scanner, or its free.
 */
const char *invigil_scanner_last_error(const invigil_scanner *scanner);

/*
 * Setting fields. Fields use the dotted names of the event schema (spec/event-schema.md), e.g.
 * "author.role", "text"; `field` is NUL-terminated and required.
 *
 * Fields stay set until invigil_scanner_reset (invigil_scan does not clear them), so reset the
 * scanner between events. Setting a field that is already set replaces its value; on a list
 * field, invigil_set_* replaces the whole list with one element.
 *
 * List fields: invigil_add_* appends an element. Lists of objects are declared field by field
 * (recipients.id, recipients.role, recipients.family ...): the n-th value added to each field of
 * such a group belongs to the n-th object, which `any recipients (...)` in a rule uses. To leave
 * a hole (a recipient without a role), use invigil_set_element_*.
 *
 * Each returns INVIGIL_OK; INVIGIL_ERROR_ARGUMENT (NULL scanner or field, value NULL with a
 * non-zero length, scanner's rules freed); INVIGIL_ERROR_FIELD (the field is not in the rule
 * set's schema; the value has the wrong type for the field: a string for a bool or int field, a
 * bool for a string field, a time that is not ISO 8601, an enum value the schema does not list;
 * invalid UTF-8 in a string; invigil_add_*
 * or invigil_set_element_* on a field that is not a list); INVIGIL_ERROR_LIMIT (the event would
 * hold more than 100,000 values or 64 MiB of text). On an error the event is unchanged except
 * that, for INVIGIL_ERROR_LIMIT, the value was not added.
 *
 * A field declared in the schema that no rule reads is accepted and ignored. For an enum field,
 * a value the schema does not list is INVIGIL_ERROR_FIELD. Values may contain NUL bytes. The
 * bytes are copied: the caller's buffer may be reused at once.
 */
invigil_status invigil_set_string(invigil_scanner *s, const char *field, const char *value, size_t length);
invigil_status invigil_add_string(invigil_scanner *s, const char *field, const char *value, size_t length); /* append to a list field */
invigil_status invigil_set_bool  (invigil_scanner *s, const char *field, int value);   /* non-zero is true */
invigil_status invigil_set_int   (invigil_scanner *s, const char *field, int64_t value); /* int field, or time field in seconds since 1970 UTC */

/* Extensions: append a bool or an int to a list field. */
invigil_status invigil_add_bool  (invigil_scanner *s, const char *field, int value);
invigil_status invigil_add_int   (invigil_scanner *s, const char *field, int64_t value);

/* Extensions: set a list field's value for object `element` of its group.
 *
 * "Element" means one thing throughout this header: the index (0-based, below 100,000) of an
 * object in a list of objects (recipients 0, 1, 2 ...; in JSON, the position in the list). A
 * value of a list field is identified by its *value index* (invigil_event_string,
 * invigil_match.value_index): the order in which the values were added.
 *
 * Setting an element of a field that already has a value replaces that value (the element then
 * still holds one value for the field; its value index is kept). Setting elements in increasing
 * order costs O(1); out of order, a search of the field's values. INVIGIL_ERROR_LIMIT if element
 * is 100,000 or more. */
invigil_status invigil_set_element_string(invigil_scanner *s, const char *field, size_t element,
                                          const char *value, size_t length);
invigil_status invigil_set_element_bool  (invigil_scanner *s, const char *field, size_t element, int value);
invigil_status invigil_set_element_int   (invigil_scanner *s, const char *field, size_t element, int64_t value);

/*
 * Evaluates every rule against the current event (the fields set since the last reset). Scanning
 * with no fields set is allowed. Findings replace those of the previous scan; scanning the same
 * event twice gives the same findings.
 *
 *  out_finding_count  required; receives the number of findings (0 on error; the findings made
 *                     so far for INVIGIL_ERROR_INTERRUPTED).
 *
 * Returns INVIGIL_OK; INVIGIL_ERROR_ARGUMENT (NULL, or the scanner's rules were freed);
 * INVIGIL_ERROR_BUSY; INVIGIL_ERROR_INTERRUPTED (the time budget ran out or
 * invigil_scan_interrupt was called: the findings so far are readable, later rules were not
 * evaluated).
 */
invigil_status invigil_scan(invigil_scanner *s, size_t *out_finding_count);

/*
 * Extension: a time budget for each scan of this scanner, in nanoseconds (0, the default: none).
 * When a scan runs out of it, the scan stops between fields, between 256 KiB windows of a field's
 * text and between rules; the findings made so far are kept, the scan returns
 * INVIGIL_ERROR_INTERRUPTED, and invigil_scanner_timed_out then returns 1. Protects a mail
 * gateway from an adversarial message. Returns INVIGIL_OK; INVIGIL_ERROR_ARGUMENT (NULL, rules
 * freed); INVIGIL_ERROR_BUSY.
 */
invigil_status invigil_scanner_set_time_budget(invigil_scanner *s, uint64_t nanoseconds);

/* Extension: 1 if the last scan of this scanner stopped because its time budget ran out, else 0
 * (also for NULL, and for a scan stopped by invigil_scan_interrupt). A scan that returned
 * INVIGIL_ERROR_INTERRUPTED was stopped by its budget when this returns 1, by an interrupt when
 * it returns 0. */
int invigil_scanner_timed_out(const invigil_scanner *s);

/*
 * Parses one event in the JSON form of spec/event-schema.md, replacing the current event
 * (as if after invigil_scanner_reset), then scans it. Fields the rule set does not declare are
 * ignored; `null` is the same as absent.
 *
 *  json, length       the event: one JSON object, UTF-8. Required (NULL only with length 0,
 *                     which is an empty event: INVIGIL_ERROR_EVENT).
 *  out_finding_count  required; receives the number of findings (0 on error).
 *  out_error          may be NULL. On failure, if not NULL, receives the error (with
 *                     invigil_error_offset, line and column into the JSON; free it with
 *                     invigil_error_free); on success receives NULL.
 *
 * Returns INVIGIL_OK; INVIGIL_ERROR_ARGUMENT (a required pointer is NULL, the scanner's rules
 * freed); INVIGIL_ERROR_EVENT (the JSON is malformed, not an object, not valid UTF-8,
 * or nested deeper than 64); INVIGIL_ERROR_FIELD (a declared field has a value of the wrong
 * type, e.g. a number for a string field, an object for a scalar); INVIGIL_ERROR_LIMIT (the JSON
 * is larger than 64 MiB, or the event holds more than 100,000 values: the same status as from
 * the setters); INVIGIL_ERROR_BUSY;
 * INVIGIL_ERROR_INTERRUPTED (as for invigil_scan: the event and the findings so far are kept, and
 * *out_error says which stopped it). On any other error the scanner holds no event and no
 * findings.
 */
invigil_status invigil_scan_json(invigil_scanner *s, const char *json, size_t length,
                                 size_t *out_finding_count, invigil_error **out_error);

/*
 * Extension: bulk JSONL. Called once per event line of invigil_scan_jsonl, after the line was
 * parsed and scanned. `line` is 1-based; `status` is what invigil_scan_json returned for it;
 * `error` describes a failed line and is valid only during the call (NULL on success). During the
 * call the scanner may be read (invigil_finding_at, invigil_match_at, invigil_event_string) but
 * not modified (a call that would modify it returns INVIGIL_ERROR_BUSY). Return 0 to continue,
 * non-zero to stop.
 */
typedef int (*invigil_jsonl_callback)(void *user, const invigil_scanner *s, size_t line,
                                      invigil_status status, size_t finding_count,
                                      const invigil_error *error);

/*
 * Extension: scans every line of a JSONL buffer (events separated by '\n'; a trailing '\r' is
 * ignored; lines holding only spaces and tabs are skipped but counted), calling `callback` for
 * each. A line that fails does not stop the scan.
 *
 *  s, callback     required.
 *  data, length    required (NULL only with length 0).
 *  user            passed to callback unchanged; may be NULL.
 *  out_lines       may be NULL; receives the number of lines read (including skipped blank
 *                  lines), up to the one where the callback stopped.
 *
 * Returns INVIGIL_OK (also when the callback stopped early); INVIGIL_ERROR_ARGUMENT;
 * INVIGIL_ERROR_LIMIT (length above 2^48); INVIGIL_ERROR_BUSY; INVIGIL_ERROR_INTERRUPTED
 * (invigil_scan_interrupt stopped a line's scan: the callback saw that line with this status and
 * no further line was read). A line whose time budget ran out reaches the callback with
 * INVIGIL_ERROR_INTERRUPTED and the scan goes on with the next line.
 * After it returns the scanner holds the last line's event.
 */
invigil_status invigil_scan_jsonl(invigil_scanner *s, const char *data, size_t length,
                                  invigil_jsonl_callback callback, void *user, size_t *out_lines);

/* ------------------------------------------------------------------------------------------ */
/* Reading findings                                                                           */
/* ------------------------------------------------------------------------------------------ */

struct invigil_finding {
    const char *rule;        /* qualified rule name, e.g. "woolhampton/staff-personal-contact" */
    const char *clauses;     /* clause ids it enforces, comma-separated, e.g. "WOOL-07,WOOL-08" */
    const char *severity;    /* "info", "advice", "breach", "serious", "critical" */
    int         level;       /* 0..4, same order */
    const char *action;      /* what the policy says must happen; "" if none */
    const char *message;     /* one sentence for a person */
    size_t      match_count; /* text spans that support the finding */
    size_t      rule_index;  /* extension: index of the rule, for invigil_rules_rule_at */
};

typedef struct invigil_match {
    const char *field;       /* e.g. "text" */
    size_t      start, end;  /* byte offsets into the value as it was given */
    const char *pattern;     /* the phrase set or detector that matched */
    size_t      value_index; /* extension: which element of a list field (0 for single values) */
} invigil_match;

/*
 * Fills *out with finding `index` (0 .. finding count - 1) of the last scan. Findings come in a
 * stable order: by rule order in the source.
 *
 * Every string in *out points into the rule set and stays valid until the rule set is freed and
 * no scanner of it remains (so at least until the next scan, reset or free of this scanner, as
 * the contract promises).
 *
 * Returns INVIGIL_OK; INVIGIL_ERROR_ARGUMENT (NULL, index out of range, scanner's rules freed).
 */
invigil_status invigil_finding_at(const invigil_scanner *s, size_t index, invigil_finding *out);

/*
 * Fills *out with match `match_index` (0 .. match_count - 1) of finding `finding_index`.
 * Offsets are byte offsets into the value as it was given (for invigil_scan_json, into the
 * decoded JSON string). Strings point into the rule set, as for invigil_finding_at.
 *
 * Returns INVIGIL_OK; INVIGIL_ERROR_ARGUMENT (NULL, an index out of range, rules freed).
 */
invigil_status invigil_match_at(const invigil_scanner *s, size_t finding_index, size_t match_index,
                                invigil_match *out);

/*
 * Extension: the matched text of a match (not NUL-terminated): *out_text points into the
 * scanner's copy of the event and stays valid until the next set, add, scan, reset or free of
 * this scanner. Returns INVIGIL_OK; INVIGIL_ERROR_ARGUMENT (NULL, index out of range, rules
 * freed).
 */
invigil_status invigil_match_text(const invigil_scanner *s, size_t finding_index, size_t match_index,
                                  const char **out_text, size_t *out_length);

/*
 * Extension: reads back a string, text, enum or time value of the current event, e.g. "id", by
 * its value index (0 for single values; for a list field, the order in which values were added,
 * which is not the element of invigil_set_element_*). Enum values give their name; time values give "" (their text
 * is not kept). *out_value (not NUL-terminated) stays valid until the next set, add, scan_json,
 * reset or free of this scanner.
 *
 * Returns INVIGIL_OK; INVIGIL_ERROR_ARGUMENT (NULL, element out of range: the field has fewer
 * values, or rules freed); INVIGIL_ERROR_FIELD (field not declared, or a bool or int field).
 */
invigil_status invigil_event_string(const invigil_scanner *s, const char *field, size_t value_index,
                                    const char **out_value, size_t *out_length);

/* ------------------------------------------------------------------------------------------ */
/* Compiled rule files (docs/compiled-format.md)                                              */
/* ------------------------------------------------------------------------------------------ */

/*
 * A rule set compiled once can be saved as bytes (the format of `invigil compile`) and loaded on
 * other machines without its sources and without compiling. A loaded rule set is the same kind
 * of object as a compiled one: it gives the same findings, is shared by threads, makes scanners,
 * and is freed with invigil_rules_free.
 *
 * Which files load: those of the same compiled-format version (see docs/compiled-format.md;
 * `invigil inspect FILE` shows a file's version). Any other version, a truncated or corrupted
 * file (checksums and every table are checked) or bytes that are not a compiled file at all are
 * refused with a status and an error naming what is wrong, never an abort.
 */

/*
 * Serialises a rule set (compiled or loaded).
 *
 *  rules    required.
 *  out      required. On success receives a buffer allocated by the library, which the caller
 *           owns and frees with invigil_buffer_free (not free()); NULL on failure.
 *  out_len  required. On success receives the buffer's length in bytes; 0 on failure.
 *
 * Returns INVIGIL_OK; INVIGIL_ERROR_ARGUMENT (a pointer is NULL, or rules is not a live rule
 * set). Thread-safe: any number of threads may save and scan the same rule set at once.
 */
invigil_status invigil_rules_save(const invigil_rules *rules, unsigned char **out, size_t *out_len);

/* Frees a buffer from invigil_rules_save. NULL is a no-op. Thread-safe. */
void invigil_buffer_free(unsigned char *buf);

/*
 * Loads a rule set from a compiled file held in memory.
 *
 *  buf, len   the file's bytes. Required (NULL is allowed only with len 0, which is refused:
 *             not a compiled file). The bytes are COPIED: the rule set keeps no reference to buf, which
 *             the caller may free or reuse as soon as the call returns.
 *  out_rules  required. On success receives the rule set (free with invigil_rules_free); on
 *             failure receives NULL.
 *  out_error  may be NULL. On failure, if not NULL, receives one error whose message says what is
 *             wrong, e.g. "truncated compiled rule file: the payload has 100 of 3457624 bytes",
 *             or, for another version, both versions (free with invigil_error_free); on success
 *             receives NULL.
 *
 * Returns INVIGIL_OK; INVIGIL_ERROR_ARGUMENT (out_rules NULL, or buf NULL with len > 0);
 * INVIGIL_ERROR_RULES (the bytes are refused: not a compiled rule file, truncated, corrupted,
 * another format version or byte order); INVIGIL_ERROR_LIMIT (len over 4 GiB).
 *
 * Thread-safe.
 */
invigil_status invigil_rules_load_compiled(const unsigned char *buf, size_t len,
                                           invigil_rules **out_rules, invigil_error **out_error);

/*
 * Loads a rule set from a compiled file on disk (the file is read whole and then closed; the
 * rule set keeps no reference to it). Told by content: path need not end in .ivg.
 *
 *  path       NUL-terminated path. Required.
 *  out_rules  required; as for invigil_rules_load_compiled.
 *  out_error  may be NULL; as for invigil_rules_load_compiled. invigil_error_source gives path.
 *
 * Returns the statuses of invigil_rules_load_compiled; INVIGIL_ERROR_IO when the file cannot
 * be read (missing, a folder, no permission).
 *
 * Thread-safe.
 */
invigil_status invigil_rules_load_compiled_file(const char *path, invigil_rules **out_rules,
                                                invigil_error **out_error);

/* ------------------------------------------------------------------------------------------ */
/* End of compiled rule files                                                                 */
/* ------------------------------------------------------------------------------------------ */

/* Field ids: look a field up once, then set values without its name                          */
/* ------------------------------------------------------------------------------------------ */

/*
 * A field of one rule set's schema. Ids are only valid with scanners of the rule set they were
 * looked up in: another rule set's scanner refuses them with INVIGIL_ERROR_ARGUMENT (an id
 * carries a tag of its rule set). 0 is never a valid id.
 */
typedef uint64_t invigil_field_id;

/*
 * Looks up a field by its dotted name. Returns INVIGIL_OK (*out_id set); INVIGIL_ERROR_ARGUMENT
 * (NULL, rules freed); INVIGIL_ERROR_FIELD (the schema does not declare it). Thread-safe.
 */
invigil_status invigil_field_lookup(const invigil_rules *rules, const char *field, invigil_field_id *out_id);

/*
 * The setters of "Setting fields" by field id: the same meaning, statuses and limits, except that
 * an id not of the scanner's rule set is INVIGIL_ERROR_ARGUMENT. They skip hashing the name (see
 * docs/performance.md for the gain).
 */
invigil_status invigil_set_string_id(invigil_scanner *s, invigil_field_id field, const char *value, size_t length);
invigil_status invigil_add_string_id(invigil_scanner *s, invigil_field_id field, const char *value, size_t length);
invigil_status invigil_set_bool_id  (invigil_scanner *s, invigil_field_id field, int value);
invigil_status invigil_add_bool_id  (invigil_scanner *s, invigil_field_id field, int value);
invigil_status invigil_set_int_id   (invigil_scanner *s, invigil_field_id field, int64_t value);
invigil_status invigil_add_int_id   (invigil_scanner *s, invigil_field_id field, int64_t value);

/* ------------------------------------------------------------------------------------------ */
/* The bundled packs                                                                          */
/* ------------------------------------------------------------------------------------------ */

/*
 * The folder of the bundled rule packs, for invigil_rules_load: the environment variable
 * INVIGIL_PACKS if set and not empty, else PREFIX/share/invigil/packs where `cmake --install`
 * put them beside the library (found from the library's own location, lib/ or lib/<multiarch>/),
 * else "" (not installed). Found once, on the first call; static text, never NULL. Thread-safe.
 */
const char *invigil_packs_folder(void);

/* ------------------------------------------------------------------------------------------ */
/* Explaining an event                                                                        */
/* ------------------------------------------------------------------------------------------ */

#define INVIGIL_EXPLAIN_JSON 1u  /* JSON instead of text */
#define INVIGIL_EXPLAIN_ALL  2u  /* every rule, not only those that fired or matched a phrase */

/*
 * Scans the current event (as invigil_scan does: the findings are replaced by the same ones)
 * and writes the trace `invigil explain` prints for it: each rule that fired or came close (a
 * phrase matched), or every rule with INVIGIL_EXPLAIN_ALL, with its condition tree, which
 * conditions held, and the matches counted. The text is byte for byte what the command prints
 * for the same event and rules; with INVIGIL_EXPLAIN_JSON it is one JSON object:
 * {"event", "findings", "rules": [{"rule", "fires", "severity", "clauses", "location",
 * "trace": [{"depth", "held", "text"}]}], "other_packs_skipped"}.
 *
 *  flags            0, or INVIGIL_EXPLAIN_JSON and/or INVIGIL_EXPLAIN_ALL.
 *  buffer, capacity the caller's buffer: receives at most capacity - 1 bytes and a NUL, like
 *                   snprintf. NULL with capacity 0 asks only for the length.
 *  out_length       may be NULL; receives the full length (without the NUL), whatever the
 *                   capacity: if it is >= capacity the text was cut; call again with a larger
 *                   buffer.
 *
 * Returns INVIGIL_OK; INVIGIL_ERROR_ARGUMENT (NULL scanner, rules freed, buffer NULL with a
 * non-zero capacity, unknown flags); INVIGIL_ERROR_BUSY; INVIGIL_ERROR_INTERRUPTED (the scan
 * stopped early: nothing is written).
 */
invigil_status invigil_explain(invigil_scanner *s, unsigned int flags, char *buffer, size_t capacity,
                               size_t *out_length);

/* ------------------------------------------------------------------------------------------ */
/* Compiling with includes (rule text from an untrusted source)                               */
/* ------------------------------------------------------------------------------------------ */

/*
 * Supplies the text of an included file, like libyara's include callback.
 *
 *  path           the include's path relative to the root of the rule set, normalised (no ".",
 *                 no ".."; includes with ".." or an absolute path are refused before the
 *                 callback is asked), e.g. "common/schema.rules" for `include "schema.rules"` in
 *                 "common/pack.rules".
 *  included_from  the including file's name (source_name for the top-level source).
 *  out_text, out_length  on success, the file's text (UTF-8, need not be NUL-terminated). The
 *                 library copies it before the callback is called again; the caller keeps
 *                 ownership (it may free it once invigil_rules_compile_with_options returns).
 *
 * Returns 0 to supply the text, non-zero to refuse the include (an INVIGIL_ERROR_IO error at the
 * include). Called on the compiling thread; a path it supplied is not asked for again (one it
 * refused is asked again by each include of it).
 */
typedef int (*invigil_include_resolver)(void *user, const char *path, const char *included_from,
                                        const char **out_text, size_t *out_length);

/*
 * Options of invigil_rules_compile_with_options. A struct that may grow: set `size` to
 * sizeof(invigil_compile_options) (as compiled against your header) and zero what you do not use;
 * a library newer than your header reads only the first `size` bytes and takes the later fields
 * as zero.
 */
typedef struct invigil_compile_options {
    size_t size;                   /* sizeof(invigil_compile_options). Required. */
    const char *include_folder;    /* NULL, or the folder includes are read from: the top-level
                                      source resolves against it, and no include leaves it (`..`,
                                      absolute paths and symbolic links out of it are refused
                                      before anything is read) */
    invigil_include_resolver include_resolver; /* NULL, or the callback that supplies includes */
    void *include_user;            /* passed to include_resolver unchanged */
} invigil_compile_options;

/*
 * invigil_rules_compile with options. With options NULL, or neither include_folder nor
 * include_resolver set, includes are refused as by invigil_rules_compile: no file is read unless
 * the caller allows it. A refused include fails the compile with INVIGIL_ERROR_IO, and no
 * diagnostic quotes a file the compile was not allowed to read.
 *
 * Returns the statuses of invigil_rules_compile; INVIGIL_ERROR_ARGUMENT also when options->size
 * is smaller than the first version of the struct (the size of `size` and the two include fields
 * and include_user) or both include_folder and include_resolver are set. Thread-safe (the
 * resolver is called on the calling thread).
 */
invigil_status invigil_rules_compile_with_options(const char *source, size_t length, const char *source_name,
                                                  const invigil_compile_options *options,
                                                  invigil_rules **out_rules, invigil_error **out_error);

/* ------------------------------------------------------------------------------------------ */
/* Hardening for gateways: interrupts, bounded memory per scan                                */
/* ------------------------------------------------------------------------------------------ */

/*
 * Asks the scan in progress on this scanner, if any, to stop: it returns
 * INVIGIL_ERROR_INTERRUPTED soon (it checks between fields, between 256 KiB windows of a field's
 * text, and every 16 rules), with the findings made so far readable. Safe from any thread and
 * from a signal handler, at any time while the scanner lives (not after invigil_scanner_free).
 * If no scan is in progress the call has no effect: a scan forgets earlier requests as it
 * starts. invigil_scanner_timed_out returns 0 after an interrupted scan. NULL is a no-op.
 * Like sqlite3_interrupt.
 */
void invigil_scan_interrupt(invigil_scanner *scanner);

/*
 * Bounded memory per scan. A scan counts every match of every phrase list, host list and
 * detector, so counts, thresholds and findings are always those of an unbounded scan, but it
 * stores at most `max_spans` match spans per event (INVIGIL_DEFAULT_MATCH_LIMIT unless set); a
 * finding's spans (invigil_match_at) are those of the stored ones that support it, in text
 * order. Memory for spans is then at most about max_spans * (20 + 40 * findings) bytes, and the
 * automaton's hits and normalisation origins are kept per 256 KiB window, so peak memory per
 * scanner is the event's own bytes plus a bounded amount, whatever the event holds.
 *
 * Once no more spans can be stored and every rule's count comparisons on a field are settled
 * (each count is above every constant it is compared with), the phrase passes over that field
 * stop early: counts are then lower bounds, flagged as truncated.
 *
 * invigil_scanner_set_match_limit: 0 .. INVIGIL_MAX_MATCH_LIMIT (0 stores none; findings still
 * come with their counts). Applies from the next scan. Returns INVIGIL_OK; INVIGIL_ERROR_ARGUMENT
 * (NULL, rules freed, max_spans above SIZE_MAX / 2); INVIGIL_ERROR_LIMIT (above
 * INVIGIL_MAX_MATCH_LIMIT; the setting is unchanged); INVIGIL_ERROR_BUSY.
 */
#define INVIGIL_DEFAULT_MATCH_LIMIT 4096
#define INVIGIL_MAX_MATCH_LIMIT 16777216
invigil_status invigil_scanner_set_match_limit(invigil_scanner *s, size_t max_spans);

/*
 * The number of spans that support finding `index` of the last scan, counted (*out_total, at
 * least its match_count), and whether its span list was cut (*out_truncated: 1 if spans were not
 * stored because of the match limit, or not looked for because a pass stopped early, in which
 * case *out_total is a lower bound; else 0). Either out pointer may be NULL.
 * Returns INVIGIL_OK; INVIGIL_ERROR_ARGUMENT (NULL scanner, index out of range, rules freed);
 * INVIGIL_ERROR_BUSY.
 */
invigil_status invigil_finding_match_total(const invigil_scanner *s, size_t index, size_t *out_total,
                                           int *out_truncated);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* INVIGIL_H */
