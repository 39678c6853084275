/*
 * bench_alloc.h - heap allocations counted in the whole process, for
 * "allocations per event" (decode_bench, live_bench).
 *
 * bench_alloc.c defines malloc, calloc and realloc in the benchmark's
 * executable: with glibc those definitions win over libc's for every
 * library of the process (yajl, libuv included) and forward to
 * __libc_malloc and friends. Elsewhere nothing is counted.
 */
#ifndef EF_BENCH_ALLOC_H
#define EF_BENCH_ALLOC_H

/* Any libc header, so that __GLIBC__ is defined where it applies. */
#include <stdlib.h>

/* 1 where allocations are counted (glibc), else 0. */
#ifdef __GLIBC__
#define EF_BENCH_ALLOCS_COUNTED 1
#else
#define EF_BENCH_ALLOCS_COUNTED 0
#endif

/* malloc + calloc + realloc calls so far, from every thread (0 where not counted). Any thread. */
unsigned long long ef_bench_allocs(void);

#endif
