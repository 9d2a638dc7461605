/* A program outside the tree, written only from the contract (shared/spec/c-api.md), built by
 * the install test with plain `cc $(pkg-config --cflags --libs invigil)`. */
#include <invigil.h>

#include <stdio.h>
#include <string.h>

static const char rules_text[] =
    "schema { author.role: enum(staff, pupil, parent)  recipients.role: list enum(staff, pupil, parent)  text: text }\n"
    "phrases contact_offer { \"text me\" \"add me on snap\" }\n"
    "rule staff-contact {\n"
    "  clauses WOOL-07, WOOL-08  severity serious  action \"Report to the Headteacher\"\n"
    "  message \"Staff must not give pupils personal contact details.\"\n"
    "  when author.role == staff and recipients.role == pupil and (contact_offer in text or phone in text)\n"
    "}\n";

int main(void) {
    invigil_rules *rules = NULL;
    invigil_error *error = NULL;
    if (invigil_rules_compile(rules_text, strlen(rules_text), "consumer.rules", &rules, &error) != INVIGIL_OK) {
        fprintf(stderr, "%s:%u:%u: %s\n", invigil_error_source(error), invigil_error_line(error),
                invigil_error_column(error), invigil_error_message(error));
        invigil_error_free(error);
        return 1;
    }
    invigil_scanner *s = NULL;
    if (invigil_scanner_new(rules, &s) != INVIGIL_OK) return 1;
    const char *text = "text me on 07700 900123";
    size_t n = 0;
    if (invigil_set_string(s, "author.role", "staff", 5) != INVIGIL_OK ||
        invigil_add_string(s, "recipients.role", "pupil", 5) != INVIGIL_OK ||
        invigil_set_string(s, "text", text, strlen(text)) != INVIGIL_OK || invigil_scan(s, &n) != INVIGIL_OK)
        return 1;
    int ok = n == 1;
    for (size_t i = 0; i < n; i++) {
        invigil_finding f;
        if (invigil_finding_at(s, i, &f) != INVIGIL_OK) return 1;
        printf("%s [%s, level %d] %s (%s) clauses %s, %zu match(es)\n", f.rule, f.severity, f.level, f.message,
               f.action, f.clauses, f.match_count);
        ok = ok && strcmp(f.rule, "consumer/staff-contact") == 0 && f.level == 3 && f.match_count == 2;
        for (size_t m = 0; m < f.match_count; m++) {
            invigil_match match;
            if (invigil_match_at(s, i, m, &match) != INVIGIL_OK) return 1;
            printf("  %s %zu-%zu %s\n", match.field, match.start, match.end, match.pattern);
        }
    }
    invigil_scanner_reset(s);
    if (invigil_scan_json(s, "{\"text\": 5}", 11, &n, &error) != INVIGIL_ERROR_FIELD) ok = 0;
    invigil_error_free(error);
    invigil_scanner_free(s);
    invigil_rules_free(rules);
    printf("invigil %s: %s\n", invigil_version(), ok ? "ok" : "WRONG");
    return ok ? 0 : 1;
}
