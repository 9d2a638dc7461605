/* C tests of include/invigil.h: every function, every status, misuse, threads, reuse.
 * Written against the header only, as a school's C developer would. */
#define _POSIX_C_SOURCE 200809L

#include "invigil_ctests.h"
#include "ctests_internal.h"
#include "invigil.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---------------------------------------------------------------------------------------- */
/* Harness                                                                                   */
/* ---------------------------------------------------------------------------------------- */

static int failures;
static const char *current_test = "";
static pthread_mutex_t run_lock = PTHREAD_MUTEX_INITIALIZER;

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

#define CHECK_STR(actual, expected)                                                                    \
    do {                                                                                               \
        const char *a_ = (actual);                                                                     \
        const char *e_ = (expected);                                                                   \
        if (a_ == NULL || strcmp(a_, e_) != 0) {                                                       \
            fprintf(stderr, "%s:%d: [%s] %s is \"%s\", expected \"%s\"\n", __FILE__, __LINE__,         \
                    current_test, #actual, a_ ? a_ : "(null)", e_);                                    \
            failures++;                                                                                \
        }                                                                                              \
    } while (0)

#define S(literal) literal, (sizeof(literal) - 1)

const char invigil_ctests_rules_source[] =
    "pack demo { code \"DEMO\" title \"Demo school\" }\n"
    "schema {\n"
    "    id: string\n"
    "    school: string\n"
    "    type: enum(post, direct_message, email, web_access)\n"
    "    time: time\n"
    "    author.role: enum(staff, pupil, parent)\n"
    "    recipients.role: list enum(staff, pupil, parent)\n"
    "    recipients.family: list bool\n"
    "    recipients.name: list string\n"
    "    approval: list string\n"
    "    subject: text\n"
    "    text: text\n"
    "    web.host: string\n"
    "    likes: int\n"
    "    urgent: bool\n"
    "    unused: string\n"
    "}\n"
    "phrases contact_offer { \"text me\" \"dm me\" \"add me on snap\" }\n"
    "phrases secrecy { match: substring \"don't tell\" \"our secret\" }\n"
    "hosts social { \"facebook.com\" \"instagram.com\" }\n"
    "schedule school_day { mon-fri 08:45-15:15 }\n"
    "rule staff-contact {\n"
    "    clauses DEMO-01, DEMO-02\n"
    "    severity serious\n"
    "    action \"Report to the Headteacher\"\n"
    "    message \"Staff must not give pupils personal contact details.\"\n"
    "    when author.role == staff and recipients.role == pupil\n"
    "     and (contact_offer in text or phone in text or email in text)\n"
    "}\n"
    "rule secrecy {\n"
    "    clauses DEMO-03\n"
    "    severity critical\n"
    "    message \"Secrecy language in a message.\"\n"
    "    when secrecy in text or secrecy in subject\n"
    "}\n"
    "rule social-in-school {\n"
    "    severity advice\n"
    "    message \"Social media during the school day.\"\n"
    "    when social in web.host and time in school_day\n"
    "}\n"
    "rule popular { severity info message \"Many likes.\" when likes >= 100 }\n"
    "rule urgent-pupil {\n"
    "    severity breach\n"
    "    message \"Urgent message to a pupil outside the family.\"\n"
    "    when urgent == true and any recipients (role == pupil and family != true)\n"
    "}\n";

static invigil_rules *compile_demo(void) {
    invigil_rules *rules = NULL;
    invigil_error *error = NULL;
    invigil_status st = invigil_rules_compile(invigil_ctests_rules_source, strlen(invigil_ctests_rules_source),
                                              "demo.rules", &rules, &error);
    if (st != INVIGIL_OK) {
        fprintf(stderr, "[%s] demo rules did not compile: %s\n", current_test, invigil_error_text(error));
        failures++;
    }
    invigil_error_free(error);
    return rules;
}

/* Finds the index of the finding of a rule, or -1. */
static long finding_of(const invigil_scanner *s, size_t count, const char *rule) {
    for (size_t i = 0; i < count; i++) {
        invigil_finding f;
        if (invigil_finding_at(s, i, &f) == INVIGIL_OK && strcmp(f.rule, rule) == 0) return (long)i;
    }
    return -1;
}

static char *temp_dir(void) {
    char *dir = malloc(64);
    snprintf(dir, 64, "/tmp/invigil-ctest-XXXXXX");
    if (!mkdtemp(dir)) {
        free(dir);
        return NULL;
    }
    return dir;
}

static int write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    fputs(text, f);
    fclose(f);
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Tests                                                                                     */
/* ---------------------------------------------------------------------------------------- */

static void test_version_and_status(void) {
    CHECK_STR(invigil_version(), INVIGIL_VERSION_STRING);
    CHECK(invigil_version_number() == INVIGIL_VERSION_NUMBER);
    CHECK_STR(invigil_status_string(INVIGIL_OK), "ok");
    for (int i = 0; i <= 10; i++) {
        const char *text = invigil_status_string((invigil_status)i);
        CHECK(text != NULL && text[0] != '\0');
        for (int j = 0; j < i; j++) CHECK(strcmp(text, invigil_status_string((invigil_status)j)) != 0);
    }
    CHECK_STR(invigil_status_string((invigil_status)11), "unknown status");
    CHECK_STR(invigil_status_string((invigil_status)1000), "unknown status");
    CHECK_STR(invigil_status_string((invigil_status)-1), "unknown status");
    CHECK(INVIGIL_OK == 0 && INVIGIL_ERROR_ARGUMENT == 1 && INVIGIL_ERROR_SYNTAX == 2 && INVIGIL_ERROR_RULES == 3 &&
          INVIGIL_ERROR_LIMIT == 4 && INVIGIL_ERROR_IO == 5 && INVIGIL_ERROR_FIELD == 6 && INVIGIL_ERROR_EVENT == 7 &&
          INVIGIL_ERROR_MEMORY == 8 && INVIGIL_ERROR_BUSY == 9 && INVIGIL_ERROR_INTERRUPTED == 10);
}

static void test_compile_and_inspect(void) {
    invigil_rules *rules = compile_demo();
    CHECK(rules != NULL);
    CHECK(invigil_rules_count(rules) == 5);
    invigil_finding info;
    CHECK_STATUS(invigil_rules_rule_at(rules, 0, &info), INVIGIL_OK);
    CHECK_STR(info.rule, "demo/staff-contact");
    CHECK_STR(info.clauses, "DEMO-01,DEMO-02");
    CHECK_STR(info.severity, "serious");
    CHECK(info.level == 3);
    CHECK_STR(info.action, "Report to the Headteacher");
    CHECK_STR(info.message, "Staff must not give pupils personal contact details.");
    CHECK(info.match_count == 0 && info.rule_index == 0);
    CHECK_STATUS(invigil_rules_rule_at(rules, 3, &info), INVIGIL_OK);
    CHECK_STR(info.rule, "demo/popular");
    CHECK_STR(info.clauses, "");
    CHECK_STR(info.action, "");
    CHECK_STR(info.severity, "info");
    CHECK(info.level == 0);
    CHECK_STATUS(invigil_rules_rule_at(rules, 5, &info), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_rules_rule_at(rules, (size_t)-1, &info), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_rules_rule_at(rules, 0, NULL), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_rules_rule_at(NULL, 0, &info), INVIGIL_ERROR_ARGUMENT);

    CHECK(invigil_rules_field_count(rules) == 15);
    invigil_field field;
    int saw_list_enum = 0, saw_text = 0;
    for (size_t i = 0; i < invigil_rules_field_count(rules); i++) {
        CHECK_STATUS(invigil_rules_field_at(rules, i, &field), INVIGIL_OK);
        CHECK(field.name != NULL && field.name[0] != '\0');
        if (strcmp(field.name, "recipients.role") == 0)
            saw_list_enum = field.type == INVIGIL_FIELD_ENUM && field.is_list == 1;
        if (strcmp(field.name, "text") == 0) saw_text = field.type == INVIGIL_FIELD_TEXT && field.is_list == 0;
        if (strcmp(field.name, "likes") == 0) CHECK(field.type == INVIGIL_FIELD_INT);
        if (strcmp(field.name, "urgent") == 0) CHECK(field.type == INVIGIL_FIELD_BOOL);
        if (strcmp(field.name, "time") == 0) CHECK(field.type == INVIGIL_FIELD_TIME);
        if (strcmp(field.name, "id") == 0) CHECK(field.type == INVIGIL_FIELD_STRING);
    }
    CHECK(saw_list_enum && saw_text);
    CHECK_STATUS(invigil_rules_field_at(rules, 15, &field), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_rules_field_at(rules, 0, NULL), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_rules_field_at(NULL, 0, &field), INVIGIL_ERROR_ARGUMENT);
    CHECK(invigil_rules_field_count(NULL) == 0);
    CHECK(invigil_rules_count(NULL) == 0);
    invigil_rules_free(rules);
    invigil_rules_free(NULL);
}

static void test_compile_errors(void) {
    invigil_rules *rules = (invigil_rules *)(uintptr_t)1; /* must be overwritten with NULL */
    invigil_error *error = NULL;

    /* Syntax: the location, the source name, the text. */
    const char *bad = "schema { text: text }\nrule r { severity info message \"m\" when ( }\n";
    CHECK_STATUS(invigil_rules_compile(bad, strlen(bad), "bad.rules", &rules, &error), INVIGIL_ERROR_SYNTAX);
    CHECK(rules == NULL);
    CHECK(error != NULL);
    CHECK(invigil_error_status(error) == INVIGIL_ERROR_SYNTAX);
    CHECK_STR(invigil_error_source(error), "bad.rules");
    CHECK(invigil_error_line(error) == 2);
    CHECK(invigil_error_column(error) > 0);
    CHECK(invigil_error_message(error)[0] != '\0');
    CHECK(strstr(invigil_error_text(error), "bad.rules:2:") != NULL);
    CHECK(invigil_error_count(error) >= 1);
    CHECK(invigil_error_offset(error) == INVIGIL_NO_OFFSET);
    invigil_error_free(error);
    error = NULL;

    /* Rules: unknown field, unknown phrase list; several problems chained. */
    const char *invalid = "schema { text: text }\n"
                          "rule a { severity info message \"m\" when author.rol == staff }\n"
                          "rule b { severity info message \"m\" when nosuchlist in text }\n";
    CHECK_STATUS(invigil_rules_compile(invalid, strlen(invalid), "invalid.rules", &rules, &error), INVIGIL_ERROR_RULES);
    CHECK(rules == NULL);
    CHECK(invigil_error_count(error) == 2);
    CHECK(strstr(invigil_error_message(error), "author.rol") != NULL);
    CHECK(invigil_error_line(error) == 2);
    const invigil_error *second = invigil_error_next(error);
    CHECK(second != NULL);
    CHECK(invigil_error_line(second) == 3);
    CHECK(strstr(invigil_error_message(second), "nosuchlist") != NULL);
    CHECK(invigil_error_status(second) == INVIGIL_ERROR_RULES);
    CHECK(invigil_error_next(second) == NULL);
    CHECK(invigil_error_count(second) == 1);
    CHECK(strstr(invigil_error_text(error), "invalid.rules:3:") != NULL); /* the head's text has every problem */
    invigil_error_free((invigil_error *)second);                          /* ignored: not the head */
    CHECK(invigil_error_line(second) == 3);
    invigil_error_free(error);
    error = NULL;

    /* Duplicate rule name. */
    const char *dup = "schema { text: text }\nrule a { severity info message \"m\" when exists(text) }\n"
                      "rule a { severity info message \"m\" when exists(text) }\n";
    CHECK_STATUS(invigil_rules_compile(dup, strlen(dup), "dup.rules", &rules, NULL), INVIGIL_ERROR_RULES);

    /* out_error may be NULL. */
    CHECK_STATUS(invigil_rules_compile(bad, strlen(bad), "bad.rules", &rules, NULL), INVIGIL_ERROR_SYNTAX);

    /* Empty source: an empty rule set. NULL source with length 0 is the empty string. */
    CHECK_STATUS(invigil_rules_compile("", 0, "empty.rules", &rules, &error), INVIGIL_OK);
    CHECK(rules != NULL && error == NULL && invigil_rules_count(rules) == 0);
    invigil_rules_free(rules);
    CHECK_STATUS(invigil_rules_compile(NULL, 0, "empty.rules", &rules, NULL), INVIGIL_OK);
    invigil_rules_free(rules);

    /* NUL byte and invalid UTF-8 inside the source: errors, not crashes. */
    const char nul[] = "schema { text: text }\0rule";
    invigil_status st = invigil_rules_compile(nul, sizeof(nul) - 1, "nul.rules", &rules, &error);
    CHECK(st == INVIGIL_ERROR_SYNTAX && rules == NULL);
    invigil_error_free(error);
    error = NULL;
    const char utf[] = "schema { text: text }\nphrases p { \"\xff\xfe\" }\n";
    st = invigil_rules_compile(utf, sizeof(utf) - 1, "utf.rules", &rules, NULL);
    CHECK(st == INVIGIL_ERROR_SYNTAX || st == INVIGIL_ERROR_RULES);

    /* Misuse. */
    CHECK_STATUS(invigil_rules_compile(invigil_ctests_rules_source, 10, "x", NULL, &error), INVIGIL_ERROR_ARGUMENT);
    CHECK(invigil_error_status(error) == INVIGIL_ERROR_ARGUMENT);
    CHECK(strstr(invigil_error_message(error), "out_rules") != NULL);
    invigil_error_free(error);
    CHECK_STATUS(invigil_rules_compile(NULL, 10, "x", &rules, NULL), INVIGIL_ERROR_ARGUMENT);
    CHECK(rules == NULL);
    CHECK_STATUS(invigil_rules_compile("", 0, NULL, &rules, NULL), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_rules_compile("", (size_t)-1, "x", &rules, NULL), INVIGIL_ERROR_ARGUMENT);
    /* Over the size limit: refused before the bytes are read. */
    CHECK_STATUS(invigil_rules_compile("", (size_t)65 << 20, "big", &rules, &error), INVIGIL_ERROR_LIMIT);
    CHECK(invigil_error_status(error) == INVIGIL_ERROR_LIMIT);
    invigil_error_free(error);

    /* Null errors give empty answers. */
    CHECK_STR(invigil_error_message(NULL), "");
    CHECK_STR(invigil_error_source(NULL), "");
    CHECK_STR(invigil_error_text(NULL), "");
    CHECK(invigil_error_line(NULL) == 0 && invigil_error_column(NULL) == 0);
    CHECK(invigil_error_next(NULL) == NULL && invigil_error_count(NULL) == 0);
    CHECK(invigil_error_status(NULL) == INVIGIL_ERROR_ARGUMENT);
    CHECK(invigil_error_offset(NULL) == INVIGIL_NO_OFFSET);
    invigil_error_free(NULL);
}

static void test_load(void) {
    char *dir = temp_dir();
    CHECK(dir != NULL);
    if (!dir) return;
    char path[320], sub[256], path2[320], broken[320];
    snprintf(path, sizeof path, "%s/demo.rules", dir);
    CHECK(write_file(path, invigil_ctests_rules_source) == 0);

    invigil_rules *rules = NULL;
    invigil_error *error = NULL;
    CHECK_STATUS(invigil_rules_load(path, &rules, &error), INVIGIL_OK);
    CHECK(rules != NULL && error == NULL);
    CHECK(invigil_rules_count(rules) == 5);
    invigil_rules_free(rules);

    /* A folder: every .rules file in it and its subfolders; other files ignored. */
    snprintf(sub, sizeof sub, "%s/more", dir);
    CHECK(mkdir(sub, 0700) == 0);
    snprintf(path2, sizeof path2, "%s/more/extra.rules", dir);
    CHECK(write_file(path2, "pack extra { title \"Extra\" }\nrule loud { severity advice message \"Shouting.\" when exists(text) }\n") == 0);
    snprintf(broken, sizeof broken, "%s/notes.txt", dir);
    CHECK(write_file(broken, "not rules at all {{{") == 0);
    CHECK_STATUS(invigil_rules_load(dir, &rules, &error), INVIGIL_OK);
    if (error) fprintf(stderr, "%s\n", invigil_error_text(error));
    invigil_error_free(error);
    CHECK(invigil_rules_count(rules) == 6);
    invigil_finding info;
    int found = 0;
    for (size_t i = 0; i < invigil_rules_count(rules); i++)
        if (invigil_rules_rule_at(rules, i, &info) == INVIGIL_OK && strcmp(info.rule, "extra/loud") == 0) found = 1;
    CHECK(found);
    invigil_rules_free(rules);

    /* A missing file: IO, with the path as the source. */
    char missing[256];
    snprintf(missing, sizeof missing, "%s/missing.rules", dir);
    CHECK_STATUS(invigil_rules_load(missing, &rules, &error), INVIGIL_ERROR_IO);
    CHECK(rules == NULL && error != NULL);
    CHECK(invigil_error_status(error) == INVIGIL_ERROR_IO);
    invigil_error_free(error);
    error = NULL;

    /* An include that escapes its folder is refused. */
    snprintf(broken, sizeof broken, "%s/escape.rules", sub);
    CHECK(write_file(broken, "include \"../demo.rules\"\n") == 0);
    CHECK(invigil_rules_load(broken, &rules, NULL) != INVIGIL_OK);
    CHECK(rules == NULL);

    CHECK_STATUS(invigil_rules_load(NULL, &rules, NULL), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_rules_load(path, NULL, NULL), INVIGIL_ERROR_ARGUMENT);

    unlink(broken);
    unlink(path2);
    rmdir(sub);
    snprintf(broken, sizeof broken, "%s/notes.txt", dir);
    unlink(broken);
    unlink(path);
    rmdir(dir);
    free(dir);
}

static void test_scanner_lifecycle(void) {
    invigil_rules *rules = compile_demo();
    invigil_scanner *s = (invigil_scanner *)(uintptr_t)1;
    CHECK_STATUS(invigil_scanner_new(NULL, &s), INVIGIL_ERROR_ARGUMENT);
    CHECK(s == NULL);
    CHECK_STATUS(invigil_scanner_new(rules, NULL), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_scanner_new(rules, &s), INVIGIL_OK);
    CHECK(s != NULL);
    CHECK(invigil_scanner_rules(s) == rules);
    CHECK(invigil_scanner_rules(NULL) == NULL);

    /* Scanning with no fields set. */
    size_t n = 99;
    CHECK_STATUS(invigil_scan(s, &n), INVIGIL_OK);
    CHECK(n == 0);
    CHECK_STATUS(invigil_scan(s, NULL), INVIGIL_ERROR_ARGUMENT);
    n = 99;
    CHECK_STATUS(invigil_scan(NULL, &n), INVIGIL_ERROR_ARGUMENT);
    CHECK(n == 0);

    /* Double reset, reset of NULL. */
    invigil_scanner_reset(s);
    invigil_scanner_reset(s);
    invigil_scanner_reset(NULL);
    CHECK_STATUS(invigil_scan(s, &n), INVIGIL_OK);
    CHECK(n == 0);

    /* A handle of the wrong kind is refused. */
    CHECK(invigil_rules_count((const invigil_rules *)s) == 0);
    CHECK_STATUS(invigil_scan((invigil_scanner *)rules, &n), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_set_string((invigil_scanner *)rules, "text", S("x")), INVIGIL_ERROR_ARGUMENT);
    CHECK_STR(invigil_error_message((const invigil_error *)rules), "");
    invigil_error_free((invigil_error *)s);   /* ignored */
    invigil_scanner_free((invigil_scanner *)rules); /* ignored */
    invigil_rules_free((invigil_rules *)s);   /* ignored */
    CHECK(invigil_rules_count(rules) == 5);

    invigil_scanner_free(s);
    invigil_scanner_free(NULL);
    invigil_rules_free(rules);
}

static void test_set_fields(void) {
    invigil_rules *rules = compile_demo();
    invigil_scanner *s = NULL;
    CHECK_STATUS(invigil_scanner_new(rules, &s), INVIGIL_OK);
    CHECK_STR(invigil_scanner_last_error(s), "");

    CHECK_STATUS(invigil_set_string(s, "text", S("hello")), INVIGIL_OK);
    CHECK_STATUS(invigil_set_string(s, "author.role", S("staff")), INVIGIL_OK);
    CHECK_STATUS(invigil_set_string(s, "author.role", S("janitor")), INVIGIL_ERROR_FIELD); /* not a listed value */
    CHECK(strstr(invigil_scanner_last_error(s), "janitor") != NULL);
    CHECK_STATUS(invigil_set_string(s, "unused", S("declared, read by no rule")), INVIGIL_OK);
    CHECK_STATUS(invigil_set_string(s, "time", S("2024-03-05T12:40:00+00:00")), INVIGIL_OK);
    CHECK_STATUS(invigil_set_int(s, "time", 1709642400), INVIGIL_OK);
    CHECK_STATUS(invigil_set_int(s, "likes", -5), INVIGIL_OK);
    CHECK_STATUS(invigil_set_bool(s, "urgent", 42), INVIGIL_OK);
    CHECK_STATUS(invigil_add_string(s, "recipients.role", S("pupil")), INVIGIL_OK);
    CHECK_STATUS(invigil_add_bool(s, "recipients.family", 0), INVIGIL_OK);
    CHECK_STATUS(invigil_add_string(s, "approval", S("headteacher_access")), INVIGIL_OK);
    CHECK_STATUS(invigil_set_element_string(s, "recipients.name", 3, S("Sam")), INVIGIL_OK);
    CHECK_STATUS(invigil_set_element_bool(s, "recipients.family", 1, 1), INVIGIL_OK);
    CHECK_STATUS(invigil_set_string(s, "approval", S("replaces the list")), INVIGIL_OK);

    /* Empty values, NUL bytes inside values. */
    CHECK_STATUS(invigil_set_string(s, "subject", NULL, 0), INVIGIL_OK);
    CHECK_STATUS(invigil_set_string(s, "subject", "", 0), INVIGIL_OK);
    CHECK_STATUS(invigil_set_string(s, "text", S("before\0after")), INVIGIL_OK);

    /* FIELD: unknown field, wrong types, invalid UTF-8, list operations on scalars. */
    CHECK_STATUS(invigil_set_string(s, "author.rol", S("staff")), INVIGIL_ERROR_FIELD);
    CHECK(strstr(invigil_scanner_last_error(s), "author.rol") != NULL);
    CHECK_STATUS(invigil_set_string(s, "", S("x")), INVIGIL_ERROR_FIELD);
    CHECK_STATUS(invigil_set_string(s, "\xff\xfe", S("x")), INVIGIL_ERROR_FIELD);
    CHECK_STATUS(invigil_set_string(s, "likes", S("12")), INVIGIL_ERROR_FIELD);
    CHECK_STATUS(invigil_set_string(s, "urgent", S("true")), INVIGIL_ERROR_FIELD);
    CHECK_STATUS(invigil_set_bool(s, "text", 1), INVIGIL_ERROR_FIELD);
    CHECK(strstr(invigil_scanner_last_error(s), "text") != NULL);
    CHECK_STATUS(invigil_set_int(s, "text", 1), INVIGIL_ERROR_FIELD);
    CHECK_STATUS(invigil_set_int(s, "urgent", 1), INVIGIL_ERROR_FIELD);
    CHECK_STATUS(invigil_set_bool(s, "likes", 1), INVIGIL_ERROR_FIELD);
    CHECK_STATUS(invigil_set_string(s, "time", S("yesterday")), INVIGIL_ERROR_FIELD);
    CHECK_STATUS(invigil_set_string(s, "text", S("bad \xc3\x28 utf8")), INVIGIL_ERROR_FIELD);
    CHECK_STATUS(invigil_set_string(s, "text", S("\xed\xa0\x80 surrogate")), INVIGIL_ERROR_FIELD);
    CHECK_STATUS(invigil_set_string(s, "author.role", S("\xff")), INVIGIL_ERROR_FIELD);
    CHECK_STATUS(invigil_add_string(s, "text", S("not a list")), INVIGIL_ERROR_FIELD);
    CHECK_STATUS(invigil_add_bool(s, "urgent", 1), INVIGIL_ERROR_FIELD);
    CHECK_STATUS(invigil_add_int(s, "likes", 1), INVIGIL_ERROR_FIELD);
    CHECK_STATUS(invigil_add_int(s, "recipients.role", 1), INVIGIL_ERROR_FIELD);
    CHECK_STATUS(invigil_add_string(s, "recipients.family", S("yes")), INVIGIL_ERROR_FIELD);
    CHECK_STATUS(invigil_set_element_string(s, "text", 0, S("x")), INVIGIL_ERROR_FIELD);
    CHECK_STATUS(invigil_set_element_bool(s, "urgent", 0, 1), INVIGIL_ERROR_FIELD);

    /* LIMIT: element index too large. */
    CHECK_STATUS(invigil_set_element_string(s, "recipients.name", 100000, S("x")), INVIGIL_ERROR_LIMIT);
    CHECK_STATUS(invigil_set_element_bool(s, "recipients.family", 1u << 30, 1), INVIGIL_ERROR_LIMIT);
    CHECK(strstr(invigil_scanner_last_error(s), "limit") != NULL);

    /* ARGUMENT: NULL scanner, NULL field, NULL value with a length, absurd lengths. */
    CHECK_STATUS(invigil_set_string(NULL, "text", S("x")), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_set_string(s, NULL, S("x")), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_set_string(s, "text", NULL, 5), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_set_string(s, "text", "x", (size_t)-1), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_add_string(NULL, "approval", S("x")), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_add_string(s, NULL, S("x")), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_add_string(s, "approval", NULL, 1), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_set_bool(NULL, "urgent", 1), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_set_bool(s, NULL, 1), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_set_int(NULL, "likes", 1), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_set_int(s, NULL, 1), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_add_bool(NULL, "recipients.family", 1), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_add_int(s, NULL, 1), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_set_element_string(NULL, "recipients.name", 0, S("x")), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_set_element_string(s, "recipients.name", (size_t)-1, S("x")), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_set_element_string(s, "recipients.name", 0, NULL, 3), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_set_element_bool(NULL, "recipients.family", 0, 1), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_set_element_bool(s, NULL, 0, 1), INVIGIL_ERROR_ARGUMENT);

    /* LIMIT: more than 100,000 values in one event. */
    invigil_scanner_reset(s);
    invigil_status st = INVIGIL_OK;
    size_t added = 0;
    while (st == INVIGIL_OK && added < 200000) {
        st = invigil_add_string(s, "approval", S("a"));
        added++;
    }
    CHECK(st == INVIGIL_ERROR_LIMIT);
    CHECK(added > 1000 && added <= 100001);
    invigil_scanner_reset(s);
    CHECK_STATUS(invigil_add_string(s, "approval", S("fine again")), INVIGIL_OK);

    /* Reading values back. */
    invigil_scanner_reset(s);
    const char *value = NULL;
    size_t length = 0;
    CHECK_STATUS(invigil_set_string(s, "id", S("evt-1\0x")), INVIGIL_OK);
    CHECK_STATUS(invigil_event_string(s, "id", 0, &value, &length), INVIGIL_OK);
    CHECK(length == 7 && memcmp(value, "evt-1\0x", 7) == 0);
    CHECK_STATUS(invigil_set_string(s, "author.role", S("parent")), INVIGIL_OK);
    CHECK_STATUS(invigil_event_string(s, "author.role", 0, &value, &length), INVIGIL_OK);
    CHECK(length == 6 && memcmp(value, "parent", 6) == 0);
    CHECK_STATUS(invigil_add_string(s, "recipients.role", S("pupil")), INVIGIL_OK);
    CHECK_STATUS(invigil_add_string(s, "recipients.role", S("staff")), INVIGIL_OK);
    CHECK_STATUS(invigil_event_string(s, "recipients.role", 1, &value, &length), INVIGIL_OK);
    CHECK(length == 5 && memcmp(value, "staff", 5) == 0);
    CHECK_STATUS(invigil_event_string(s, "recipients.role", 2, &value, &length), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_event_string(s, "text", 0, &value, &length), INVIGIL_ERROR_ARGUMENT); /* not set */
    CHECK_STATUS(invigil_set_string(s, "text", NULL, 0), INVIGIL_OK);
    CHECK_STATUS(invigil_event_string(s, "text", 0, &value, &length), INVIGIL_OK);
    CHECK(length == 0 && value != NULL);
    CHECK_STATUS(invigil_set_bool(s, "urgent", 1), INVIGIL_OK);
    CHECK_STATUS(invigil_event_string(s, "urgent", 0, &value, &length), INVIGIL_ERROR_FIELD);
    CHECK_STATUS(invigil_event_string(s, "nosuch", 0, &value, &length), INVIGIL_ERROR_FIELD);
    CHECK_STATUS(invigil_event_string(s, "id", 0, NULL, &length), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_event_string(s, "id", 0, &value, NULL), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_event_string(s, NULL, 0, &value, &length), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_event_string(NULL, "id", 0, &value, &length), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_event_string(s, "id", (size_t)-1, &value, &length), INVIGIL_ERROR_ARGUMENT);

    invigil_scanner_free(s);
    invigil_rules_free(rules);
}

static void set_contact_event(invigil_scanner *s) {
    invigil_scanner_reset(s);
    invigil_set_string(s, "id", S("evt-contact"));
    invigil_set_string(s, "type", S("direct_message"));
    invigil_set_string(s, "author.role", S("staff"));
    invigil_add_string(s, "recipients.role", S("pupil"));
    invigil_set_string(s, "text", S("Text me on 07700 900123 or dm me, it's our secret"));
}

static void test_findings(void) {
    invigil_rules *rules = compile_demo();
    invigil_scanner *s = NULL;
    CHECK_STATUS(invigil_scanner_new(rules, &s), INVIGIL_OK);
    set_contact_event(s);
    size_t n = 0;
    CHECK_STATUS(invigil_scan(s, &n), INVIGIL_OK);
    CHECK(n == 2);

    invigil_finding f;
    CHECK_STATUS(invigil_finding_at(s, 0, &f), INVIGIL_OK);
    CHECK_STR(f.rule, "demo/staff-contact"); /* rule order in the source */
    CHECK_STR(f.clauses, "DEMO-01,DEMO-02");
    CHECK_STR(f.severity, "serious");
    CHECK(f.level == 3);
    CHECK_STR(f.action, "Report to the Headteacher");
    CHECK_STR(f.message, "Staff must not give pupils personal contact details.");
    CHECK(f.rule_index == 0);
    CHECK(f.match_count == 3); /* "Text me", the phone number, "dm me" */
    int saw_phone = 0, saw_offer = 0;
    for (size_t m = 0; m < f.match_count; m++) {
        invigil_match match;
        CHECK_STATUS(invigil_match_at(s, 0, m, &match), INVIGIL_OK);
        CHECK_STR(match.field, "text");
        CHECK(match.value_index == 0);
        CHECK(match.start < match.end);
        const char *text = NULL;
        size_t length = 0;
        CHECK_STATUS(invigil_match_text(s, 0, m, &text, &length), INVIGIL_OK);
        CHECK(length == match.end - match.start);
        if (strcmp(match.pattern, "phone") == 0) {
            saw_phone = 1;
            CHECK(match.start == 11 && match.end == 23);
            CHECK(length == 12 && memcmp(text, "07700 900123", 12) == 0);
        }
        if (strcmp(match.pattern, "contact_offer") == 0 && match.start == 0) {
            saw_offer = 1;
            CHECK(length == 7 && memcmp(text, "Text me", 7) == 0);
        }
    }
    CHECK(saw_phone && saw_offer);

    CHECK_STATUS(invigil_finding_at(s, 1, &f), INVIGIL_OK);
    CHECK_STR(f.rule, "demo/secrecy");
    CHECK_STR(f.severity, "critical");
    CHECK(f.level == 4);
    CHECK(f.match_count == 1);
    invigil_match match;
    CHECK_STATUS(invigil_match_at(s, 1, 0, &match), INVIGIL_OK);
    CHECK_STR(match.pattern, "secrecy");

    /* Out of range and NULL. */
    CHECK_STATUS(invigil_finding_at(s, 2, &f), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_finding_at(s, (size_t)-1, &f), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_finding_at(s, 0, NULL), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_finding_at(NULL, 0, &f), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_match_at(s, 1, 1, &match), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_match_at(s, 2, 0, &match), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_match_at(s, 0, (size_t)-1, &match), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_match_at(s, 0, 0, NULL), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_match_at(NULL, 0, 0, &match), INVIGIL_ERROR_ARGUMENT);
    const char *text = NULL;
    size_t length = 0;
    CHECK_STATUS(invigil_match_text(s, 0, 9, &text, &length), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_match_text(s, 0, 0, NULL, &length), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_match_text(s, 0, 0, &text, NULL), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_match_text(NULL, 0, 0, &text, &length), INVIGIL_ERROR_ARGUMENT);

    /* Reset forgets the findings. */
    invigil_scanner_reset(s);
    CHECK_STATUS(invigil_finding_at(s, 0, &f), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_scan(s, &n), INVIGIL_OK);
    CHECK(n == 0);

    /* Other rules: host list + schedule, int threshold, any group with elements. */
    invigil_set_string(s, "web.host", S("M.Facebook.com"));
    invigil_set_string(s, "time", S("2024-03-05T10:00:00+00:00")); /* a Tuesday, in the school day */
    invigil_set_int(s, "likes", 100);
    CHECK_STATUS(invigil_scan(s, &n), INVIGIL_OK);
    CHECK(n == 2);
    CHECK(finding_of(s, n, "demo/social-in-school") == 0);
    CHECK(finding_of(s, n, "demo/popular") == 1);
    invigil_set_string(s, "time", S("2024-03-05T18:00:00+00:00"));
    invigil_set_int(s, "likes", 99);
    CHECK_STATUS(invigil_scan(s, &n), INVIGIL_OK);
    CHECK(n == 0);

    /* any recipients (role == pupil and family != true): elements pair up across fields. */
    invigil_scanner_reset(s);
    invigil_set_bool(s, "urgent", 1);
    invigil_add_string(s, "recipients.role", S("pupil"));
    invigil_add_bool(s, "recipients.family", 1);
    invigil_add_string(s, "recipients.role", S("parent"));
    invigil_add_bool(s, "recipients.family", 0);
    CHECK_STATUS(invigil_scan(s, &n), INVIGIL_OK);
    CHECK(n == 0); /* the pupil is family; the non-family one is a parent */
    invigil_add_string(s, "recipients.role", S("pupil"));
    invigil_add_bool(s, "recipients.family", 0);
    CHECK_STATUS(invigil_scan(s, &n), INVIGIL_OK);
    CHECK(n == 1 && finding_of(s, n, "demo/urgent-pupil") == 0);
    invigil_scanner_reset(s);
    invigil_set_bool(s, "urgent", 1);
    CHECK_STATUS(invigil_set_element_string(s, "recipients.role", 2, S("pupil")), INVIGIL_OK);
    CHECK_STATUS(invigil_set_element_bool(s, "recipients.family", 2, 0), INVIGIL_OK);
    CHECK_STATUS(invigil_set_element_bool(s, "recipients.family", 0, 0), INVIGIL_OK);
    CHECK_STATUS(invigil_scan(s, &n), INVIGIL_OK);
    CHECK(n == 1);
    invigil_scanner_reset(s);
    invigil_set_bool(s, "urgent", 1);
    CHECK_STATUS(invigil_set_element_string(s, "recipients.role", 2, S("pupil")), INVIGIL_OK);
    CHECK_STATUS(invigil_set_element_bool(s, "recipients.family", 1, 0), INVIGIL_OK);
    CHECK_STATUS(invigil_scan(s, &n), INVIGIL_OK);
    CHECK(n == 0); /* element 2 has no family value; element 1 no role */

    invigil_scanner_free(s);
    invigil_rules_free(rules);
}

static uint64_t findings_digest(const invigil_scanner *s, size_t n);

static void test_reuse_is_stable(void) {
    invigil_rules *rules = compile_demo();
    invigil_scanner *s = NULL;
    CHECK_STATUS(invigil_scanner_new(rules, &s), INVIGIL_OK);
    size_t n1 = 0, n2 = 0, n3 = 0;
    invigil_finding first[4], again[4];
    set_contact_event(s);
    CHECK_STATUS(invigil_scan(s, &n1), INVIGIL_OK);
    for (size_t i = 0; i < n1 && i < 4; i++) invigil_finding_at(s, i, &first[i]);
    uint64_t digest = findings_digest(s, n1);
    CHECK(digest != 0);
    /* Scanning the same event twice, with no reset in between. */
    CHECK_STATUS(invigil_scan(s, &n2), INVIGIL_OK);
    CHECK(n1 == n2);
    CHECK(findings_digest(s, n2) == digest);
    /* Other events in between, then the same one again. */
    for (int k = 0; k < 50; k++) {
        invigil_scanner_reset(s);
        invigil_set_string(s, "text", S("nothing to see, add me on snap"));
        invigil_set_int(s, "likes", 1000 + k);
        size_t n = 0;
        CHECK_STATUS(invigil_scan(s, &n), INVIGIL_OK);
        CHECK(n == 1);
    }
    set_contact_event(s);
    CHECK_STATUS(invigil_scan(s, &n3), INVIGIL_OK);
    CHECK(n3 == n1);
    for (size_t i = 0; i < n3 && i < 4; i++) {
        CHECK_STATUS(invigil_finding_at(s, i, &again[i]), INVIGIL_OK);
        CHECK(again[i].rule == first[i].rule); /* the same rules-owned strings */
        CHECK(again[i].match_count == first[i].match_count);
    }
    CHECK(findings_digest(s, n3) == digest);
    /* Pointers into the rules stay valid after the scanner's next scan and its free. */
    const char *name = first[0].rule;
    invigil_scanner_free(s);
    CHECK_STR(name, "demo/staff-contact");
    invigil_rules_free(rules);
}

static void test_scan_json(void) {
    invigil_rules *rules = compile_demo();
    invigil_scanner *s = NULL;
    CHECK_STATUS(invigil_scanner_new(rules, &s), INVIGIL_OK);
    size_t n = 99;
    invigil_error *error = (invigil_error *)(uintptr_t)1;

    const char *event = "{\"id\":\"evt-9\",\"type\":\"direct_message\",\"author\":{\"role\":\"staff\",\"id\":\"s1\"},"
                        "\"recipients\":[{\"role\":\"pupil\",\"family\":false,\"name\":\"P\"}],"
                        "\"text\":\"Add me on Snap \\u2014 it's our secret\",\"unknown\":{\"deep\":[1,2,{}]}}";
    CHECK_STATUS(invigil_scan_json(s, event, strlen(event), &n, &error), INVIGIL_OK);
    CHECK(error == NULL);
    CHECK(n == 2);
    CHECK(finding_of(s, n, "demo/staff-contact") == 0);
    const char *value = NULL;
    size_t length = 0;
    CHECK_STATUS(invigil_event_string(s, "id", 0, &value, &length), INVIGIL_OK);
    CHECK(length == 5 && memcmp(value, "evt-9", 5) == 0);
    /* Offsets are into the decoded string: "\u2014" is 3 bytes. */
    invigil_match match;
    CHECK_STATUS(invigil_match_at(s, 1, 0, &match), INVIGIL_OK);
    CHECK(match.start == 24 && match.end == 34);
    CHECK_STATUS(invigil_match_text(s, 1, 0, &value, &length), INVIGIL_OK);
    CHECK(length == 10 && memcmp(value, "our secret", 10) == 0);

    /* The JSON replaces the previous event, fields set by hand included. */
    invigil_set_int(s, "likes", 500);
    CHECK_STATUS(invigil_scan_json(s, S("{\"text\":\"hi\"}"), &n, NULL), INVIGIL_OK);
    CHECK(n == 0);

    /* EVENT: malformed, with offset, line and column. */
    CHECK_STATUS(invigil_scan_json(s, S("{\"text\": \"hi\",, }"), &n, &error), INVIGIL_ERROR_EVENT);
    CHECK(n == 0 && error != NULL);
    CHECK(invigil_error_status(error) == INVIGIL_ERROR_EVENT);
    CHECK(invigil_error_offset(error) == 14);
    CHECK(invigil_error_line(error) == 1 && invigil_error_column(error) == 15);
    CHECK_STR(invigil_error_source(error), "");
    CHECK(invigil_error_message(error)[0] != '\0');
    invigil_error_free(error);
    CHECK_STATUS(invigil_scan_json(s, S("{\n\"text\":\n  tru }"), &n, &error), INVIGIL_ERROR_EVENT);
    CHECK(invigil_error_line(error) == 3);
    invigil_error_free(error);
    CHECK_STATUS(invigil_scan_json(s, S("[1,2]"), &n, NULL), INVIGIL_ERROR_EVENT);
    CHECK_STATUS(invigil_scan_json(s, S(""), &n, NULL), INVIGIL_ERROR_EVENT);
    CHECK_STATUS(invigil_scan_json(s, NULL, 0, &n, NULL), INVIGIL_ERROR_EVENT);
    CHECK_STATUS(invigil_scan_json(s, S("{\"text\":\"a\"} trailing"), &n, NULL), INVIGIL_ERROR_EVENT);
    CHECK_STATUS(invigil_scan_json(s, S("{\"text\":\"\xc3\x28\"}"), &n, NULL), INVIGIL_ERROR_EVENT);
    CHECK_STATUS(invigil_scan_json(s, S("{\"text\":\"a\0b\"}"), &n, NULL), INVIGIL_ERROR_EVENT);
    char deep[300];
    memset(deep, '[', sizeof deep);
    memcpy(deep, "{\"x\":", 5);
    CHECK_STATUS(invigil_scan_json(s, deep, sizeof deep, &n, NULL), INVIGIL_ERROR_EVENT);

    /* FIELD: a declared field with a value of the wrong type. Nothing stays set. */
    CHECK_STATUS(invigil_scan_json(s, S("{\"likes\":500,\"text\":5}"), &n, &error), INVIGIL_ERROR_FIELD);
    CHECK(invigil_error_status(error) == INVIGIL_ERROR_FIELD);
    CHECK(strstr(invigil_error_message(error), "text") != NULL);
    CHECK(invigil_error_offset(error) == 20);
    invigil_error_free(error);
    CHECK_STATUS(invigil_scan(s, &n), INVIGIL_OK);
    CHECK(n == 0);
    CHECK_STATUS(invigil_scan_json(s, S("{\"urgent\":\"yes\"}"), &n, NULL), INVIGIL_ERROR_FIELD);
    CHECK_STATUS(invigil_scan_json(s, S("{\"author\":{\"role\":[\"staff\"]}}"), &n, NULL), INVIGIL_ERROR_FIELD);
    CHECK_STATUS(invigil_scan_json(s, S("{\"likes\":1.5}"), &n, NULL), INVIGIL_ERROR_FIELD);
    CHECK_STATUS(invigil_scan_json(s, S("{\"time\":\"noon\"}"), &n, NULL), INVIGIL_ERROR_FIELD);

    /* LIMIT: over 64 MiB is refused before it is read. */
    CHECK_STATUS(invigil_scan_json(s, "{", (size_t)65 << 20, &n, &error), INVIGIL_ERROR_LIMIT);
    CHECK(invigil_error_status(error) == INVIGIL_ERROR_LIMIT);
    invigil_error_free(error);

    /* ARGUMENT. */
    error = NULL;
    CHECK_STATUS(invigil_scan_json(NULL, S("{}"), &n, &error), INVIGIL_ERROR_ARGUMENT);
    CHECK(invigil_error_status(error) == INVIGIL_ERROR_ARGUMENT);
    invigil_error_free(error);
    CHECK_STATUS(invigil_scan_json(s, S("{}"), NULL, NULL), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_scan_json(s, NULL, 3, &n, NULL), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_scan_json(s, "{}", (size_t)-2, &n, NULL), INVIGIL_ERROR_ARGUMENT);

    invigil_scanner_free(s);
    invigil_rules_free(rules);
}

typedef struct jsonl_seen {
    size_t calls, ok, failed, findings, last_line, stop_after;
    size_t lines[8];
    invigil_status statuses[8];
} jsonl_seen;

static int on_line(void *user, const invigil_scanner *s, size_t line, invigil_status status, size_t count,
                   const invigil_error *error) {
    jsonl_seen *seen = (jsonl_seen *)user;
    if (seen->calls < 8) {
        seen->lines[seen->calls] = line;
        seen->statuses[seen->calls] = status;
    }
    seen->calls++;
    seen->last_line = line;
    if (status == INVIGIL_OK) {
        seen->ok++;
        seen->findings += count;
        for (size_t i = 0; i < count; i++) {
            invigil_finding f;
            if (invigil_finding_at(s, i, &f) != INVIGIL_OK) seen->failed += 100;
        }
        if (error != NULL) seen->failed += 1000;
    } else {
        seen->failed++;
        if (error == NULL || invigil_error_status(error) != status) seen->failed += 1000;
    }
    return seen->stop_after != 0 && seen->calls >= seen->stop_after;
}

static void test_scan_jsonl(void) {
    invigil_rules *rules = compile_demo();
    invigil_scanner *s = NULL;
    CHECK_STATUS(invigil_scanner_new(rules, &s), INVIGIL_OK);
    const char data[] = "{\"text\":\"dm me, our secret\",\"author\":{\"role\":\"staff\"},\"recipients\":[{\"role\":\"pupil\"}]}\r\n"
                        "\n"
                        "   \t\n"
                        "{\"text\": oops}\n"
                        "{\"likes\": 150}\n"
                        "{\"likes\": \"many\"}"; /* no final newline */
    jsonl_seen seen;
    memset(&seen, 0, sizeof seen);
    size_t lines = 0;
    CHECK_STATUS(invigil_scan_jsonl(s, data, sizeof data - 1, on_line, &seen, &lines), INVIGIL_OK);
    CHECK(lines == 6);
    CHECK(seen.calls == 4);
    CHECK(seen.lines[0] == 1 && seen.lines[1] == 4 && seen.lines[2] == 5 && seen.lines[3] == 6);
    CHECK(seen.statuses[0] == INVIGIL_OK && seen.statuses[1] == INVIGIL_ERROR_EVENT && seen.statuses[2] == INVIGIL_OK &&
          seen.statuses[3] == INVIGIL_ERROR_FIELD);
    CHECK(seen.ok == 2 && seen.failed == 2 && seen.findings == 3);

    /* Stopping early. */
    memset(&seen, 0, sizeof seen);
    seen.stop_after = 2;
    CHECK_STATUS(invigil_scan_jsonl(s, data, sizeof data - 1, on_line, &seen, &lines), INVIGIL_OK);
    CHECK(seen.calls == 2 && lines == 4);

    /* Empty input, misuse. */
    memset(&seen, 0, sizeof seen);
    CHECK_STATUS(invigil_scan_jsonl(s, NULL, 0, on_line, &seen, &lines), INVIGIL_OK);
    CHECK(seen.calls == 0 && lines == 0);
    CHECK_STATUS(invigil_scan_jsonl(s, data, sizeof data - 1, on_line, &seen, NULL), INVIGIL_OK);
    CHECK_STATUS(invigil_scan_jsonl(NULL, data, 3, on_line, &seen, &lines), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_scan_jsonl(s, NULL, 3, on_line, &seen, &lines), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_scan_jsonl(s, data, 3, NULL, &seen, &lines), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_scan_jsonl(s, data, (size_t)-1, on_line, &seen, &lines), INVIGIL_ERROR_ARGUMENT);

    invigil_scanner_free(s);
    invigil_rules_free(rules);
}

static void test_use_after_rules_freed(void) {
    invigil_rules *rules = compile_demo();
    invigil_scanner *s = NULL, *t = NULL;
    CHECK_STATUS(invigil_scanner_new(rules, &s), INVIGIL_OK);
    CHECK_STATUS(invigil_scanner_new(rules, &t), INVIGIL_OK);
    set_contact_event(s);
    size_t n = 0;
    CHECK_STATUS(invigil_scan(s, &n), INVIGIL_OK);
    CHECK(n == 2);
    invigil_finding f;
    CHECK_STATUS(invigil_finding_at(s, 0, &f), INVIGIL_OK);

    invigil_rules_free(rules);

    CHECK(invigil_scanner_rules(s) == NULL);
    CHECK_STATUS(invigil_set_string(s, "text", S("x")), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_add_string(s, "approval", S("x")), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_set_bool(s, "urgent", 1), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_set_int(s, "likes", 1), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_add_bool(s, "recipients.family", 1), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_add_int(s, "likes", 1), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_set_element_string(s, "recipients.name", 0, S("x")), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_set_element_bool(s, "recipients.family", 0, 1), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_scan(s, &n), INVIGIL_ERROR_ARGUMENT);
    CHECK(n == 0);
    CHECK_STATUS(invigil_scan_json(s, S("{}"), &n, NULL), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_finding_at(s, 0, &f), INVIGIL_ERROR_ARGUMENT);
    invigil_match m;
    CHECK_STATUS(invigil_match_at(s, 0, 0, &m), INVIGIL_ERROR_ARGUMENT);
    const char *text;
    size_t length;
    CHECK_STATUS(invigil_match_text(s, 0, 0, &text, &length), INVIGIL_ERROR_ARGUMENT);
    CHECK_STATUS(invigil_event_string(s, "id", 0, &text, &length), INVIGIL_ERROR_ARGUMENT);
    jsonl_seen seen;
    memset(&seen, 0, sizeof seen);
    CHECK_STATUS(invigil_scan_jsonl(s, S("{}\n"), on_line, &seen, NULL), INVIGIL_ERROR_ARGUMENT);
    invigil_scanner_reset(s);
    invigil_scanner_free(s);
    invigil_scanner_free(t);
}

static void test_time_budget(void) {
    invigil_rules *rules = compile_demo();
    invigil_scanner *s = NULL;
    CHECK_STATUS(invigil_scanner_new(rules, &s), INVIGIL_OK);
    CHECK(invigil_scanner_timed_out(s) == 0);
    set_contact_event(s);
    size_t n = 0;
    CHECK_STATUS(invigil_scanner_set_time_budget(s, 1000000000ull), INVIGIL_OK); /* 1 s: plenty */
    CHECK_STATUS(invigil_scan(s, &n), INVIGIL_OK);
    CHECK(n == 2 && invigil_scanner_timed_out(s) == 0);
    CHECK_STATUS(invigil_scanner_set_time_budget(s, 1), INVIGIL_OK); /* 1 ns: runs out at once */
    CHECK_STATUS(invigil_scan(s, &n), INVIGIL_ERROR_INTERRUPTED);
    CHECK(n <= 2 && invigil_scanner_timed_out(s) == 1);
    CHECK_STATUS(invigil_scanner_set_time_budget(s, 0), INVIGIL_OK);
    CHECK_STATUS(invigil_scan(s, &n), INVIGIL_OK);
    CHECK(n == 2 && invigil_scanner_timed_out(s) == 0);
    CHECK_STATUS(invigil_scanner_set_time_budget(NULL, 5), INVIGIL_ERROR_ARGUMENT);
    CHECK(invigil_scanner_timed_out(NULL) == 0);
    invigil_rules_free(rules);
    CHECK_STATUS(invigil_scanner_set_time_budget(s, 5), INVIGIL_ERROR_ARGUMENT);
    CHECK(invigil_scanner_timed_out(s) == 0);
    invigil_scanner_free(s);
}

/* Random bytes and mutated events: every call returns a status, nothing crashes. */
static void test_garbage_json(void) {
    invigil_rules *rules = compile_demo();
    invigil_scanner *s = NULL;
    CHECK_STATUS(invigil_scanner_new(rules, &s), INVIGIL_OK);
    const char *seed = "{\"id\":\"e\",\"type\":\"post\",\"time\":\"2024-03-05T10:00:00Z\",\"author\":{\"role\":\"staff\"},"
                       "\"recipients\":[{\"role\":\"pupil\",\"family\":true,\"name\":\"\\u00e9\"}],\"likes\":7,"
                       "\"urgent\":true,\"web\":{\"host\":\"facebook.com\"},\"text\":\"dm me 07700 900123\"}";
    size_t len = strlen(seed);
    char buffer[512];
    uint32_t x = 12345;
    int ok = 0, bad = 0;
    for (int i = 0; i < 20000; i++) {
        memcpy(buffer, seed, len);
        int edits = 1 + (int)(x % 4);
        for (int e = 0; e < edits; e++) {
            x = x * 1103515245u + 12345u;
            size_t at = (x >> 8) % len;
            x = x * 1103515245u + 12345u;
            buffer[at] = (char)(x >> 16);
        }
        size_t n = 0;
        invigil_error *error = NULL;
        invigil_status st = invigil_scan_json(s, buffer, len - (x % 7 == 0 ? (x >> 4) % len : 0), &n, &error);
        if (st == INVIGIL_OK) {
            ok++;
            CHECK(error == NULL);
            for (size_t k = 0; k < n; k++) {
                invigil_finding f;
                CHECK_STATUS(invigil_finding_at(s, k, &f), INVIGIL_OK);
            }
        } else {
            bad++;
            CHECK(st == INVIGIL_ERROR_EVENT || st == INVIGIL_ERROR_FIELD);
            CHECK(error != NULL && invigil_error_status(error) == st);
            CHECK(invigil_error_offset(error) <= len);
        }
        invigil_error_free(error);
    }
    CHECK(ok > 100 && bad > 100);
    invigil_scanner_free(s);
    invigil_rules_free(rules);
}

/* ---------------------------------------------------------------------------------------- */
/* Threads and benchmark                                                                     */
/* ---------------------------------------------------------------------------------------- */

/* The text of generated event `i`, NUL-terminated, at most text_bytes - 1 long; returns its length. */
size_t invigil_ctests_event_text(size_t i, char *text, size_t text_bytes) {
    static const char *const fill[] = {
        "Thanks for coming to the match on Saturday, the team played really well. ",
        "Reminder: homework is due on Friday and the library is open until five. ",
        "Photos from the science fair are on the school website now, well done. ",
    };
    if (text_bytes == 0) return 0;
    const char *lead = "";
    switch (i % 7) {
    case 0: lead = "text me on 07700 900123 about it. "; break;
    case 2: lead = "this is our secret so don't tell. "; break;
    case 5: lead = "dm me when you can. "; break;
    default: break;
    }
    size_t used = (size_t)snprintf(text, text_bytes, "%s%zu ", lead, i);
    if (used >= text_bytes) used = text_bytes - 1;
    while (used + 1 < text_bytes) {
        const char *f = fill[(i + used) % 3];
        size_t l = strlen(f);
        if (used + l >= text_bytes) l = text_bytes - 1 - used;
        memcpy(text + used, f, l);
        used += l;
    }
    text[used] = '\0';
    return used;
}

const char *invigil_ctests_rules(void) { return invigil_ctests_rules_source; }

/* Sets event `i` (deterministic) through the set_* functions; returns 0 on success. Kinds (i % 7):
 * 0 staff offers contact, 1 pupil author, 2 secrecy, 3 social host (school day if i odd),
 * 4 likes = i % 300, 5 urgent + "dm me", 6 nothing. Recipient: a pupil, family if i odd. */
static int set_event_with_text(invigil_scanner *s, size_t i, const char *text, size_t used) {
    int st = 0;
    size_t kind = i % 7;
    invigil_scanner_reset(s);
    st |= invigil_set_string(s, "text", text, used);
    st |= invigil_set_string(s, "type", S("direct_message"));
    st |= invigil_set_string(s, "author.role", (kind == 1 ? "pupil" : "staff"), 5);
    st |= invigil_add_string(s, "recipients.role", S("pupil"));
    st |= invigil_add_bool(s, "recipients.family", (int)(i % 2));
    if (kind == 3) {
        st |= invigil_set_string(s, "web.host", S("www.instagram.com"));
        st |= invigil_set_string(s, "time", (i % 2) ? "2024-03-05T10:00:00+00:00" : "2024-03-09T10:00:00+00:00", 25);
    }
    if (kind == 4) st |= invigil_set_int(s, "likes", (int64_t)(i % 300));
    if (kind == 5) st |= invigil_set_bool(s, "urgent", 1);
    return st;
}

static int set_event(invigil_scanner *s, size_t i, char *text, size_t text_bytes) {
    size_t used = invigil_ctests_event_text(i, text, text_bytes);
    return set_event_with_text(s, i, text, used);
}

invigil_ctests_texts invigil_ctests_make_texts(size_t events, size_t text_bytes) {
    invigil_ctests_texts t = {NULL, NULL, text_bytes};
    if (text_bytes == 0) return t;
    t.texts = malloc((events ? events : 1) * text_bytes);
    t.lengths = malloc((events ? events : 1) * sizeof(size_t));
    if (!t.texts || !t.lengths) {
        invigil_ctests_free_texts(&t);
        return t;
    }
    for (size_t i = 0; i < events; i++) t.lengths[i] = invigil_ctests_event_text(i, t.texts + i * text_bytes, text_bytes);
    return t;
}

void invigil_ctests_free_texts(invigil_ctests_texts *t) {
    free(t->texts);
    free(t->lengths);
    t->texts = NULL;
    t->lengths = NULL;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n) {
    const unsigned char *b = (const unsigned char *)p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

/* A digest of the scanner's findings and their matches. */
static uint64_t findings_digest(const invigil_scanner *s, size_t n) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) {
        invigil_finding f;
        if (invigil_finding_at(s, i, &f) != INVIGIL_OK) return 0;
        h = fnv(h, f.rule, strlen(f.rule));
        h = fnv(h, &f.match_count, sizeof f.match_count);
        for (size_t m = 0; m < f.match_count; m++) {
            invigil_match match;
            if (invigil_match_at(s, i, m, &match) != INVIGIL_OK) return 0;
            h = fnv(h, &match.start, sizeof match.start);
            h = fnv(h, &match.end, sizeof match.end);
            h = fnv(h, match.pattern, strlen(match.pattern));
        }
    }
    return h;
}

