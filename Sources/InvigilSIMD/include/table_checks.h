// The compiled-file loader's checks over whole u32 tables with AVX-512 (table_checks.c): the
// same answers as the Swift passes in Sources/Invigil/Serialize/TableChecks.swift, which the
// tests check them against and which run where these cannot.
#ifndef INVIGIL_TABLE_CHECKS_H
#define INVIGIL_TABLE_CHECKS_H
#include <stddef.h>
#include <stdint.h>

/// 1 if the ivg_u32_* kernels below can run on this CPU (AVX-512 F), else 0.
int ivg_table_checks_available(void);

/// The largest of p[0..<count] (0 when count is 0).
uint32_t ivg_u32_largest(const uint32_t *p, size_t count);

/// 1 if p[0..<count] never decreases, else 0.
int ivg_u32_non_decreasing(const uint32_t *p, size_t count);

/// 1 if p[0...n] never decreases and p[i] > i for every i < n, else 0 (reads n + 1 entries).
int ivg_u32_starts_after_index(const uint32_t *p, size_t n);

/// 1 if p[i] < i for every 0 < i < n, else 0.
int ivg_u32_below_index(const uint32_t *p, size_t n);

#endif
