/* evict.c: eviction policies over ids, each from its paper: ARC (Megiddo & Modha 2003),
 * 2Q (Johnson & Shasha 1994), S3-FIFO (Yang et al. 2023), SIEVE (Zhang et al. 2024) and
 * W-TinyLFU (Einziger et al. 2017). Every id, resident or ghost, is one node on exactly
 * one list (head newest); nodes and the id map are preallocated at init, so an access
 * allocates nothing and costs O(1) amortised. */
#include "sim.h"

const char *const sim_evict_names[] = {"arc", "2q", "s3_fifo", "sieve", "w_tinylfu", NULL};

#define NIL 0u

enum { T1, T2, B1, B2 };                /* arc */
enum { A1IN, AM, A1OUT };               /* 2q */
enum { SMALL, MAIN, GHOST };            /* s3_fifo */
enum { QUEUE };                         /* sieve */
enum { WINDOW, PROBATION, PROTECTED };  /* w_tinylfu */

#define SKETCH_ROWS 4
#define COUNTER_MAX 15 /* 4 bits */

/* ---- the id map: linear probing over node indices, deletion by backward shift ---- */

static size_t home(const struct sim_evict *e, uint64_t id)
{
    return sim_hash64(id) & e->mask;
}

static uint32_t lookup(const struct sim_evict *e, uint64_t id)
{
    for (size_t i = home(e, id);; i = (i + 1) & e->mask) {
        uint32_t n = e->slots[i];
        if (n == NIL || e->nodes[n].id == id) return n;
    }
}

static void map_put(struct sim_evict *e, uint32_t n)
{
    size_t i = home(e, e->nodes[n].id);
    while (e->slots[i]) i = (i + 1) & e->mask;
    e->slots[i] = n;
}

static void map_delete(struct sim_evict *e, uint32_t n)
{
    size_t i = home(e, e->nodes[n].id);
    while (e->slots[i] != n) i = (i + 1) & e->mask;
    for (size_t j = (i + 1) & e->mask; e->slots[j]; j = (j + 1) & e->mask) {
        size_t k = home(e, e->nodes[e->slots[j]].id);
        /* slot j may move back to the hole at i unless its home lies cyclically in (i, j] */
        bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
        if (stays) continue;
        e->slots[i] = e->slots[j];
        i = j;
    }
    e->slots[i] = NIL;
}

/* ---- lists ---- */

static bool is_ghost(const struct sim_evict *e, uint32_t n)
{
    return e->ghosts >> e->nodes[n].list & 1;
}

static void unlink_node(struct sim_evict *e, uint32_t n)
{
    struct sim_evict_node *x = &e->nodes[n];
    struct sim_evict_list *l = &e->lists[x->list];
    if (x->prev) e->nodes[x->prev].next = x->next;
    else l->head = x->next;
    if (x->next) e->nodes[x->next].prev = x->prev;
    else l->tail = x->prev;
    l->count--;
    if (!is_ghost(e, n)) e->resident--;
}

static void push_head(struct sim_evict *e, uint32_t n, int list)
{
    struct sim_evict_node *x = &e->nodes[n];
    struct sim_evict_list *l = &e->lists[list];
    x->list = (uint8_t)list;
    x->prev = NIL;
    x->next = l->head;
    if (l->head) e->nodes[l->head].prev = n;
    else l->tail = n;
    l->head = n;
    l->count++;
    if (!is_ghost(e, n)) e->resident++;
}

static void move_head(struct sim_evict *e, uint32_t n, int list)
{
    unlink_node(e, n);
    push_head(e, n, list);
}

static uint32_t node_new(struct sim_evict *e, uint64_t id, int list)
{
    uint32_t n = e->free_head;
    if (n) e->free_head = e->nodes[n].next;
    else n = ++e->nodes_used;
    SIM_ASSERT(NULL, n <= e->nodes_max); /* a policy kept more ghosts than it sized for */
    e->nodes[n] = (struct sim_evict_node){.id = id};
    map_put(e, n);
    push_head(e, n, list);
    return n;
}

static void node_free(struct sim_evict *e, uint32_t n)
{
    unlink_node(e, n);
    map_delete(e, n);
    e->nodes[n].next = e->free_head;
    e->free_head = n;
}

/* A resident node leaves for good: its value goes, and no ghost remembers it. */
static void evict_node(struct sim_evict *e, uint32_t n)
{
    uint64_t id = e->nodes[n].id;
    if (e->hand == n) e->hand = e->nodes[n].prev;
    node_free(e, n);
    if (e->evicted) e->evicted(e->arg, id);
}

