/* memory.c: the one allocation wrapper (never returns NULL), free-list pools of
 * fixed-size objects, so that events, calls and model jobs cost no malloc in the
 * steady state, and the FIFO ring models queue jobs in. Pools and rings grow by doubling
 * and give memory back only at fini; every growth is charged to the running world's
 * memory budget (budget.c), so the budget costs nothing per event. */
#include <stdlib.h>
#include <sys/mman.h>

#include "internal.h"

#define POOL_FIRST_BLOCK 64     /* objects in a pool's first block */
#define POOL_MAX_BLOCK 65536    /* and in every block once they have doubled this far */
#define HUGE_PAGE ((size_t)2 << 20)

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

/* Objects in block number n: doubling from POOL_FIRST_BLOCK, then POOL_MAX_BLOCK each,
 * so a pool of any size wastes at most one block and never shifts past a word. */
size_t sim__pool_block_objects(size_t n)
{
    size_t count = POOL_FIRST_BLOCK;
    while (n-- > 0 && count < POOL_MAX_BLOCK) count *= 2;
    return count;
}

/* Large blocks are aligned to a huge page and marked for transparent huge pages: a queue
 * that grows by gigabytes under overload (until the memory budget stops it) then takes one
 * page fault per 2 MiB instead of one per 4 KiB, which was half the time to reach the
 * budget (1GB: 4.6 s -> 3.0 s of CPU). Not zeroed; released with sim_free. */
void *sim__bulk_alloc(size_t n)
{
    if (n < HUGE_PAGE) {
        void *p = malloc(n ? n : 1);
        if (!p) sim__out_of_memory();
        return p;
    }
    if (n > SIZE_MAX - HUGE_PAGE) sim__out_of_memory();
    void *p = NULL;
    if (posix_memalign(&p, HUGE_PAGE, (n + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE))
        sim__out_of_memory();
#ifdef MADV_HUGEPAGE
    madvise(p, n, MADV_HUGEPAGE); /* advice only: the block works without it */
#endif
    return p;
}

/* A new block is carved lazily (p->next up to p->end): growth touches no object, so the
 * pages of a large pool are first written when an object is first handed out. */
__attribute__((noinline, cold)) static void grow(struct sim_pool *p)
{
    size_t count = sim__pool_block_objects(p->nchunks);
    if (p->size > SIZE_MAX / count) sim__out_of_memory();
    char *block = sim__bulk_alloc(count * p->size);
    if (p->nchunks == p->chunks_cap) { /* the block list doubles too: no quadratic copying */
        p->chunks_cap = p->chunks_cap ? 2 * p->chunks_cap : 8;
        p->chunks = sim_realloc(p->chunks, p->chunks_cap * sizeof *p->chunks);
    }
    p->chunks[p->nchunks++] = block;
    p->next = block;
    p->end = block + count * p->size;
    sim_memory_charge(count * p->size);
}

void *sim_pool_get(struct sim_pool *p)
{
    void *obj = p->free;
    if (obj) {
        p->free = *(void **)obj;
    } else {
        if (p->next == p->end) grow(p);
        obj = p->next;
        p->next += p->size;
    }
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
        if (cap > SIZE_MAX / sizeof *q->items) sim__out_of_memory();
        void **items = sim__bulk_alloc(cap * sizeof *items);
        sim_memory_charge((cap - q->cap) * sizeof *items);
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
