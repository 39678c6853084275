/*
 * bench_alloc.c - malloc, calloc and realloc counted; see bench_alloc.h.
 */
#include "bench_alloc.h"

#include <stddef.h>

#ifdef __GLIBC__
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t m);
extern void *__libc_realloc(void *p, size_t n);

/* Relaxed atomics: exact across threads, and cheap next to an allocation. */
static unsigned long long allocs;

void *malloc(size_t n)
{
    __atomic_fetch_add(&allocs, 1, __ATOMIC_RELAXED);
    return __libc_malloc(n);
}

void *calloc(size_t n, size_t m)
{
    __atomic_fetch_add(&allocs, 1, __ATOMIC_RELAXED);
    return __libc_calloc(n, m);
}

void *realloc(void *p, size_t n)
{
    __atomic_fetch_add(&allocs, 1, __ATOMIC_RELAXED);
    return __libc_realloc(p, n);
}

unsigned long long ef_bench_allocs(void)
{
    return __atomic_load_n(&allocs, __ATOMIC_RELAXED);
}
#else
unsigned long long ef_bench_allocs(void)
{
    return 0;
}
#endif
