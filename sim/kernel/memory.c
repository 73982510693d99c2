/* memory.c: the one allocation wrapper (never returns NULL), free-list pools of
 * fixed-size objects, so that events, calls and model jobs cost no malloc in the
 * steady state, and the FIFO ring models queue jobs in. Pools and rings grow by doubling
 * and give memory back only at fini. */
#include <stdlib.h>

#include "internal.h"

void sim__out_of_memory(void)
{
    fputs("archsim: out of memory\n", stderr);
    exit(3);
}

void *sim_alloc(size_t n)
{
    void *p = calloc(1, n ? n : 1);
    if (!p) sim__out_of_memory();
    return p;
}

void *sim_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) sim__out_of_memory();
    return q;
}

char *sim_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = sim_alloc(n);
    memcpy(d, s, n);
    return d;
}

void sim_free(void *p)
{
    free(p);
}

void sim_pool_init(struct sim_pool *p, size_t size)
{
    size_t align = sizeof(void *) > 8 ? sizeof(void *) : 8;
    memset(p, 0, sizeof *p);
    p->size = (size + align - 1) / align * align;
}

/* A new block holds as many objects as all earlier blocks together (at least 64). */
static void grow(struct sim_pool *p)
{
    size_t count = 64;
    for (size_t i = 0; i < p->nchunks; i++) count *= 2;
    if (count > 65536) count = 65536;
    char *block = malloc(count * p->size);
    if (!block) sim__out_of_memory();
    p->chunks = sim_realloc(p->chunks, (p->nchunks + 1) * sizeof *p->chunks);
    p->chunks[p->nchunks++] = block;
    for (size_t i = count; i-- > 0;) {
        void *obj = block + i * p->size;
        *(void **)obj = p->free;
        p->free = obj;
    }
}

void *sim_pool_get(struct sim_pool *p)
{
    if (!p->free) grow(p);
    void *obj = p->free;
    p->free = *(void **)obj;
    p->live++;
    return obj;
}

void sim_pool_put(struct sim_pool *p, void *obj)
{
    *(void **)obj = p->free;
    p->free = obj;
    p->live--;
}

void sim_pool_fini(struct sim_pool *p)
{
    for (size_t i = 0; i < p->nchunks; i++) free(p->chunks[i]);
    free(p->chunks);
    memset(p, 0, sizeof *p);
}

void sim_fifo_push(struct sim_fifo *q, void *item)
{
    if (q->count == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 16;
        void **items = sim_alloc(cap * sizeof *items);
        for (size_t i = 0; i < q->count; i++) items[i] = q->items[(q->head + i) % q->cap];
        sim_free(q->items);
        q->items = items;
        q->head = 0;
        q->cap = cap;
    }
    q->items[(q->head + q->count) % q->cap] = item;
    q->count++;
}

void *sim_fifo_pop(struct sim_fifo *q)
{
    if (!q->count) return NULL;
    void *item = q->items[q->head];
    q->head = (q->head + 1) % q->cap;
    q->count--;
    return item;
}

void sim_fifo_fini(struct sim_fifo *q)
{
    sim_free(q->items);
    memset(q, 0, sizeof *q);
}
