/*
 * arena.h - a bump allocator for data that lives and dies together.
 *
 * Schema sources build thousands of small strings and arrays (a manifest's
 * events, templates and maps) that are all freed when the source is. An
 * arena hands them out from large chunks and frees the chunks at once; it
 * has a cap, like ef_buf, so a hostile manifest cannot exhaust memory.
 *
 * An arena is owned by one thread at a time.
 */
#ifndef EF_UTIL_ARENA_H
#define EF_UTIL_ARENA_H

#include <stddef.h>

struct ef_arena_chunk;

struct ef_arena {
    struct ef_arena_chunk *head;
    size_t used;  /* bytes handed out, padding included */
    size_t total; /* bytes of all chunks */
    size_t max;   /* cap on total */
};

void ef_arena_init(struct ef_arena *a, size_t max);
void ef_arena_free(struct ef_arena *a);
/* n bytes aligned for any type, zero-filled; NULL when out of memory or past the cap. */
void *ef_arena_alloc(struct ef_arena *a, size_t n);
/* A copy of n bytes of s plus a NUL; NULL on failure. */
char *ef_arena_strndup(struct ef_arena *a, const char *s, size_t n);
char *ef_arena_strdup(struct ef_arena *a, const char *s);

#endif
