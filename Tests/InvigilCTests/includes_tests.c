/* C tests of includes in rule source compiled from memory (docs/c-api.md, "Compiling with
 * includes"): refused unless granted, confined to a base folder (no `..`, no symbolic link out),
 * supplied by a resolver callback, and never quoted when refused. Registered in abi_tests.c. */
#define _POSIX_C_SOURCE 200809L

#include "ctests_internal.h"
#include "invigil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ICHECK(cond)                                                                          \
    do {                                                                                      \
        if (!(cond)) invigil_ctests_record_failure(__FILE__, __LINE__, "check failed: " #cond); \
    } while (0)

#define ISTATUS(expr, expected)                                                                \
    do {                                                                                       \
        invigil_status st_ = (expr);                                                           \
        if (st_ != (expected)) {                                                               \
            char m_[512];                                                                      \
            snprintf(m_, sizeof m_, "%s returned %d (%s), expected %s", #expr, (int)st_,       \
                     invigil_status_string(st_), #expected);                                   \
            invigil_ctests_record_failure(__FILE__, __LINE__, m_);                             \
        }                                                                                      \
    } while (0)

static const char schema[] = "schema { text: text }\n";
static const char rule[] = "phrases p { \"our secret\" }\nrule r { severity info message \"m\" when p in text }\n";
/* A file that must never be read: its text would show in a diagnostic (it does not parse). */
static const char secret[] = "root:SECRET-HASH:19000:0:99999:7:::\n";

static void write_text(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    if (!f) {
        invigil_ctests_record_failure(__FILE__, __LINE__, "cannot write a temporary file");
        return;
    }
    fputs(text, f);
    fclose(f);
}

/* Every problem's text of an error, with its source line, for "is anything quoted" checks. */
static int error_mentions(const invigil_error *error, const char *needle) {
    for (const invigil_error *e = error; e; e = invigil_error_next(e)) {
        if (strstr(invigil_error_text(e), needle) || strstr(invigil_error_message(e), needle)) return 1;
    }
    return 0;
}

static int resolver_calls;

static int resolve(void *user, const char *path, const char *included_from, const char **out_text,
                   size_t *out_length) {
    ICHECK(user == (void *)&resolver_calls);
    resolver_calls++;
    if (strcmp(path, "common/schema.rules") == 0) {
        ICHECK(strcmp(included_from, "common/pack.rules") == 0);
        *out_text = schema;
        *out_length = strlen(schema);
        return 0;
    }
    if (strcmp(path, "common/pack.rules") == 0) {
        static const char pack[] = "include \"schema.rules\"\n";
        ICHECK(strcmp(included_from, "upload.rules") == 0);
        *out_text = pack;
        *out_length = strlen(pack);
        return 0;
    }
    return 1; /* everything else is refused */
}

void invigil_includes_test_from_memory(void) {
    char dir[64];
    snprintf(dir, sizeof dir, "/tmp/invigil-inc-XXXXXX");
    if (!mkdtemp(dir)) {
        invigil_ctests_record_failure(__FILE__, __LINE__, "mkdtemp failed");
        return;
    }
    char inside[128], outside[128], path[256], link_path[256], named[256];
    snprintf(inside, sizeof inside, "%s/rules", dir);
    snprintf(outside, sizeof outside, "%s/private", dir);
    mkdir(inside, 0700);
    mkdir(outside, 0700);
    snprintf(path, sizeof path, "%s/schema.rules", inside);
    write_text(path, schema);
    snprintf(path, sizeof path, "%s/shadow", outside);
    write_text(path, secret);
    /* Not named .rules, so that loading the folder reads it only through the include below
     * (a folder's own files are loaded as they are, links included, as before). */
    snprintf(link_path, sizeof link_path, "%s/link.txt", inside);
    ICHECK(symlink(path, link_path) == 0);
    char main_path[256];
    snprintf(main_path, sizeof main_path, "%s/main.rules", inside);
    write_text(main_path, "include \"link.txt\"\n");

    invigil_rules *rules = NULL;
    invigil_error *error = NULL;
    char source[512];

    /* 1. Plain compile: includes refused, even with a source_name whose folder holds the file. */
    snprintf(source, sizeof source, "include \"schema.rules\"\n%s", rule);
    snprintf(named, sizeof named, "%s/upload.rules", inside);
    ISTATUS(invigil_rules_compile(source, strlen(source), named, &rules, &error), INVIGIL_ERROR_IO);
    ICHECK(rules == NULL && error_mentions(error, "refused") && invigil_error_line(error) == 1);
    invigil_error_free(error);
    error = NULL;
    /* A file read relative to the working directory is refused the same way. */
    const char shadow_source[] = "include \"etc/shadow\"\n";
    ISTATUS(invigil_rules_compile(shadow_source, strlen(shadow_source), "upload.rules", &rules, &error), INVIGIL_ERROR_IO);
    invigil_error_free(error);
    error = NULL;
    ISTATUS(invigil_rules_compile_with_options(source, strlen(source), "upload.rules", NULL, &rules, &error),
            INVIGIL_ERROR_IO);
    invigil_error_free(error);
    error = NULL;

    /* 2. A base folder: includes inside it work; `..`, absolute paths and a link out are refused,
     * and the file behind the link is never quoted. */
    invigil_compile_options options;
    memset(&options, 0, sizeof options);
    options.size = sizeof options;
    options.include_folder = inside;
    ISTATUS(invigil_rules_compile_with_options(source, strlen(source), "upload.rules", &options, &rules, &error),
            INVIGIL_OK);
    ICHECK(rules != NULL && invigil_rules_count(rules) == 1);
    invigil_rules_free(rules);
    rules = NULL;
    const char *refused[] = {"include \"link.txt\"\n", "include \"../private/shadow\"\n", "include \"/etc/passwd\"\n"};
    for (size_t i = 0; i < 3; i++) {
        ICHECK(invigil_rules_compile_with_options(refused[i], strlen(refused[i]), "upload.rules", &options, &rules,
                                                  &error) != INVIGIL_OK);
        ICHECK(rules == NULL && error != NULL && !error_mentions(error, "SECRET-HASH"));
        invigil_error_free(error);
        error = NULL;
    }
    ISTATUS(invigil_rules_compile_with_options(refused[0], strlen(refused[0]), "upload.rules", &options, &rules, &error),
            INVIGIL_ERROR_IO);
    invigil_error_free(error);
    error = NULL;
    /* invigil_rules_load of the folder: an include through the link out is refused there too. */
    ISTATUS(invigil_rules_load(inside, &rules, &error), INVIGIL_ERROR_IO);
    ICHECK(error_mentions(error, "leads out of") && !error_mentions(error, "SECRET-HASH"));
    invigil_error_free(error);
    error = NULL;

    /* 3. A resolver: it supplies the text; paths are relative to the root, normalised. */
    memset(&options, 0, sizeof options);
    options.size = sizeof options;
    options.include_resolver = resolve;
    options.include_user = &resolver_calls;
    snprintf(source, sizeof source, "include \"common/pack.rules\"\n%s", rule);
    resolver_calls = 0;
    ISTATUS(invigil_rules_compile_with_options(source, strlen(source), "upload.rules", &options, &rules, &error),
            INVIGIL_OK);
    ICHECK(resolver_calls == 2 && rules != NULL);
    invigil_rules_free(rules);
    rules = NULL;
    ISTATUS(invigil_rules_compile_with_options(refused[0], strlen(refused[0]), "upload.rules", &options, &rules, &error),
            INVIGIL_ERROR_IO);
    ICHECK(error_mentions(error, "refused by the include resolver"));
    invigil_error_free(error);
    error = NULL;

    /* An include that names the folder itself is refused before the resolver is asked. */
    resolver_calls = 0;
    const char dot[] = "include \".\"\ninclude \"./\"\n";
    ISTATUS(invigil_rules_compile_with_options(dot, strlen(dot), "upload.rules", &options, &rules, &error),
            INVIGIL_ERROR_RULES);
    ICHECK(resolver_calls == 0 && invigil_error_count(error) == 2);
    invigil_error_free(error);
    error = NULL;

    /* 4. Misuse of the options. */
    options.size = 4;
    ISTATUS(invigil_rules_compile_with_options(source, strlen(source), "upload.rules", &options, &rules, &error),
            INVIGIL_ERROR_ARGUMENT);
    invigil_error_free(error);
    error = NULL;
    options.size = sizeof options;
    options.include_folder = inside;
    ISTATUS(invigil_rules_compile_with_options(source, strlen(source), "upload.rules", &options, &rules, &error),
            INVIGIL_ERROR_ARGUMENT);
    ICHECK(rules == NULL);
    invigil_error_free(error);

    unlink(link_path);
    unlink(main_path);
    snprintf(path, sizeof path, "%s/schema.rules", inside);
    unlink(path);
    snprintf(path, sizeof path, "%s/shadow", outside);
    unlink(path);
    rmdir(inside);
    rmdir(outside);
    rmdir(dir);
}