/* A resident node leaves for ghost list `ghost` (capacity max): its value goes, its id stays. */
static void evict_to_ghost(struct sim_evict *e, uint32_t n, int ghost, uint32_t max)
{
    if (!max) {
        evict_node(e, n);
        return;
    }
    struct sim_evict_list *g = &e->lists[ghost];
    if (g->count >= max) node_free(e, g->tail);
    move_head(e, n, ghost);
    if (e->evicted) e->evicted(e->arg, e->nodes[n].id);
}

/* ---- the count-min sketch (w_tinylfu): 4-bit counters, halved every `sample` additions ---- */

static uint32_t counter_at(const struct sim_evict *e, int row, uint64_t id, uint64_t **word)
{
    uint32_t c = (uint32_t)(sim_hash64(id + 0x9e3779b97f4a7c15ULL * (uint64_t)(row + 1)) &
                            (e->width - 1));
    *word = &e->sketch[((size_t)row * e->width + c) / 16];
    return c % 16 * 4; /* the counter's bit offset in its word */
}

static uint32_t frequency(const struct sim_evict *e, uint64_t id)
{
    uint32_t f = COUNTER_MAX;
    for (int r = 0; r < SKETCH_ROWS; r++) {
        uint64_t *w;
        uint32_t at = counter_at(e, r, id, &w), v = (uint32_t)(*w >> at & 15);
        if (v < f) f = v;
    }
    return f;
}

static void sketch_add(struct sim_evict *e, uint64_t id)
{
    for (int r = 0; r < SKETCH_ROWS; r++) {
        uint64_t *w;
        uint32_t at = counter_at(e, r, id, &w);
        if ((*w >> at & 15) < COUNTER_MAX) *w += 1ULL << at;
    }
    if (++e->added < e->sample) return;
    size_t words = (size_t)SKETCH_ROWS * e->width / 16;
    for (size_t i = 0; i < words; i++) e->sketch[i] = e->sketch[i] >> 1 & 0x7777777777777777ULL;
    e->added /= 2;
}

/* ---- arc ---- */

/* REPLACE(x, p): the LRU page of T1 goes to B1 if T1 is over its target (or at it, when
 * x was found in B2), else the LRU page of T2 goes to B2. */
static void arc_replace(struct sim_evict *e, bool in_b2)
{
    uint32_t t1 = e->lists[T1].count;
    if (t1 && ((in_b2 && t1 == e->target) || t1 > e->target || !e->lists[T2].count))
        evict_to_ghost(e, e->lists[T1].tail, B1, UINT32_MAX); /* the cases bound B1 and B2 */
    else
        evict_to_ghost(e, e->lists[T2].tail, B2, UINT32_MAX);
}

static void arc_insert(struct sim_evict *e, uint64_t id)
{
    uint32_t c = e->capacity, n = lookup(e, id);
    struct sim_evict_list *l = e->lists;
    bool full = e->resident >= c;
    if (n && e->nodes[n].list == B1) { /* case II: recency was evicted too soon */
        uint32_t d = l[B2].count > l[B1].count ? l[B2].count / l[B1].count : 1;
        e->target = e->target + d < c ? e->target + d : c;
        if (full) arc_replace(e, false);
        move_head(e, n, T2);
        return;
    }
    if (n) { /* case III: in B2, frequency was evicted too soon */
        uint32_t d = l[B1].count > l[B2].count ? l[B1].count / l[B2].count : 1;
        e->target = e->target > d ? e->target - d : 0;
        if (full) arc_replace(e, true);
        move_head(e, n, T2);
        return;
    }
    uint32_t l1 = l[T1].count + l[B1].count, all = l1 + l[T2].count + l[B2].count;
    if (l1 == c) { /* case IV.A */
        if (l[T1].count < c) {
            node_free(e, l[B1].tail);
            if (full) arc_replace(e, false);
        } else {
            evict_node(e, l[T1].tail);
        }
    } else if (all >= c) { /* case IV.B */
        if (all >= 2 * c) node_free(e, l[B2].tail);
        if (full) arc_replace(e, false);
    }
    node_new(e, id, T1);
}

/* ---- 2q ---- */

/* reclaimfor: a full cache pages out A1in's oldest to A1out if A1in is over Kin, else Am's
 * least recently used. */
static void twoq_reclaim(struct sim_evict *e)
{
    if (e->resident < e->capacity) return;
    if (e->lists[A1IN].count > e->small || !e->lists[AM].count)
        evict_to_ghost(e, e->lists[A1IN].tail, A1OUT, e->ghost);
    else
        evict_node(e, e->lists[AM].tail);
}

