/* Atomic operations on an int for the Swift implementation of the C interface (the scanner's
 * in-use flag and its interrupt request, see Sources/InvigilC/ScannerGuard.swift). Swift's own
 * atomics live in the Synchronization module, which the C libraries do not link; these compile
 * to single instructions. Private: not part of include/invigil.h. */
#ifndef IVG_ATOMIC_H
#define IVG_ATOMIC_H

static inline int ivg_atomic_load(const int *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }

static inline void ivg_atomic_store(int *p, int value) { __atomic_store_n(p, value, __ATOMIC_RELEASE); }

/* Sets *p to desired if it holds expected; returns 1 if it did. */
static inline int ivg_atomic_exchange_if(int *p, int expected, int desired) {
    return __atomic_compare_exchange_n(p, &expected, desired, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE) ? 1 : 0;
}

/* Adds delta to *p; returns the new value. */
static inline int ivg_atomic_add(int *p, int delta) { return __atomic_add_fetch(p, delta, __ATOMIC_ACQ_REL); }

#endif