typedef struct thread_job {
    const invigil_rules *rules;
    size_t events;
    uint64_t *digests;
    size_t total_findings;
    int errors;
} thread_job;

static void *thread_main(void *arg) {
    thread_job *job = (thread_job *)arg;
    invigil_scanner *s = NULL;
    if (invigil_scanner_new(job->rules, &s) != INVIGIL_OK) {
        job->errors++;
        return NULL;
    }
    char text[256];
    for (size_t i = 0; i < job->events; i++) {
        size_t n = 0;
        if (set_event(s, i, text, sizeof text) != 0) job->errors++;
        if (invigil_scan(s, &n) != INVIGIL_OK) job->errors++;
        job->digests[i] = findings_digest(s, n) ^ (uint64_t)n;
        job->total_findings += n;
    }
    invigil_scanner_free(s);
    return NULL;
}

int invigil_ctests_threads(int threads, size_t events) {
    pthread_mutex_lock(&run_lock);
    failures = 0;
    current_test = "threads";
    invigil_rules *rules = compile_demo();
    if (threads < 1) threads = 1;
    thread_job reference;
    memset(&reference, 0, sizeof reference);
    reference.rules = rules;
    reference.events = events;
    reference.digests = calloc(events ? events : 1, sizeof(uint64_t));
    thread_main(&reference);
    CHECK(reference.errors == 0);
    CHECK(reference.total_findings > events / 2);

    thread_job *jobs = calloc((size_t)threads, sizeof(thread_job));
    pthread_t *ids = calloc((size_t)threads, sizeof(pthread_t));
    for (int t = 0; t < threads; t++) {
        jobs[t].rules = rules;
        jobs[t].events = events;
        jobs[t].digests = calloc(events ? events : 1, sizeof(uint64_t));
        CHECK(pthread_create(&ids[t], NULL, thread_main, &jobs[t]) == 0);
    }
    for (int t = 0; t < threads; t++) {
        pthread_join(ids[t], NULL);
        CHECK(jobs[t].errors == 0);
        CHECK(jobs[t].total_findings == reference.total_findings);
        size_t differing = 0;
        for (size_t i = 0; i < events; i++) differing += jobs[t].digests[i] != reference.digests[i];
        CHECK(differing == 0);
        free(jobs[t].digests);
    }
    free(jobs);
    free(ids);
    free(reference.digests);
    invigil_rules_free(rules);
    int result = failures;
    pthread_mutex_unlock(&run_lock);
    return result;
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double invigil_ctests_bench(size_t events, size_t message_bytes, size_t *out_findings) {
    invigil_rules *rules = NULL;
    if (invigil_rules_compile(invigil_ctests_rules_source, strlen(invigil_ctests_rules_source), "demo.rules", &rules,
                              NULL) != INVIGIL_OK)
        return -1;
    invigil_scanner *s = NULL;
    invigil_scanner_new(rules, &s);
    size_t warm = events < 1000 ? events : 1000;
    invigil_ctests_texts texts = invigil_ctests_make_texts(events, message_bytes + 1);
    if (!texts.texts) {
        invigil_scanner_free(s);
        invigil_rules_free(rules);
        return -1;
    }
    size_t findings = 0;
    /* Warm up, then time. */
    for (size_t i = 0; i < warm; i++) {
        size_t n = 0;
        set_event_with_text(s, i, texts.texts + i * texts.text_bytes, texts.lengths[i]);
        invigil_scan(s, &n);
    }
    double start = now_seconds();
    for (size_t i = 0; i < events; i++) {
        size_t n = 0;
        set_event_with_text(s, i, texts.texts + i * texts.text_bytes, texts.lengths[i]);
        invigil_scan(s, &n);
        findings += n;
    }
    double elapsed = now_seconds() - start;
    invigil_ctests_free_texts(&texts);
    invigil_scanner_free(s);
    invigil_rules_free(rules);
    if (out_findings) *out_findings = findings;
    return elapsed > 0 ? (double)events / elapsed : -1;
}

double invigil_ctests_bench_json(size_t events, size_t message_bytes, size_t *out_findings) {
    invigil_rules *rules = NULL;
    if (invigil_rules_compile(invigil_ctests_rules_source, strlen(invigil_ctests_rules_source), "demo.rules", &rules,
                              NULL) != INVIGIL_OK)
        return -1;
    invigil_scanner *s = NULL;
    invigil_scanner_new(rules, &s);
    enum { distinct = 1024 };
    char *lines[distinct];
    size_t lengths[distinct];
    char *text = malloc(message_bytes + 1);
    for (size_t i = 0; i < distinct; i++) {
        set_event(s, i, text, message_bytes + 1);
        lines[i] = malloc(message_bytes + 256);
        /* The same event as set_event, as JSON. */
        char extra[128] = "";
        if (i % 7 == 3)
            snprintf(extra, sizeof extra, ",\"web\":{\"host\":\"www.instagram.com\"},\"time\":\"%s\"",
                     (i % 2) ? "2024-03-05T10:00:00+00:00" : "2024-03-09T10:00:00+00:00");
        if (i % 7 == 4) snprintf(extra, sizeof extra, ",\"likes\":%zu", i % 300);
        if (i % 7 == 5) snprintf(extra, sizeof extra, ",\"urgent\":true");
        lengths[i] = (size_t)snprintf(lines[i], message_bytes + 256,
                                      "{\"type\":\"direct_message\",\"author\":{\"role\":\"%s\"},"
                                      "\"recipients\":[{\"role\":\"pupil\",\"family\":%s}],\"text\":\"%s\"%s}",
                                      i % 7 == 1 ? "pupil" : "staff", i % 2 ? "true" : "false", text, extra);
    }
    size_t findings = 0;
    double start = now_seconds();
    for (size_t i = 0; i < events; i++) {
        size_t n = 0;
        invigil_scan_json(s, lines[i % distinct], lengths[i % distinct], &n, NULL);
        findings += n;
    }
    double elapsed = now_seconds() - start;
    for (size_t i = 0; i < distinct; i++) free(lines[i]);
    free(text);
    invigil_scanner_free(s);
    invigil_rules_free(rules);
    if (out_findings) *out_findings = findings;
    return elapsed > 0 ? (double)events / elapsed : -1;
}

void invigil_ctests_record_failure(const char *file, int line, const char *message) {
    fprintf(stderr, "%s:%d: [%s] %s\n", file, line, current_test, message);
    failures++;
}

/* ---------------------------------------------------------------------------------------- */
/* Registry                                                                                  */
/* ---------------------------------------------------------------------------------------- */

typedef struct named_test {
    const char *name;
    void (*run)(void);
} named_test;

static const named_test tests[] = {
    {"version_and_status", test_version_and_status},
    {"compile_and_inspect", test_compile_and_inspect},
    {"compile_errors", test_compile_errors},
    {"load", test_load},
    {"scanner_lifecycle", test_scanner_lifecycle},
    {"set_fields", test_set_fields},
    {"findings", test_findings},
    {"reuse_is_stable", test_reuse_is_stable},
    {"scan_json", test_scan_json},
    {"scan_jsonl", test_scan_jsonl},
    {"use_after_rules_freed", test_use_after_rules_freed},
    {"time_budget", test_time_budget},
    {"garbage_json", test_garbage_json},
    {"hardening_match_limit", invigil_hardening_test_match_limit},
    {"hardening_memory_ceiling", invigil_hardening_test_memory_ceiling},
    {"hardening_dense_generated", invigil_hardening_test_dense_generated},
    {"hardening_busy_in_callback", invigil_hardening_test_busy_in_callback},
    {"hardening_busy_two_threads", invigil_hardening_test_busy_two_threads},
    {"hardening_interrupt", invigil_hardening_test_interrupt},
    {"hardening_lengths", invigil_hardening_test_lengths},
    {"hardening_error_model", invigil_hardening_test_error_model},
    {"includes_from_memory", invigil_includes_test_from_memory},
    {"field_ids_and_elements", invigil_field_id_test},
};

int invigil_ctests_count(void) { return (int)(sizeof tests / sizeof tests[0]); }

const char *invigil_ctests_name(int index) {
    return index >= 0 && index < invigil_ctests_count() ? tests[index].name : "";
}

int invigil_ctests_run(int index) {
    if (index < 0 || index >= invigil_ctests_count()) return 1;
    pthread_mutex_lock(&run_lock);
    failures = 0;
    current_test = tests[index].name;
    tests[index].run();
    int result = failures;
    pthread_mutex_unlock(&run_lock);
    return result;
}

int invigil_ctests_run_all(void) {
    int total = 0;
    for (int i = 0; i < invigil_ctests_count(); i++) {
        int f = invigil_ctests_run(i);
        fprintf(stderr, "%-24s %s\n", invigil_ctests_name(i), f ? "FAILED" : "ok");
        total += f;
    }
    return total;
}
