/* calendar.c: the event queue. A 4-ary min-heap on (time, seq) keeps the keys inline so
 * the hold pattern (pop the earliest, push a later one) touches few cache lines; events
 * due at the current instant skip the heap and wait in a FIFO, which preserves (time,
 * seq) order because they are always the newest events of the current instant. So the
 * FIFO needs no sequence numbers, and a zero-delay hop nobody can cancel needs no event
 * record either: the FIFO keeps whom to call with what. */
#include "internal.h"

void sim__calendar_init(struct sim__calendar *c)
{
    memset(c, 0, sizeof *c);
    c->cap = 256;
    c->heap = sim_alloc(c->cap * sizeof *c->heap);
    c->fcap = 256;
    c->fifo = sim_alloc(c->fcap * sizeof *c->fifo);
}

void sim__calendar_fini(struct sim__calendar *c)
{
    sim_free(c->heap);
    sim_free(c->fifo);
    memset(c, 0, sizeof *c);
}

size_t sim__calendar_size(const struct sim__calendar *c)
{
    return c->n + c->count;
}

static inline bool before(const struct sim__slot *a, const struct sim__slot *b)
{
    return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

/* Rare, so kept out of line: the push it serves stays a few stores. */
__attribute__((noinline, cold)) static void fifo_grow(struct sim__calendar *c)
{
    struct sim__hop *bigger = sim__bulk_alloc(2 * c->fcap * sizeof *bigger);
    sim_memory_charge(c->fcap * sizeof *bigger);
    for (size_t i = 0; i < c->count; i++) bigger[i] = c->fifo[(c->head + i) & (c->fcap - 1)];
    sim_free(c->fifo);
    c->fifo = bigger;
    c->head = 0;
    c->fcap *= 2;
}

static inline void fifo_push(struct sim__calendar *c, sim_time now, struct sim__hop hop)
{
    if (c->count == c->fcap) fifo_grow(c);
    c->fifo[(c->head + c->count) & (c->fcap - 1)] = hop;
    c->count++;
    c->fifo_time = now;
}

__attribute__((noinline, cold)) static void heap_grow(struct sim__calendar *c)
{
    sim_memory_charge(c->cap * sizeof *c->heap);
    c->cap *= 2;
    c->heap = sim_realloc(c->heap, c->cap * sizeof *c->heap);
}

static void heap_push(struct sim__calendar *c, struct sim_event *ev)
{
    if (c->n == c->cap) heap_grow(c);
    struct sim__slot s = {ev->time, ev->seq, ev};
    size_t i = c->n++;
    while (i > 0) {
        size_t parent = (i - 1) / 4;
        if (!before(&s, &c->heap[parent])) break;
        c->heap[i] = c->heap[parent];
        i = parent;
    }
    c->heap[i] = s;
}

static struct sim_event *heap_pop(struct sim__calendar *c)
{
    struct sim_event *top = c->heap[0].ev;
    struct sim__slot last = c->heap[--c->n];
    size_t i = 0, n = c->n;
    for (;;) {
        size_t child = 4 * i + 1;
        if (child >= n) break;
        size_t best = child, end = child + 4 < n ? child + 4 : n;
        for (size_t k = child + 1; k < end; k++)
            if (before(&c->heap[k], &c->heap[best])) best = k;
        if (!before(&c->heap[best], &last)) break;
        c->heap[i] = c->heap[best];
        i = best;
    }
    c->heap[i] = last;
    return top;
}

void sim__calendar_push(struct sim__calendar *c, struct sim_event *ev, sim_time now)
{
    if (ev->time == now) fifo_push(c, now, (struct sim__hop){.ev = ev});
    else heap_push(c, ev);
}

void sim__calendar_hop(struct sim__calendar *c, sim_time now, struct sim_component *self,
                       sim_handler fn, void *arg)
{
    fifo_push(c, now, (struct sim__hop){NULL, self, fn, arg});
}

bool sim__calendar_next(struct sim__calendar *c, sim_time limit, struct sim__hop *out)
{
    /* Heap events due at the FIFO's instant were pushed before the clock got there, so
     * they precede every FIFO entry; the heap holds nothing earlier. */
    if (c->count && !(c->n && c->heap[0].time <= c->fifo_time)) {
        *out = c->fifo[c->head];
        c->head = (c->head + 1) & (c->fcap - 1);
        c->count--;
        return true;
    }
    if (!c->n || c->heap[0].time > limit) return false;
    out->ev = heap_pop(c);
    return true;
}

struct sim_event *sim__calendar_pop(struct sim__calendar *c, sim_time limit)
{
    struct sim__hop next;
    if (!sim__calendar_next(c, limit, &next)) return NULL;
    SIM_ASSERT(NULL, next.ev != NULL);
    return next.ev;
}