static void twoq_insert(struct sim_evict *e, uint64_t id)
{
    uint32_t n = lookup(e, id);
    if (n) node_free(e, n); /* in A1out: seen again after leaving A1in, so it is hot */
    twoq_reclaim(e);
    node_new(e, id, n ? AM : A1IN);
}

/* ---- s3_fifo ---- */

/* From the main queue's tail: an entry read since it was last here goes back to the head
 * with one read fewer; the first one not read is evicted. */
static void s3_evict_main(struct sim_evict *e)
{
    for (uint32_t t; (t = e->lists[MAIN].tail);) {
        if (e->nodes[t].bits) {
            e->nodes[t].bits--;
            move_head(e, t, MAIN);
        } else {
            evict_node(e, t);
            return;
        }
    }
}

/* From the small queue's tail: an entry read while there moves to the main queue (which
 * evicts if over its share); the first one not read leaves for the ghost queue. */
static void s3_evict_small(struct sim_evict *e)
{
    for (uint32_t t; (t = e->lists[SMALL].tail);) {
        if (e->nodes[t].bits) {
            e->nodes[t].bits = 0;
            move_head(e, t, MAIN);
            if (e->lists[MAIN].count > e->main) s3_evict_main(e);
        } else {
            evict_to_ghost(e, t, GHOST, e->ghost);
            return;
        }
    }
}

static void s3_insert(struct sim_evict *e, uint64_t id)
{
    uint32_t n = lookup(e, id);
    if (n) node_free(e, n); /* a ghost: it goes straight to the main queue */
    while (e->resident >= e->capacity) {
        if (e->lists[SMALL].count >= e->small) s3_evict_small(e);
        else s3_evict_main(e);
    }
    node_new(e, id, n ? MAIN : SMALL);
}

/* ---- sieve ---- */

/* The hand walks from the tail toward the head, clearing visited bits, and evicts the
 * first unvisited entry; it stays where it stopped, wrapping to the tail. */
static void sieve_insert(struct sim_evict *e, uint64_t id)
{
    if (e->resident >= e->capacity) {
        uint32_t o = e->hand ? e->hand : e->lists[QUEUE].tail;
        while (e->nodes[o].bits) {
            e->nodes[o].bits = 0;
            o = e->nodes[o].prev ? e->nodes[o].prev : e->lists[QUEUE].tail;
        }
        e->hand = o; /* evict_node moves it on, toward the head */
        evict_node(e, o);
    }
    node_new(e, id, QUEUE);
}

/* ---- w_tinylfu ---- */

static void tinylfu_hit(struct sim_evict *e, uint32_t n)
{
    if (e->nodes[n].list != PROBATION) {
        move_head(e, n, e->nodes[n].list);
        return;
    }
    move_head(e, n, PROTECTED);
    if (e->lists[PROTECTED].count > e->ghost) move_head(e, e->lists[PROTECTED].tail, PROBATION);
}

/* New ids enter the window; the window's oldest goes to probation while there is room,
 * else it is admitted only if the sketch says it is read more often than the main
 * segment's victim, and the loser is evicted. */
static void tinylfu_insert(struct sim_evict *e, uint64_t id)
{
    node_new(e, id, WINDOW);
    uint32_t candidate = e->lists[WINDOW].count > e->small ? e->lists[WINDOW].tail : NIL;
    if (e->resident <= e->capacity) {
        if (candidate) move_head(e, candidate, PROBATION);
        return;
    }
    uint32_t victim = e->lists[PROBATION].tail ? e->lists[PROBATION].tail : e->lists[PROTECTED].tail;
    if (!candidate) {
        evict_node(e, victim ? victim : e->lists[WINDOW].tail);
    } else if (victim && frequency(e, e->nodes[candidate].id) > frequency(e, e->nodes[victim].id)) {
        evict_node(e, victim);
        move_head(e, candidate, PROBATION);
    } else {
        evict_node(e, candidate);
    }
}

/* ---- the interface ---- */

static uint32_t at_least_one(double x)
{
    return x < 1 ? 1 : (uint32_t)x;
}

