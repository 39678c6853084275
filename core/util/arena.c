/*
 * arena.c - bump allocation from a list of chunks.
 */
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_MIN (64 * 1024)
#define ALIGN 16

struct ef_arena_chunk {
    struct ef_arena_chunk *next;
    size_t size;
    size_t pos;
    /* data follows, aligned */
};

#define HDR (((sizeof(struct ef_arena_chunk) + ALIGN - 1) / ALIGN) * ALIGN)

void ef_arena_init(struct ef_arena *a, size_t max)
{
    a->head = NULL;
    a->used = 0;
    a->total = 0;
    a->max = max;
}

void ef_arena_free(struct ef_arena *a)
{
    struct ef_arena_chunk *c = a->head, *next;

    while (c) {
        next = c->next;
        free(c);
        c = next;
    }
    a->head = NULL;
    a->used = 0;
    a->total = 0;
}

void *ef_arena_alloc(struct ef_arena *a, size_t n)
{
    struct ef_arena_chunk *c = a->head;
    size_t need = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1), size;
    uint8_t *p;

    if (n > SIZE_MAX / 2)
        return NULL;
    if (need == 0)
        need = ALIGN;
    if (!c || c->size - c->pos < need) {
        size = need > CHUNK_MIN ? need : CHUNK_MIN;
        if (a->total + size > a->max)
            return NULL;
        c = malloc(HDR + size);
        if (!c)
            return NULL;
        c->next = a->head;
        c->size = size;
        c->pos = 0;
        a->head = c;
        a->total += size;
    }
    p = (uint8_t *)c + HDR + c->pos;
    c->pos += need;
    a->used += need;
    memset(p, 0, n);
    return p;
}

char *ef_arena_strndup(struct ef_arena *a, const char *s, size_t n)
{
    char *p = ef_arena_alloc(a, n + 1);

    if (!p)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *ef_arena_strdup(struct ef_arena *a, const char *s)
{
    return ef_arena_strndup(a, s, strlen(s));
}
