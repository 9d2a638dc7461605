/* libFuzzer's entry point for programs that have their own main (Fuzz/Sources/main.swift). */
#ifndef INVIGIL_FUZZ_DRIVER_H
#define INVIGIL_FUZZ_DRIVER_H
#include <stddef.h>
#include <stdint.h>

typedef int (*invigil_fuzz_callback)(const uint8_t *data, size_t size);

/* Provided by libclang_rt.fuzzer (linked by -sanitize=fuzzer). */
int LLVMFuzzerRunDriver(int *argc, char ***argv, invigil_fuzz_callback callback);

#endif
