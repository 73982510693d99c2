/* ring.c: the consistent-hash ring models share (a database's shards, a cache cluster's
 * nodes, a load balancer's backends). Points are kept sorted by (position, owner), so a
 * lookup is one binary search and ties resolve the same way on every machine. */
#include <stdlib.h>

#include "sim.h"

void sim_ring_add(struct sim_ring *r, uint64_t at, int owner)
{
    if (r->count == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 64;
        r->points = sim_realloc(r->points, r->cap * sizeof *r->points);
    }
    r->points[r->count++] = (struct sim_ring_point){at, owner};
}

/* Virtual node v of owner i sits at sim_hash64(sim_hash64(i << 32 | v)): hashed twice so
 * that a small key never lands exactly on a small owner's point. */
void sim_ring_add_numbered(struct sim_ring *r, int owner, int vnodes)
{
    for (int v = 0; v < vnodes; v++)
        sim_ring_add(r, sim_hash64(sim_hash64((uint64_t)(uint32_t)owner << 32 | (uint64_t)v)),
                     owner);
}

/* 64-bit FNV-1a of a string. */
static uint64_t fnv1a(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++) h = (h ^ (uint8_t)*s) * 0x100000001b3ULL;
    return h;
}

/* Virtual node v sits at sim_hash64(id ^ sim_hash64(v + 1)), id the name's FNV-1a hash. */
void sim_ring_add_named(struct sim_ring *r, int owner, const char *name, int vnodes)
{
    uint64_t id = fnv1a(name);
    for (int v = 0; v < vnodes; v++) sim_ring_add(r, sim_hash64(id ^ sim_hash64((uint64_t)v + 1)), owner);
}

static int point_order(const void *a, const void *b)
{
    const struct sim_ring_point *x = a, *y = b;
    if (x->at != y->at) return x->at < y->at ? -1 : 1;
    return (x->owner > y->owner) - (x->owner < y->owner);
}

void sim_ring_sort(struct sim_ring *r)
{
    if (r->count) qsort(r->points, r->count, sizeof *r->points, point_order);
}

int sim_ring_owner(const struct sim_ring *r, uint64_t key)
{
    if (!r->count) return -1;
    uint64_t at = sim_hash64(key);
    size_t lo = 0, hi = r->count; /* the first point with .at >= at lies in [lo, hi] */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->points[mid].at < at) lo = mid + 1;
        else hi = mid;
    }
    return r->points[lo == r->count ? 0 : lo].owner;
}

void sim_ring_filter(struct sim_ring *dst, const struct sim_ring *src,
                     bool (*keep)(int owner, void *arg), void *arg)
{
    if (dst->cap < src->count) {
        dst->cap = src->count;
        dst->points = sim_realloc(dst->points, dst->cap * sizeof *dst->points);
    }
    dst->count = 0;
    for (size_t p = 0; p < src->count; p++)
        if (keep(src->points[p].owner, arg)) dst->points[dst->count++] = src->points[p];
}

void sim_ring_fini(struct sim_ring *r)
{
    sim_free(r->points);
    *r = (struct sim_ring){0};
}
