/* Prints the layout of every public struct and the value of every public enum constant of
 * include/invigil.h, one fact a line, for Tests/C/abi_check.sh to compare with the committed
 * baseline (Tests/C/abi/layout.txt). A line of the baseline that changes is an ABI break. */
#include "invigil.h"

#include <stddef.h>
#include <stdio.h>

#define SIZE(type) printf("sizeof %s %zu\n", #type, sizeof(type))
#define FIELD(type, field) printf("offsetof %s.%s %zu\n", #type, #field, offsetof(type, field))
#define VALUE(name) printf("value %s %lld\n", #name, (long long)(name))

int main(void) {
    SIZE(invigil_finding);
    FIELD(invigil_finding, rule);
    FIELD(invigil_finding, clauses);
    FIELD(invigil_finding, severity);
    FIELD(invigil_finding, level);
    FIELD(invigil_finding, action);
    FIELD(invigil_finding, message);
    FIELD(invigil_finding, match_count);
    FIELD(invigil_finding, rule_index);
    SIZE(invigil_match);
    FIELD(invigil_match, field);
    FIELD(invigil_match, start);
    FIELD(invigil_match, end);
    FIELD(invigil_match, pattern);
    FIELD(invigil_match, value_index);
    SIZE(invigil_field);
    FIELD(invigil_field, name);
    FIELD(invigil_field, type);
    FIELD(invigil_field, is_list);
    SIZE(invigil_compile_options);
    FIELD(invigil_compile_options, size);
    FIELD(invigil_compile_options, include_folder);
    FIELD(invigil_compile_options, include_resolver);
    FIELD(invigil_compile_options, include_user);
    SIZE(invigil_status);
    SIZE(invigil_field_type);
    SIZE(invigil_field_id);
    VALUE(INVIGIL_OK);
    VALUE(INVIGIL_ERROR_ARGUMENT);
    VALUE(INVIGIL_ERROR_SYNTAX);
    VALUE(INVIGIL_ERROR_RULES);
    VALUE(INVIGIL_ERROR_LIMIT);
    VALUE(INVIGIL_ERROR_IO);
    VALUE(INVIGIL_ERROR_FIELD);
    VALUE(INVIGIL_ERROR_EVENT);
    VALUE(INVIGIL_ERROR_MEMORY);
    VALUE(INVIGIL_ERROR_BUSY);
    VALUE(INVIGIL_ERROR_INTERRUPTED);
    VALUE(INVIGIL_FIELD_STRING);
    VALUE(INVIGIL_FIELD_TEXT);
    VALUE(INVIGIL_FIELD_BOOL);
    VALUE(INVIGIL_FIELD_INT);
    VALUE(INVIGIL_FIELD_TIME);
    VALUE(INVIGIL_FIELD_ENUM);
    VALUE(INVIGIL_NO_OFFSET);
    VALUE(INVIGIL_DEFAULT_MATCH_LIMIT);
    VALUE(INVIGIL_MAX_MATCH_LIMIT);
    return 0;
}