void sim_evict_init(struct sim_evict *e, enum sim_evict_policy policy, uint32_t capacity,
                    double kin, double kout, void (*evicted)(void *arg, uint64_t id), void *arg)
{
    *e = (struct sim_evict){.policy = policy, .capacity = capacity, .evicted = evicted, .arg = arg};
    uint32_t c = capacity;
    switch (policy) {
    case SIM_EVICT_ARC:
        e->ghosts = 1 << B1 | 1 << B2;
        e->nodes_max = 2 * c;
        break;
    case SIM_EVICT_2Q:
        e->ghosts = 1 << A1OUT;
        e->small = at_least_one((kin > 0 ? kin : 0.25) * c);
        e->ghost = at_least_one((kout > 0 ? kout : 0.5) * c);
        e->nodes_max = c + e->ghost;
        break;
    case SIM_EVICT_S3FIFO:
        e->ghosts = 1 << GHOST;
        e->small = at_least_one(0.1 * c);
        e->main = c - e->small;
        e->ghost = e->main;
        e->nodes_max = c + e->ghost;
        break;
    case SIM_EVICT_SIEVE:
        e->nodes_max = c;
        break;
    case SIM_EVICT_WTINYLFU:
        e->small = at_least_one(0.01 * c);
        e->main = c - e->small;
        e->ghost = (uint32_t)(0.8 * e->main); /* the protected segment's share */
        e->nodes_max = c + 1; /* a newcomer joins before the loser leaves */
        e->width = 64;
        while (e->width < c) e->width *= 2;
        e->sketch = sim_alloc((size_t)SKETCH_ROWS * e->width / 16 * sizeof *e->sketch);
        e->sample = 10 * (uint64_t)c;
        break;
    }
    e->nodes = sim_alloc(((size_t)e->nodes_max + 1) * sizeof *e->nodes);
    size_t slots = 16;
    while (slots < 2 * (size_t)e->nodes_max) slots *= 2;
    e->slots = sim_alloc(slots * sizeof *e->slots);
    e->mask = slots - 1;
}

bool sim_evict_contains(const struct sim_evict *e, uint64_t id)
{
    uint32_t n = lookup(e, id);
    return n && !is_ghost(e, n);
}

void sim_evict_hit(struct sim_evict *e, uint64_t id)
{
    uint32_t n = lookup(e, id);
    SIM_ASSERT(NULL, n && !is_ghost(e, n)); /* the owner's map and the policy agree */
    switch (e->policy) {
    case SIM_EVICT_ARC:
        move_head(e, n, T2);
        break;
    case SIM_EVICT_2Q:
        if (e->nodes[n].list == AM) move_head(e, n, AM); /* A1in is FIFO: a hit there waits */
        break;
    case SIM_EVICT_S3FIFO:
        if (e->nodes[n].bits < 3) e->nodes[n].bits++;
        break;
    case SIM_EVICT_SIEVE:
        e->nodes[n].bits = 1;
        break;
    case SIM_EVICT_WTINYLFU:
        sketch_add(e, id);
        tinylfu_hit(e, n);
        break;
    }
}

void sim_evict_insert(struct sim_evict *e, uint64_t id)
{
    switch (e->policy) {
    case SIM_EVICT_ARC: arc_insert(e, id); break;
    case SIM_EVICT_2Q: twoq_insert(e, id); break;
    case SIM_EVICT_S3FIFO: s3_insert(e, id); break;
    case SIM_EVICT_SIEVE: sieve_insert(e, id); break;
    case SIM_EVICT_WTINYLFU:
        sketch_add(e, id);
        tinylfu_insert(e, id);
        break;
    }
}

bool sim_evict_access(struct sim_evict *e, uint64_t id)
{
    bool hit = sim_evict_contains(e, id);
    if (hit) sim_evict_hit(e, id);
    else sim_evict_insert(e, id);
    return hit;
}

void sim_evict_remove(struct sim_evict *e, uint64_t id)
{
    uint32_t n = lookup(e, id);
    if (!n || is_ghost(e, n)) return;
    if (e->hand == n) e->hand = e->nodes[n].prev;
    node_free(e, n);
}

void sim_evict_clear(struct sim_evict *e)
{
    for (size_t i = 0; i <= e->mask; i++) e->slots[i] = NIL;
    for (int l = 0; l < 4; l++) e->lists[l] = (struct sim_evict_list){0};
    e->nodes_used = e->free_head = e->resident = e->hand = e->target = 0;
    if (e->sketch) {
        for (size_t i = 0; i < (size_t)SKETCH_ROWS * e->width / 16; i++) e->sketch[i] = 0;
        e->added = 0;
    }
}

void sim_evict_fini(struct sim_evict *e)
{
    sim_free(e->nodes);
    sim_free(e->slots);
    sim_free(e->sketch);
    *e = (struct sim_evict){0};
}
