/* C tests of field ids (invigil_field_lookup, invigil_set_*_id), the element setters' meaning
 * (setting an element twice replaces it; the integer element setter), and the field-id benchmark
 * (the events of invigil_ctests_bench, set by id). Registered in abi_tests.c. */
#define _POSIX_C_SOURCE 200809L

#include "ctests_internal.h"
#include "invigil_ctests.h"
#include "invigil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FCHECK(cond)                                                                          \
    do {                                                                                      \
        if (!(cond)) invigil_ctests_record_failure(__FILE__, __LINE__, "check failed: " #cond); \
    } while (0)

#define FSTATUS(expr, expected)                                                                \
    do {                                                                                       \
        invigil_status st_ = (expr);                                                           \
        if (st_ != (expected)) {                                                               \
            char m_[512];                                                                      \
            snprintf(m_, sizeof m_, "%s returned %d (%s), expected %s", #expr, (int)st_,       \
                     invigil_status_string(st_), #expected);                                   \
            invigil_ctests_record_failure(__FILE__, __LINE__, m_);                             \
        }                                                                                      \
    } while (0)

#define LIT(literal) literal, (sizeof(literal) - 1)

static invigil_rules *compile_rules(void) {
    invigil_rules *rules = NULL;
    FSTATUS(invigil_rules_compile(invigil_ctests_rules_source, strlen(invigil_ctests_rules_source), "demo.rules",
                                  &rules, NULL),
            INVIGIL_OK);
    return rules;
}

typedef struct demo_ids {
    invigil_field_id text, type, role, recipient_role, family, host, time, likes, urgent;
} demo_ids;

static int lookup_ids(const invigil_rules *rules, demo_ids *ids) {
    int st = 0;
    st |= invigil_field_lookup(rules, "text", &ids->text);
    st |= invigil_field_lookup(rules, "type", &ids->type);
    st |= invigil_field_lookup(rules, "author.role", &ids->role);
    st |= invigil_field_lookup(rules, "recipients.role", &ids->recipient_role);
    st |= invigil_field_lookup(rules, "recipients.family", &ids->family);
    st |= invigil_field_lookup(rules, "web.host", &ids->host);
    st |= invigil_field_lookup(rules, "time", &ids->time);
    st |= invigil_field_lookup(rules, "likes", &ids->likes);
    st |= invigil_field_lookup(rules, "urgent", &ids->urgent);
    return st;
}

/* Event `i` of invigil_ctests_bench (set_event in abi_tests.c), set by field id. */
static int set_event_ids_with_text(invigil_scanner *s, const demo_ids *ids, size_t i, const char *text, size_t used) {
    int st = 0;
    size_t kind = i % 7;
    invigil_scanner_reset(s);
    st |= invigil_set_string_id(s, ids->text, text, used);
    st |= invigil_set_string_id(s, ids->type, LIT("direct_message"));
    st |= invigil_set_string_id(s, ids->role, (kind == 1 ? "pupil" : "staff"), 5);
    st |= invigil_add_string_id(s, ids->recipient_role, LIT("pupil"));
    st |= invigil_add_bool_id(s, ids->family, (int)(i % 2));
    if (kind == 3) {
        st |= invigil_set_string_id(s, ids->host, LIT("www.instagram.com"));
        st |= invigil_set_string_id(s, ids->time,
                                    (i % 2) ? "2024-03-05T10:00:00+00:00" : "2024-03-09T10:00:00+00:00", 25);
    }
    if (kind == 4) st |= invigil_set_int_id(s, ids->likes, (int64_t)(i % 300));
    if (kind == 5) st |= invigil_set_bool_id(s, ids->urgent, 1);
    return st;
}

static int set_event_ids(invigil_scanner *s, const demo_ids *ids, size_t i, char *text, size_t text_bytes) {
    return set_event_ids_with_text(s, ids, i, text, invigil_ctests_event_text(i, text, text_bytes));
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double invigil_ctests_bench_ids(size_t events, size_t message_bytes, size_t *out_findings) {
    invigil_rules *rules = NULL;
    if (invigil_rules_compile(invigil_ctests_rules_source, strlen(invigil_ctests_rules_source), "demo.rules", &rules,
                              NULL) != INVIGIL_OK)
        return -1;
    demo_ids ids;
    invigil_scanner *s = NULL;
    if (lookup_ids(rules, &ids) != 0 || invigil_scanner_new(rules, &s) != INVIGIL_OK) {
        invigil_rules_free(rules);
        return -1;
    }
    invigil_ctests_texts texts = invigil_ctests_make_texts(events, message_bytes + 1);
    if (!texts.texts) {
        invigil_scanner_free(s);
        invigil_rules_free(rules);
        return -1;
    }
    size_t findings = 0;
    int st = 0;
    size_t warm = events < 1000 ? events : 1000;
    for (size_t i = 0; i < warm; i++) {
        size_t n = 0;
        st |= set_event_ids_with_text(s, &ids, i, texts.texts + i * texts.text_bytes, texts.lengths[i]);
        invigil_scan(s, &n);
    }
    double start = now_seconds();
    for (size_t i = 0; i < events; i++) {
        size_t n = 0;
        st |= set_event_ids_with_text(s, &ids, i, texts.texts + i * texts.text_bytes, texts.lengths[i]);
        invigil_scan(s, &n);
        findings += n;
    }
    double elapsed = now_seconds() - start;
    invigil_ctests_free_texts(&texts);
    invigil_scanner_free(s);
    invigil_rules_free(rules);
    if (out_findings) *out_findings = findings;
    return st == 0 && elapsed > 0 ? (double)events / elapsed : -1;
}

void invigil_field_id_test(void) {
    invigil_rules *rules = compile_rules(), *other = compile_rules();
    invigil_scanner *s = NULL;
    FSTATUS(invigil_scanner_new(rules, &s), INVIGIL_OK);
    demo_ids ids;
    FCHECK(lookup_ids(rules, &ids) == 0);
    FCHECK(ids.text != 0 && ids.text != ids.type);
    invigil_field_id id = 0;
    FSTATUS(invigil_field_lookup(rules, "nope", &id), INVIGIL_ERROR_FIELD);
    FSTATUS(invigil_field_lookup(NULL, "text", &id), INVIGIL_ERROR_ARGUMENT);
    FSTATUS(invigil_field_lookup(rules, NULL, &id), INVIGIL_ERROR_ARGUMENT);
    FSTATUS(invigil_field_lookup(rules, "text", NULL), INVIGIL_ERROR_ARGUMENT);

    /* Setting by id gives what setting by name gives (the reference), event by event. */
    invigil_scanner *by_name = NULL;
    FSTATUS(invigil_scanner_new(rules, &by_name), INVIGIL_OK);
    char text[256];
    size_t total = 0;
    for (size_t i = 0; i < 500; i++) {
        FCHECK(set_event_ids(s, &ids, i, text, sizeof text) == 0);
        size_t n = 0, m = 0;
        FSTATUS(invigil_scan(s, &n), INVIGIL_OK);
        invigil_scanner_reset(by_name);
        size_t used = invigil_ctests_event_text(i, text, sizeof text);
        size_t kind = i % 7;
        invigil_set_string(by_name, "text", text, used);
        invigil_set_string(by_name, "type", LIT("direct_message"));
        invigil_set_string(by_name, "author.role", kind == 1 ? "pupil" : "staff", 5);
        invigil_add_string(by_name, "recipients.role", LIT("pupil"));
        invigil_add_bool(by_name, "recipients.family", (int)(i % 2));
        if (kind == 3) {
            invigil_set_string(by_name, "web.host", LIT("www.instagram.com"));
            invigil_set_string(by_name, "time", (i % 2) ? "2024-03-05T10:00:00+00:00" : "2024-03-09T10:00:00+00:00", 25);
        }
        if (kind == 4) invigil_set_int(by_name, "likes", (int64_t)(i % 300));
        if (kind == 5) invigil_set_bool(by_name, "urgent", 1);
        FSTATUS(invigil_scan(by_name, &m), INVIGIL_OK);
        FCHECK(n == m);
        for (size_t k = 0; k < n && k < m; k++) {
            invigil_finding a, b;
            invigil_finding_at(s, k, &a);
            invigil_finding_at(by_name, k, &b);
            FCHECK(a.rule_index == b.rule_index && a.match_count == b.match_count);
        }
        total += n;
    }
    FCHECK(total > 100);

    /* Type errors and limits as by name; an id of another rule set is refused. */
    FSTATUS(invigil_set_bool_id(s, ids.text, 1), INVIGIL_ERROR_FIELD);
    FSTATUS(invigil_add_string_id(s, ids.text, LIT("x")), INVIGIL_ERROR_FIELD);
    FSTATUS(invigil_set_string_id(s, ids.text, "x", (size_t)1 << 62), INVIGIL_ERROR_LIMIT);
    invigil_field_id foreign = 0;
    FSTATUS(invigil_field_lookup(other, "text", &foreign), INVIGIL_OK);
    FSTATUS(invigil_set_string_id(s, foreign, LIT("x")), INVIGIL_ERROR_ARGUMENT);
    FSTATUS(invigil_set_string_id(s, 0, LIT("x")), INVIGIL_ERROR_ARGUMENT);
    FSTATUS(invigil_set_string_id(s, ids.text | 0xFFFF, LIT("x")), INVIGIL_ERROR_ARGUMENT);
    FSTATUS(invigil_set_string_id(NULL, ids.text, LIT("x")), INVIGIL_ERROR_ARGUMENT);

    /* Elements: setting one twice replaces it; the integer element setter. */
    invigil_scanner_reset(s);
    FSTATUS(invigil_set_string(s, "urgent", LIT("x")), INVIGIL_ERROR_FIELD);
    FSTATUS(invigil_set_bool(s, "urgent", 1), INVIGIL_OK);
    FSTATUS(invigil_set_element_string(s, "recipients.role", 0, LIT("pupil")), INVIGIL_OK);
    FSTATUS(invigil_set_element_bool(s, "recipients.family", 0, 0), INVIGIL_OK);
    size_t n = 0;
    FSTATUS(invigil_scan(s, &n), INVIGIL_OK);
    FCHECK(n == 1); /* urgent-pupil: a pupil outside the family */
    FSTATUS(invigil_set_element_bool(s, "recipients.family", 0, 1), INVIGIL_OK); /* replaced */
    FSTATUS(invigil_scan(s, &n), INVIGIL_OK);
    FCHECK(n == 0);
    FSTATUS(invigil_set_element_string(s, "recipients.name", 2, LIT("C")), INVIGIL_OK);
    FSTATUS(invigil_set_element_string(s, "recipients.name", 1, LIT("B")), INVIGIL_OK);
    FSTATUS(invigil_set_element_string(s, "recipients.name", 2, LIT("C2")), INVIGIL_OK); /* out of order */
    const char *value = NULL;
    size_t length = 0;
    FSTATUS(invigil_event_string(s, "recipients.name", 0, &value, &length), INVIGIL_OK);
    FCHECK(length == 2 && memcmp(value, "C2", 2) == 0); /* value index 0 holds element 2 */
    FSTATUS(invigil_event_string(s, "recipients.name", 2, &value, &length), INVIGIL_ERROR_ARGUMENT);
    FSTATUS(invigil_set_element_int(s, "likes", 0, 5), INVIGIL_ERROR_FIELD); /* not a list */
    FSTATUS(invigil_set_element_int(s, "recipients.family", 0, 5), INVIGIL_ERROR_FIELD); /* a bool */
    FSTATUS(invigil_set_element_int(s, "recipients.role", 100000, 5), INVIGIL_ERROR_LIMIT);
    FSTATUS(invigil_set_element_int(s, NULL, 0, 5), INVIGIL_ERROR_ARGUMENT);
    invigil_scanner_free(s);
    invigil_scanner_free(by_name);
    invigil_rules_free(rules);
    invigil_rules_free(other);
}
