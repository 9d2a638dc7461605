/* dladdr for the Swift implementation of invigil_packs_folder (Sources/InvigilC/Packs.swift): the
 * C library declares Dl_info only under _GNU_SOURCE, which the Swift importer's Glibc module is
 * not built with, so the function is declared here under its own name, bound to the symbol
 * `dladdr` (the struct has glibc's layout). Private: not part of include/invigil.h. */
#ifndef IVG_DL_H
#define IVG_DL_H

typedef struct ivg_dl_info {
    const char *dli_fname; /* the file (shared object or program) that holds the address */
    void *dli_fbase;
    const char *dli_sname;
    void *dli_saddr;
} ivg_dl_info;

int ivg_dladdr(const void *address, ivg_dl_info *info) __asm__("dladdr");

#endif
