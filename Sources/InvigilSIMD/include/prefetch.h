// A prefetch hint for the compiled-file loader's walks over its sections.
#ifndef INVIGIL_PREFETCH_H
#define INVIGIL_PREFETCH_H

/// Asks the CPU to bring the 256 bytes from p into the cache ahead of their use (the loader's
/// walks from record to record over a section, where each record's position is known only once
/// the previous one is read, would otherwise wait on each line in turn). A hint: p need not be
/// a valid address.
static inline void ivg_prefetch_256(const void *p) {
    const char *c = (const char *)p;
    __builtin_prefetch(c);
    __builtin_prefetch(c + 64);
    __builtin_prefetch(c + 128);
    __builtin_prefetch(c + 192);
}

#endif
