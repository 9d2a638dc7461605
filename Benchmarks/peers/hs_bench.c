// Hyperscan driver for Benchmarks/peers.sh: the same phrase set and corpus as invigil-bench,
// caseless literals, every match reported (no SINGLEMATCH, no SOM), block mode.
//   hs_bench PHRASES CORPUS RUNS  ->  one line: compile_ms db_bytes buffer_MBps lines_MBps matches lines
// Build: cc -O2 -o hs_bench hs_bench.c $(pkg-config --cflags --libs libhs)
#include <hs/hs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(2); }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc(n + 1);
    if (fread(buf, 1, n, f) != (size_t)n) { perror(path); exit(2); }
    fclose(f);
    buf[n] = 0;
    *len = (size_t)n;
    return buf;
}

static int on_match(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags, void *ctx) {
    (void)id; (void)from; (void)to; (void)flags;
    ++*(unsigned long long *)ctx;
    return 0;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: hs_bench PHRASES CORPUS RUNS\n"); return 64; }
    size_t plen, clen;
    char *phr = slurp(argv[1], &plen);
    char *text = slurp(argv[2], &clen);
    int runs = atoi(argv[3]);
    if (runs < 1) runs = 1;
    // Phrases, one per line.
    size_t cap = 1024, n = 0;
    const char **exprs = malloc(cap * sizeof *exprs);
    size_t *lens = malloc(cap * sizeof *lens);
    for (char *p = phr; p < phr + plen;) {
        char *nl = memchr(p, '\n', phr + plen - p);
        size_t l = nl ? (size_t)(nl - p) : (size_t)(phr + plen - p);
        if (l > 0) {
            if (n == cap) { cap *= 2; exprs = realloc(exprs, cap * sizeof *exprs); lens = realloc(lens, cap * sizeof *lens); }
            exprs[n] = p; lens[n] = l; n++;
        }
        p += l + 1;
    }
    unsigned *flags = malloc(n * sizeof *flags), *ids = malloc(n * sizeof *ids);
    for (size_t i = 0; i < n; i++) { flags[i] = HS_FLAG_CASELESS; ids[i] = (unsigned)i; }
    hs_database_t *db = NULL;
    hs_compile_error_t *err = NULL;
    double t0 = now();
    if (hs_compile_lit_multi(exprs, flags, ids, lens, (unsigned)n, HS_MODE_BLOCK, NULL, &db, &err) != HS_SUCCESS) {
        fprintf(stderr, "hs_compile_lit_multi: %s\n", err ? err->message : "?");
        return 1;
    }
    double compile = now() - t0;
    size_t dbsize = 0;
    hs_database_size(db, &dbsize);
    hs_scratch_t *scratch = NULL;
    hs_alloc_scratch(db, &scratch);
    // Message boundaries.
    size_t lcap = 1 << 16, nlines = 0;
    size_t *ls = malloc(lcap * sizeof *ls), *ll = malloc(lcap * sizeof *ll);
    for (char *p = text; p < text + clen;) {
        char *nl = memchr(p, '\n', text + clen - p);
        size_t l = nl ? (size_t)(nl - p) : (size_t)(text + clen - p);
        if (nlines == lcap) { lcap *= 2; ls = realloc(ls, lcap * sizeof *ls); ll = realloc(ll, lcap * sizeof *ll); }
        ls[nlines] = (size_t)(p - text); ll[nlines] = l; nlines++;
        p += l + 1;
    }
    double *tb = malloc(runs * sizeof(double)), *tl = malloc(runs * sizeof(double));
    unsigned long long matches = 0, lmatches = 0;
    for (int r = 0; r < runs; r++) {
        matches = 0;
        t0 = now();
        hs_scan(db, text, (unsigned)clen, 0, scratch, on_match, &matches);
        tb[r] = now() - t0;
        lmatches = 0;
        t0 = now();
        for (size_t i = 0; i < nlines; i++) hs_scan(db, text + ls[i], (unsigned)ll[i], 0, scratch, on_match, &lmatches);
        tl[r] = now() - t0;
    }
    qsort(tb, runs, sizeof(double), cmp_double);
    qsort(tl, runs, sizeof(double), cmp_double);
    double mb = runs % 2 ? tb[runs / 2] : (tb[runs / 2 - 1] + tb[runs / 2]) / 2;
    double ml = runs % 2 ? tl[runs / 2] : (tl[runs / 2 - 1] + tl[runs / 2]) / 2;
    // Last: calls per second of one call per message (the C ABI's comparison, issue 14).
    printf("%.3f %zu %.1f %.1f %llu %zu %llu %.0f\n", compile * 1000, dbsize, clen / mb / 1e6, (clen - nlines) / ml / 1e6,
           matches, nlines, lmatches, nlines / ml);
    return 0;
}
