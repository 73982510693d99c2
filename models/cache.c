/* cache.c: a cache node over real keys in front of a synchronous backend. It holds one
 * shard, or a cluster of shards placed by consistent hashing. A shard's entries live in a
 * dense array (index 0 is nil) threaded by intrusive index lists; a hash map keyed by the
 * uint64 key finds each key's record (and its shard, placed once); lru, lfu (frequency
 * lists), fifo and random evict in O(1) with storage preallocated from the capacity; arc,
 * 2q, s3_fifo, sieve and w_tinylfu are the kernel's (sim_evict, over record indices). Reads
 * hit or miss on the simulated keys; misses go to the backend and fill on the answer.
 * Faults: cluster node i is fault instance i (the whole cache without a cluster is node 0);
 * a flush or a crash empties a node (a cold restart), and each cold start is measured
 * until the node has refilled. A preload places the most popular keys before the first
 * request (a CDN's push), pushed again every ttl so they never expire cold. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "sim.h"

_Static_assert(sizeof(void *) >= sizeof(uint32_t), "an index travels in an event's argument");

enum eviction { EVICT_LRU, EVICT_LFU, EVICT_FIFO, EVICT_RANDOM, EVICT_TTL, EVICT_KERNEL };
static const char *const eviction_names[] = {"lru", "lfu", "fifo", "random", "ttl", "arc", "2q",
                                             "s3_fifo", "sieve", "w_tinylfu", NULL};
#define KERNEL(c) ((c)->eviction >= EVICT_KERNEL) /* sim_evict policy (c)->eviction - EVICT_KERNEL */
enum write_policy { WRITE_CACHE_ASIDE, WRITE_THROUGH, WRITE_AROUND, WRITE_BACK };
static const char *const write_policy_names[] = {"cache_aside", "write_through", "write_around",
                                                 "write_back", NULL};
static const char *const on_node_down_names[] = {"fail", "skip", NULL};

#define MAX_CAPACITY 1000000000LL /* entry indices are uint32 */
#define NIL 0u
#define MAX_SHARDS 1024
#define MAX_VIRTUAL_NODES 10000
#define MAX_CAPACITY_BYTES 1000000000000000LL /* a petabyte */
#define MAX_VALUE_SIZE 4294967295.0 /* bytes; sizes are uint32 */
#define REFILL_STEPS 10 /* a refill window is this many steps: the hit ratio is checked per step */

enum { LINK_ORDER, LINK_DIRTY };

/* A doubly linked list of entry (or frequency-node) indices. */
struct list {
    uint32_t head, tail;
};

/* A resident entry; owned by the cache's entry array, moved on removal (dense). */
struct entry {
    uint32_t link[2][2]; /* [LINK_ORDER or LINK_DIRTY][0 prev, 1 next] */
    uint32_t info;       /* the key's record */
    uint32_t freq;       /* lfu: its frequency node */
    sim_time expires;    /* SIM_NEVER without a ttl */
    sim_time version;    /* when the value was read from (or written to) the backend */
    float delta;         /* seconds the backend read that filled it took (early expiration) */
    uint8_t in_dirty;    /* on the dirty list (write_back, waiting for a flush) */
};

/* lfu: the entries used `count` times, most recent at the head; in ascending count order. */
struct fnode {
    uint64_t count;
    struct list items;
    uint32_t prev, next;
};

struct flight;

/* One per distinct key seen; owned by the cache, never removed (indices are stable). */
struct keyinfo {
    uint64_t key;
    uint64_t reads;        /* measured reads, for top_1pct_share */
    sim_time last_write;   /* when the latest write was acknowledged; -1: never */
    uint32_t entry;        /* resident entry, or NIL */
    uint32_t written, persisted; /* write_back: writes acknowledged, and reached the backend */
    uint32_t shard;        /* the shard that owns the key, placed on first sight */
    struct flight *flight; /* the backend read every miss on this key waits for (coalescing) */
};

enum job_kind { JOB_HIT, JOB_MISS, JOB_WRITE, JOB_BYPASS };

/* An incoming call being served; from the cache's pool. */
struct job {
    struct sim_call *in;
    sim_time arrived;
    struct job *next; /* the next waiter of the same flight */
    enum job_kind kind;
};

enum out_kind { OUT_FILL, OUT_WRITE, OUT_EVICT_FLUSH, OUT_FLUSH, OUT_BYPASS };

/* A call to the backend; from the cache's pool. A fill's waiters are its jobs. */
struct flight {
    enum out_kind kind;
    uint32_t info;
    uint32_t version; /* write_back: the write count this call persists */
    sim_time sent;
    struct job *head, *tail;
};

/* Reads, hits and backend reads (fills and bypasses) of one shard, warm-up included. */
struct tally {
    uint64_t reads, hits, backend;
};

/* One shard of the cluster, or the whole cache without one: its own entries, eviction
 * order, dirty list and limits. Owned by the cache. */
struct shard {
    struct entry *entries;
    uint32_t used, allocated; /* entries 1..used are resident */
    uint32_t capacity;        /* entries; 0: unbounded (ttl, or bytes only) */
    uint64_t capacity_bytes;  /* 0: no byte limit */
    uint64_t bytes;           /* value bytes held */
    struct list order;        /* lru (most recent first) and fifo (newest first) */
    struct fnode *fnodes;     /* lfu */
    uint32_t fallocated;
    struct list flist;
    uint32_t ffree;
    struct list dirty;        /* write_back, oldest write first */
    struct sim_evict policy;  /* the kernel's policies: over record indices */
    uint64_t reads, writes, hits; /* measured */
    bool down_noticed;        /* a client skipped it since its crash began: detected */
    struct tally total;                /* the whole run, for refills */
    struct tally at[REFILL_STEPS + 1]; /* total at the start of each recent step (a ring) */
};

/* A cold start of the whole cache (node -1) or one cluster node, measured: the hit ratio
 * and backend reads over the refill window before the fault, then from the moment the
 * node is back and empty: when a step's hit ratio is back within `within` of the ratio
 * before (refilled), and the same figures over the window after. Owned by the cache. */
enum refill_state { REFILL_IDLE, REFILL_DOWN, REFILL_ON };
struct refill {
    enum refill_state state;
    bool refilled;
    double before_hit, before_backend; /* NAN: no reads before */
    sim_time begin;                    /* back and empty */
    struct tally start, last;          /* totals at begin, and at the last step */
    struct sim_event *after;           /* the end of the window after, while pending */
};

struct cache {
    struct sim_component base;
    struct sim_component *backend;
    enum eviction eviction;
    enum write_policy write_policy;
    uint32_t capacity; /* 0: unbounded (ttl) */
    sim_time ttl, ttl_jitter, invalidation_delay, flush_interval;
    uint32_t batch_size;
    bool coalescing;
    struct sim_dist *hit_time;
    bool hit_time_zero;
    struct sim_rng *hit_rng, *evict_rng, *ttl_rng;
    uint64_t capacity_bytes;  /* 0: no byte limit */
    struct sim_dist *value_size;
    struct sim_rng *size_rng; /* reseeded per key: a key's size is a function of the key */
    uint64_t size_salt;
    double beta;              /* early expiration (XFetch); 0: off */
    struct sim_rng *early_rng;
    uint32_t nshards, virtual_nodes; /* nshards 1 without a cluster */
    bool cluster;
    bool skip_down;           /* on_node_down "skip": a down node's keys go to the backend */
    sim_time refill_window, refill_step;
    double refill_within;
    uint32_t preload;         /* ranks 0..preload-1 are placed at time 0; 0: none */
    bool push;                /* the origin pushes them again every ttl: they never expire */
    sim_time ring_at[REFILL_STEPS + 1]; /* when each snapshot in the shards' rings was taken */
    uint64_t steps;           /* refill steps begun */
    struct refill *refills;   /* [0]: the whole cache, [1 + i]: cluster node i */

    struct shard *shards;
    struct sim_ring ring;     /* nshards x virtual_nodes points */
    struct keyinfo *infos;
    uint32_t *sizes;          /* bytes mode: each record's value size, bytes */
    uint32_t ninfos, infos_allocated;
    struct sim_keymap map; /* key -> record index + 1 */
    struct sim_pool jobs, flights;
    struct flight *flush;     /* the batch in flight, or NULL */
    uint32_t flush_left;      /* keys this flush round still has to send */
    uint64_t *batch_keys;
    uint32_t *batch_versions;
    uint32_t batch_n;

    /* measurement */
    uint64_t reads, writes, hits, misses, evictions, expirations, coalesced, invalidations;
    uint64_t stale_reads, backend_reads, backend_writes, flushes, dirty_evictions;
    uint64_t early_refreshes, too_large, pushes;
    uint64_t errors[SIM_STATUS_COUNT];
    struct sim_level bytes_used;
    uint64_t sample_hits, sample_reads;
    struct sim_hist hit_latency, miss_latency, read_latency;
    struct sim_level at_risk;
    uint64_t bypassed;
    /* cold starts, over the whole run (faults are placed in time, not in the window) */
    uint64_t cold_starts, dropped, refilled, compared;
    double refill_sum, before_hit_sum, after_hit_sum, before_backend_sum, after_backend_sum;
};

/* ---- placement and the key map ---- */

/* The shard owning key on the ring: O(log points), once per distinct key. */
static uint32_t shard_of_key(const struct cache *c, uint64_t key)
{
    return c->nshards == 1 ? 0 : (uint32_t)sim_ring_owner(&c->ring, key);
}

/* Each shard's points by its number, as a database's shards. */
static void ring_build(struct cache *c)
{
    for (uint32_t i = 0; i < c->nshards; i++) sim_ring_add_numbered(&c->ring, (int)i, (int)c->virtual_nodes);
    sim_ring_sort(&c->ring);
}

/* A key's value size in bytes: value_size drawn from the size stream reseeded by a hash
 * of the key and the stream's salt, so it is the same at every fill and in every design
 * compared on one seed. At least 1. */
static uint32_t value_size_of(struct cache *c, uint64_t key)
{
    void *g = sim_rng_gsl(c->size_rng);
    gsl_rng_set(g, (unsigned long)sim_hash64(key ^ c->size_salt));
    double x = round(sim_dist_draw(c->value_size, c->size_rng));
    return x < 1 ? 1 : x > MAX_VALUE_SIZE ? (uint32_t)MAX_VALUE_SIZE : (uint32_t)x;
}

/* The record of key, created on first sight. Returns its index (records may move). */
static uint32_t info_of(struct cache *c, uint64_t key)
{
    uint32_t v = sim_keymap_get(&c->map, key);
    if (v) return v - 1;
    if (c->ninfos == c->infos_allocated) {
        SIM_ASSERT(&c->base, c->infos_allocated < UINT32_MAX / 2);
        c->infos_allocated = c->infos_allocated ? c->infos_allocated * 2 : 1024;
        c->infos = sim_realloc(c->infos, (size_t)c->infos_allocated * sizeof *c->infos);
        if (c->value_size)
            c->sizes = sim_realloc(c->sizes, (size_t)c->infos_allocated * sizeof *c->sizes);
    }
    uint32_t i = c->ninfos++;
    c->infos[i] = (struct keyinfo){.key = key, .last_write = -1, .shard = shard_of_key(c, key)};
    if (c->value_size) c->sizes[i] = value_size_of(c, key);
    sim_keymap_put(&c->map, key, i + 1);
    return i;
}

static struct shard *shard_of(struct cache *c, uint32_t info)
{
    return &c->shards[c->infos[info].shard];
}

/* ---- intrusive index lists over a shard's entries ---- */

static void list_push_front(struct shard *s, struct list *l, int which, uint32_t i)
{
    struct entry *e = &s->entries[i];
    e->link[which][0] = NIL;
    e->link[which][1] = l->head;
    if (l->head) s->entries[l->head].link[which][0] = i;
    else l->tail = i;
    l->head = i;
}

static void list_push_back(struct shard *s, struct list *l, int which, uint32_t i)
{
    struct entry *e = &s->entries[i];
    e->link[which][1] = NIL;
    e->link[which][0] = l->tail;
    if (l->tail) s->entries[l->tail].link[which][1] = i;
    else l->head = i;
    l->tail = i;
}

static void list_remove(struct shard *s, struct list *l, int which, uint32_t i)
{
    uint32_t prev = s->entries[i].link[which][0], next = s->entries[i].link[which][1];
    if (prev) s->entries[prev].link[which][1] = next;
    else l->head = next;
    if (next) s->entries[next].link[which][0] = prev;
    else l->tail = prev;
}

/* Entry at index from now lives at index to: its neighbours and list ends follow it. */
static void list_moved(struct shard *s, struct list *l, int which, uint32_t from, uint32_t to)
{
    uint32_t prev = s->entries[to].link[which][0], next = s->entries[to].link[which][1];
    if (prev) s->entries[prev].link[which][1] = to;
    else if (l->head == from) l->head = to;
    if (next) s->entries[next].link[which][0] = to;
    else if (l->tail == from) l->tail = to;
}

static struct list *order_of(struct cache *c, struct shard *s, uint32_t i)
{
    return c->eviction == EVICT_LFU ? &s->fnodes[s->entries[i].freq].items : &s->order;
}

/* ---- lfu: frequency nodes in ascending count order, O(1) per operation ---- */

/* A shard without an item capacity (bytes only) grows its frequency nodes with its entries. */
static void fnodes_grow(struct shard *s)
{
    uint32_t old = s->fallocated;
    s->fallocated = old ? old * 2 : 1024;
    s->fnodes = sim_realloc(s->fnodes, ((size_t)s->fallocated + 1) * sizeof *s->fnodes);
    for (uint32_t f = old + 1; f <= s->fallocated; f++)
        s->fnodes[f].next = f < s->fallocated ? f + 1 : s->ffree;
    s->ffree = old + 1;
}

static uint32_t fnode_new(struct cache *c, struct shard *s, uint64_t count, uint32_t after)
{
    if (s->ffree == NIL && !s->capacity) fnodes_grow(s);
    uint32_t f = s->ffree;
    SIM_ASSERT(&c->base, f != NIL);
    s->ffree = s->fnodes[f].next;
    uint32_t next = after ? s->fnodes[after].next : s->flist.head;
    s->fnodes[f] = (struct fnode){.count = count, .prev = after, .next = next};
    if (after) s->fnodes[after].next = f;
    else s->flist.head = f;
    if (next) s->fnodes[next].prev = f;
    else s->flist.tail = f;
    return f;
}

static void fnode_release_if_empty(struct shard *s, uint32_t f)
{
    struct fnode *n = &s->fnodes[f];
    if (n->items.head) return;
    if (n->prev) s->fnodes[n->prev].next = n->next;
    else s->flist.head = n->next;
    if (n->next) s->fnodes[n->next].prev = n->prev;
    else s->flist.tail = n->prev;
    n->next = s->ffree;
    s->ffree = f;
}

static void lfu_insert(struct cache *c, struct shard *s, uint32_t i)
{
    uint32_t f = s->flist.head;
    if (!f || s->fnodes[f].count != 1) f = fnode_new(c, s, 1, NIL);
    s->entries[i].freq = f;
    list_push_front(s, &s->fnodes[f].items, LINK_ORDER, i);
}

static void lfu_touch(struct cache *c, struct shard *s, uint32_t i)
{
    uint32_t f = s->entries[i].freq, next = s->fnodes[f].next;
    uint64_t count = s->fnodes[f].count + 1;
    if (!next || s->fnodes[next].count != count) next = fnode_new(c, s, count, f);
    list_remove(s, &s->fnodes[f].items, LINK_ORDER, i);
    fnode_release_if_empty(s, f);
    s->entries[i].freq = next;
    list_push_front(s, &s->fnodes[next].items, LINK_ORDER, i);
}

/* ---- entries ---- */

/* An access: lru moves the entry to the front, lfu counts it, the others do nothing. */
static void touch(struct cache *c, struct shard *s, uint32_t i)
{
    if (c->eviction == EVICT_LRU) {
        if (s->order.head != i) {
            list_remove(s, &s->order, LINK_ORDER, i);
            list_push_front(s, &s->order, LINK_ORDER, i);
        }
    } else if (c->eviction == EVICT_LFU) {
        lfu_touch(c, s, i);
    } else if (KERNEL(c)) {
        sim_evict_hit(&s->policy, s->entries[i].info);
    }
}

static void send_backend(struct cache *c, struct flight *f, struct sim_call *parent, int op,
                         uint64_t key, sim_time deadline)
{
    struct sim_call *out = sim_call_new(&c->base, c->backend, parent, op, key, deadline);
    out->caller_data = f;
    f->sent = sim_now(&c->base);
    if (op != SIM_OP_WRITE) c->shards[c->infos[f->info].shard].total.backend++;
    if (sim_measuring(&c->base)) {
        if (op == SIM_OP_WRITE) c->backend_writes++;
        else c->backend_reads++;
    }
    sim_call_send(out);
}

/* write_back: a dirty entry leaves the cache; its latest write goes to the backend alone. */
static void flush_one(struct cache *c, uint32_t info)
{
    struct flight *f = sim_pool_get(&c->flights);
    *f = (struct flight){.kind = OUT_EVICT_FLUSH, .info = info, .version = c->infos[info].written};
    if (sim_measuring(&c->base)) c->dirty_evictions++;
    send_backend(c, f, NULL, SIM_OP_WRITE, c->infos[info].key, SIM_NEVER);
}

static void bytes_add(struct cache *c, struct shard *s, uint32_t info, int sign)
{
    if (!c->value_size) return;
    uint32_t size = c->sizes[info];
    s->bytes = sign > 0 ? s->bytes + size : s->bytes - size;
    sim_level_add(&c->bytes_used, sim_now(&c->base), sign > 0 ? (double)size : -(double)size);
}

/* Removes entry i of shard s; its last entry moves into its place so that 1..used stay
 * dense. */
static void entry_remove(struct cache *c, struct shard *s, uint32_t i)
{
    struct entry *e = &s->entries[i];
    uint32_t info = e->info;
    if (KERNEL(c)) sim_evict_remove(&s->policy, info); /* unless the policy chose it */
    else list_remove(s, order_of(c, s, i), LINK_ORDER, i);
    if (c->eviction == EVICT_LFU) fnode_release_if_empty(s, e->freq);
    if (e->in_dirty) list_remove(s, &s->dirty, LINK_DIRTY, i);
    c->infos[info].entry = NIL;
    bytes_add(c, s, info, -1);
    if (c->write_policy == WRITE_BACK && c->infos[info].written != c->infos[info].persisted &&
        e->in_dirty)
        flush_one(c, info);
    uint32_t last = s->used--;
    if (i == last) return;
    s->entries[i] = s->entries[last];
    if (!KERNEL(c)) list_moved(s, order_of(c, s, i), LINK_ORDER, last, i);
    if (s->entries[i].in_dirty) list_moved(s, &s->dirty, LINK_DIRTY, last, i);
    c->infos[s->entries[i].info].entry = i;
}

/* The entry lru, fifo, lfu or random evicts (the kernel's policies choose their own). */
static uint32_t victim(struct cache *c, struct shard *s)
{
    if (c->eviction == EVICT_LFU) return s->fnodes[s->flist.head].items.tail;
    if (c->eviction == EVICT_RANDOM) return 1 + (uint32_t)sim_uniform_int(c->evict_rng, s->used);
    return s->order.tail; /* lru: least recent; fifo: oldest */
}

static void policy_evicted(void *arg, uint64_t info) /* the kernel's policy chose it */
{
    struct cache *c = arg;
    if (sim_measuring(&c->base)) c->evictions++;
    entry_remove(c, shard_of(c, (uint32_t)info), c->infos[info].entry);
}

static sim_time expiry(struct cache *c)
{
    if (!c->ttl) return SIM_NEVER;
    sim_time t = c->ttl;
    if (c->ttl_jitter)
        t += (sim_time)llround((2 * sim_uniform(c->ttl_rng) - 1) * (double)c->ttl_jitter);
    return sim_now(&c->base) + t;
}

/* Whether shard s must evict before it can hold one more value of size bytes. */
static bool full(const struct shard *s, uint32_t size)
{
    return (s->capacity && s->used == s->capacity) ||
           (s->capacity_bytes && s->bytes + size > s->capacity_bytes);
}

/* Puts the key's value, read or written at version, into its shard (evicting until it
 * fits). delta: the backend read's duration in seconds, or negative to keep the entry's.
 * Returns the entry, or NIL when the value is larger than the shard's byte capacity. */
static uint32_t fill(struct cache *c, uint32_t info, sim_time version, double delta)
{
    struct shard *s = shard_of(c, info);
    uint32_t i = c->infos[info].entry;
    if (i) {
        touch(c, s, i);
    } else {
        uint32_t size = c->value_size ? c->sizes[info] : 0;
        if (s->capacity_bytes && size > s->capacity_bytes) {
            if (sim_measuring(&c->base)) c->too_large++;
            return NIL;
        }
        if (KERNEL(c)) sim_evict_insert(&s->policy, info); /* room made through evicted() */
        else while (s->used && full(s, size)) {
            if (sim_measuring(&c->base)) c->evictions++;
            entry_remove(c, s, victim(c, s));
        }
        if (s->used == s->allocated) { /* unbounded: storage grows with the entries held */
            s->allocated *= 2;
            s->entries = sim_realloc(s->entries, ((size_t)s->allocated + 1) * sizeof *s->entries);
        }
        i = ++s->used;
        s->entries[i] = (struct entry){.info = info};
        c->infos[info].entry = i;
        bytes_add(c, s, info, 1);
        if (c->eviction == EVICT_LFU) lfu_insert(c, s, i);
        else if (!KERNEL(c)) list_push_front(s, &s->order, LINK_ORDER, i);
    }
    s->entries[i].expires = expiry(c);
    s->entries[i].version = version;
    if (delta >= 0) s->entries[i].delta = (float)delta;
    return i;
}

static void invalidate(struct cache *c, uint32_t info)
{
    uint32_t i = c->infos[info].entry;
    if (!i) return;
    if (sim_measuring(&c->base)) c->invalidations++;
    entry_remove(c, shard_of(c, info), i);
}

static void invalidate_later(struct sim_component *self, void *arg)
{
    invalidate((struct cache *)self, (uint32_t)(uintptr_t)arg);
}

/* ---- serving calls ---- */

static void answer(struct cache *c, struct job *j, enum sim_status status)
{
    struct sim_component *self = &c->base;
    if (sim_measuring(self)) {
        sim_time latency = sim_now(self) - j->arrived;
        if (status != SIM_OK) c->errors[status]++;
        else if (j->kind == JOB_HIT) sim_hist_record(&c->hit_latency, latency);
        else if (j->kind == JOB_MISS) sim_hist_record(&c->miss_latency, latency);
        if (status == SIM_OK && (j->kind == JOB_HIT || j->kind == JOB_MISS))
            sim_hist_record(&c->read_latency, latency);
    }
    sim_respond(j->in, status);
    sim_pool_put(&c->jobs, j);
}

static void answer_ok(struct sim_component *self, void *arg)
{
    answer((struct cache *)self, arg, SIM_OK);
}

/* Answers after hit_time (under node's slow faults): a hit, or a write_back write the cache
 * acknowledges itself. */
static void answer_after_hit_time(struct cache *c, struct job *j, uint32_t node)
{
    sim_time t = c->hit_time_zero ? 0 : sim_dist_draw_time(c->hit_time, c->hit_rng);
    t = sim_fault_slowed(&c->base, (int)node, t);
    if (c->hit_time_zero && t == 0) answer(c, j, SIM_OK);
    else sim_schedule(&c->base, t, answer_ok, j);
}

/* XFetch (Vattani et al.): a read of an entry with remaining ttl r recomputes early with
 * probability exp(-r / (beta delta)), delta the duration of the backend read that filled it.
 * Not while a coalesced backend read of the key is already on its way. */
static bool early_refresh(struct cache *c, const struct entry *e, const struct keyinfo *k,
                          sim_time now)
{
    if (!c->beta || e->expires == SIM_NEVER || e->delta <= 0 || k->flight) return false;
    double r = (double)(e->expires - now) / SIM_S;
    return sim_uniform(c->early_rng) < exp(-r / (c->beta * e->delta));
}

static void read_key(struct cache *c, struct job *j, uint32_t info)
{
    struct sim_component *self = &c->base;
    bool measuring = sim_measuring(self);
    sim_time now = sim_now(self);
    struct keyinfo *k = &c->infos[info];
    struct shard *s = shard_of(c, info);
    s->total.reads++;
    if (measuring) {
        c->reads++;
        k->reads++;
        c->sample_reads++;
        s->reads++;
    }
    uint32_t i = k->entry;
    if (i && s->entries[i].expires <= now) {
        if (measuring) c->expirations++;
        entry_remove(c, s, i);
        i = NIL;
    }
    if (i && early_refresh(c, &s->entries[i], k, now)) {
        if (measuring) c->early_refreshes++;
        i = NIL; /* the reader recomputes: a miss, and the entry stays until the refill */
    }
    if (i) {
        s->total.hits++;
        if (measuring) {
            c->hits++;
            c->sample_hits++;
            s->hits++;
            if (s->entries[i].version < k->last_write) c->stale_reads++;
        }
        touch(c, s, i);
        j->kind = JOB_HIT;
        answer_after_hit_time(c, j, k->shard);
        return;
    }
    if (measuring) c->misses++;
    j->kind = JOB_MISS;
    if (k->flight) { /* single flight: wait for the backend read already on its way */
        if (measuring) c->coalesced++;
        k->flight->tail->next = j;
        k->flight->tail = j;
        return;
    }
    struct flight *f = sim_pool_get(&c->flights);
    *f = (struct flight){.kind = OUT_FILL, .info = info, .head = j, .tail = j};
    if (c->coalescing) k->flight = f;
    send_backend(c, f, j->in, j->in->op, k->key, j->in->deadline);
}

static void write_key(struct cache *c, struct job *j, uint32_t info)
{
    struct sim_component *self = &c->base;
    struct shard *s = shard_of(c, info);
    if (sim_measuring(self)) {
        c->writes++;
        s->writes++;
    }
    j->kind = JOB_WRITE;
    if (c->write_policy == WRITE_BACK) {
        struct keyinfo *k = &c->infos[info];
        if (k->written == k->persisted) sim_level_add(&c->at_risk, sim_now(self), 1);
        k->written++;
        k->last_write = sim_now(self);
        uint32_t i = fill(c, info, sim_now(self), -1);
        if (!i) flush_one(c, info); /* too large to hold: written alone at once */
        else if (!s->entries[i].in_dirty) {
            s->entries[i].in_dirty = 1;
            list_push_back(s, &s->dirty, LINK_DIRTY, i);
        }
        answer_after_hit_time(c, j, c->infos[info].shard);
        return;
    }
    if (c->write_policy == WRITE_AROUND) invalidate(c, info);
    struct flight *f = sim_pool_get(&c->flights);
    *f = (struct flight){.kind = OUT_WRITE, .info = info, .head = j, .tail = j};
    send_backend(c, f, j->in, j->in->op, c->infos[info].key, j->in->deadline);
}

/* on_node_down "skip": the key's node is down, so the call goes to the backend as if
 * there were no cache, and its answer fills nothing. */
static void bypass(struct cache *c, struct job *j, uint32_t info)
{
    j->kind = JOB_BYPASS;
    if (sim_measuring(&c->base)) {
        c->bypassed++;
        if (j->in->op == SIM_OP_WRITE) c->writes++;
        else c->reads++;
    }
    struct flight *f = sim_pool_get(&c->flights);
    *f = (struct flight){.kind = OUT_BYPASS, .info = info, .head = j, .tail = j};
    send_backend(c, f, j->in, j->in->op, c->infos[info].key, j->in->deadline);
}

static void receive(struct sim_component *self, struct sim_call *call)
{
    struct cache *c = (struct cache *)self;
    uint32_t info = info_of(c, call->key);
    int node = (int)c->infos[info].shard;
    bool down = sim_fault_down(self, node);
    if (!(down && c->skip_down) && sim_fault_takes(self, call, node)) {
        if (down && sim_measuring(self)) c->errors[SIM_UNAVAILABLE]++;
        return;
    }
    struct job *j = sim_pool_get(&c->jobs);
    *j = (struct job){.in = call, .arrived = sim_now(self)};
    if (down) {
        if (!c->shards[node].down_noticed) { /* the client noticed: refused, so it skips */
            c->shards[node].down_noticed = true;
            sim_fault_detected(self, self, node);
        }
        bypass(c, j, info);
    } else if (call->op == SIM_OP_WRITE) write_key(c, j, info);
    else read_key(c, j, info);
}

/* ---- write_back flushes ---- */

static void persisted(struct cache *c, uint32_t info, uint32_t version)
{
    struct keyinfo *k = &c->infos[info];
    if ((int32_t)(version - k->persisted) <= 0) return;
    k->persisted = version;
    if (k->persisted == k->written) sim_level_add(&c->at_risk, sim_now(&c->base), -1);
}

/* The shard whose dirty list the flush takes from next: the first with a dirty entry. */
static struct shard *dirty_shard(struct cache *c)
{
    for (uint32_t s = 0; s < c->nshards; s++)
        if (c->shards[s].dirty.head) return &c->shards[s];
    return NULL;
}

/* Sends the next batch of this round: up to batch_size dirty keys in one backend write,
 * oldest first within a shard, shard after shard. */
static void flush_batch(struct cache *c)
{
    c->batch_n = 0;
    struct shard *s;
    while (c->flush_left && c->batch_n < c->batch_size && (s = dirty_shard(c))) {
        uint32_t i = s->dirty.head;
        list_remove(s, &s->dirty, LINK_DIRTY, i);
        s->entries[i].in_dirty = 0;
        uint32_t info = s->entries[i].info;
        c->batch_keys[c->batch_n] = c->infos[info].key;
        c->batch_versions[c->batch_n++] = c->infos[info].written;
        c->flush_left--;
    }
    if (!c->batch_n) {
        c->flush_left = 0;
        return;
    }
    struct flight *f = sim_pool_get(&c->flights);
    *f = (struct flight){.kind = OUT_FLUSH};
    c->flush = f;
    if (sim_measuring(&c->base)) c->flushes++;
    send_backend(c, f, NULL, SIM_OP_WRITE, c->batch_keys[0], SIM_NEVER);
}

static void flush_answered(struct cache *c, enum sim_status status)
{
    for (uint32_t b = 0; b < c->batch_n; b++) {
        uint32_t info = sim_keymap_get(&c->map, c->batch_keys[b]) - 1;
        if (status == SIM_OK) {
            persisted(c, info, c->batch_versions[b]);
            continue;
        }
        struct shard *s = shard_of(c, info);
        uint32_t i = c->infos[info].entry; /* failed: back on the dirty list if still held */
        if (i && !s->entries[i].in_dirty) {
            s->entries[i].in_dirty = 1;
            list_push_back(s, &s->dirty, LINK_DIRTY, i);
        }
    }
    c->flush = NULL;
    if (status == SIM_OK) flush_batch(c);
    else c->flush_left = 0;
}

static sim_time flush_tick(struct sim_component *self, void *arg)
{
    struct cache *c = (struct cache *)self;
    (void)arg;
    if (!c->flush) {
        uint32_t n = 0;
        for (uint32_t s = 0; s < c->nshards; s++) {
            struct shard *sh = &c->shards[s];
            for (uint32_t i = sh->dirty.head; i; i = sh->entries[i].link[LINK_DIRTY][1]) n++;
        }
        c->flush_left = n;
        flush_batch(c);
    }
    return c->flush_interval;
}

/* ---- answers from the backend ---- */

static void respond(struct sim_component *self, struct sim_call *call)
{
    struct cache *c = (struct cache *)self;
    struct flight *f = call->caller_data;
    enum sim_status status = call->status;
    struct keyinfo *k = &c->infos[f->info];
    switch (f->kind) {
    case OUT_FILL:
        if (k->flight == f) k->flight = NULL;
        if (status == SIM_OK && !sim_fault_down(self, (int)k->shard)) /* a down node fills nothing */
            fill(c, f->info, f->sent, (double)(sim_now(self) - f->sent) / SIM_S);
        for (struct job *j = f->head, *next; j; j = next) {
            next = j->next;
            answer(c, j, status);
        }
        break;
    case OUT_WRITE:
        if (status == SIM_OK) {
            k->last_write = sim_now(self);
            if (c->write_policy == WRITE_THROUGH && !sim_fault_down(self, (int)k->shard))
                fill(c, f->info, sim_now(self), -1);
            else if (c->write_policy == WRITE_CACHE_ASIDE && !c->invalidation_delay)
                invalidate(c, f->info);
            else if (c->write_policy == WRITE_CACHE_ASIDE)
                sim_schedule(self, c->invalidation_delay, invalidate_later,
                             (void *)(uintptr_t)f->info);
        }
        answer(c, f->head, status);
        break;
    case OUT_EVICT_FLUSH:
        if (status == SIM_OK) persisted(c, f->info, f->version);
        break;
    case OUT_FLUSH:
        flush_answered(c, status);
        break;
    case OUT_BYPASS:
        if (status == SIM_OK && f->head->in->op == SIM_OP_WRITE) k->last_write = sim_now(self);
        answer(c, f->head, status);
        break;
    }
    sim_pool_put(&c->flights, f);
}

/* ---- preload and push ---- */

/* The origin places ranks 0..preload-1 (the workload's most popular keys; no more than it
 * draws) with the version of now: at time 0, and with push again every ttl. A pushed entry
 * never expires (the next push comes as its ttl ends); a push is a use for lru and lfu.
 * A node that is down takes no push. */
static void place_preloaded(struct cache *c)
{
    struct sim_component *self = &c->base;
    const struct sim_keys *keys = sim_workload_keys(self);
    uint64_t n = c->preload;
    if (keys && sim_keys_count(keys) < n) n = sim_keys_count(keys);
    for (uint64_t key = 0; key < n; key++) {
        uint32_t info = info_of(c, key);
        if (sim_fault_down(self, (int)c->infos[info].shard)) continue;
        uint32_t i = fill(c, info, sim_now(self), -1);
        if (!i) continue;
        if (c->push) shard_of(c, info)->entries[i].expires = SIM_NEVER;
        if (sim_measuring(self)) c->pushes++;
    }
}

static sim_time push_tick(struct sim_component *self, void *arg)
{
    (void)arg;
    place_preloaded((struct cache *)self);
    return ((struct cache *)self)->ttl;
}

/* ---- faults: cold restarts and refills ---- */

/* The shards a fault on node covers: every one for -1. */
static uint32_t first_of(const struct cache *c, int node)
{
    (void)c;
    return node < 0 ? 0 : (uint32_t)node;
}

static uint32_t end_of(const struct cache *c, int node)
{
    return node < 0 ? c->nshards : (uint32_t)node + 1;
}

/* The totals of node (-1: every node): running (slot -1) or as of a ring slot. */
static struct tally tally_of(const struct cache *c, int node, int slot)
{
    struct tally t = {0};
    for (uint32_t s = first_of(c, node); s < end_of(c, node); s++) {
        const struct tally *x = slot < 0 ? &c->shards[s].total : &c->shards[s].at[slot];
        t.reads += x->reads;
        t.hits += x->hits;
        t.backend += x->backend;
    }
    return t;
}

/* The hit ratio (NAN without reads) and backend reads per second of node over the last
 * refill window: the REFILL_STEPS whole steps before this one and this one so far. */
static void window_before(const struct cache *c, int node, double *hit, double *backend)
{
    uint64_t back = c->steps >= REFILL_STEPS ? c->steps - REFILL_STEPS : 0;
    int slot = (int)(back % (REFILL_STEPS + 1));
    struct tally now = tally_of(c, node, -1), then = tally_of(c, node, slot);
    uint64_t reads = now.reads - then.reads;
    double span = sim_seconds(sim_now(&c->base) - c->ring_at[slot]);
    *hit = reads ? (double)(now.hits - then.hits) / (double)reads : NAN;
    *backend = span > 0 ? (double)(now.backend - then.backend) / span : NAN;
}

/* "the cache" or "node 2", for the story. */
static const char *node_label(const struct cache *c, int node, char *buf, size_t n)
{
    if (node < 0 || !c->cluster) snprintf(buf, n, "the cache");
    else snprintf(buf, n, "node %d", node);
    return buf;
}

/* A cold restart: node (-1: every node) loses every entry. Under write_back the latest
 * write of each dirty key is lost with it, credited to the faults on the node. */
static void drop_entries(struct cache *c, int node, const char *why)
{
    sim_time now = sim_now(&c->base), oldest = SIM_NEVER;
    uint64_t lost = 0, dropped = 0;
    for (uint32_t sh = first_of(c, node); sh < end_of(c, node); sh++) {
        struct shard *s = &c->shards[sh];
        for (uint32_t i = s->dirty.head; i; i = s->entries[i].link[LINK_DIRTY][1]) {
            struct keyinfo *k = &c->infos[s->entries[i].info];
            if (k->written == k->persisted) continue;
            lost++;
            if (s->entries[i].version < oldest) oldest = s->entries[i].version;
            k->persisted = k->written; /* gone: no longer at risk, and not flushed on removal */
            sim_level_add(&c->at_risk, now, -1);
        }
        dropped += s->used;
        while (s->used) entry_remove(c, s, s->used);
        if (KERNEL(c)) sim_evict_clear(&s->policy); /* ghosts and counts go with the node */
    }
    c->cold_starts++;
    c->dropped += dropped;
    char label[32];
    sim_story(&c->base, "%s: %s loses its %llu entries (a cold restart)", why,
              node_label(c, node, label, sizeof label), (unsigned long long)dropped);
    if (lost) sim_fault_lost_writes(&c->base, node, lost, oldest);
}

/* The end of the window after a cold start: its hit ratio and backend reads against the
 * window before. */
static void refill_after(struct sim_component *self, void *arg)
{
    struct cache *c = (struct cache *)self;
    struct refill *r = arg;
    int node = (int)(r - c->refills) - 1;
    r->after = NULL;
    struct tally now = tally_of(c, node, -1);
    uint64_t reads = now.reads - r->start.reads;
    double hit = reads ? (double)(now.hits - r->start.hits) / (double)reads : NAN;
    double backend = (double)(now.backend - r->start.backend) / sim_seconds(c->refill_window);
    if (!isnan(hit) && !isnan(r->before_hit) && !isnan(r->before_backend)) {
        c->compared++;
        c->before_hit_sum += r->before_hit;
        c->after_hit_sum += hit;
        c->before_backend_sum += r->before_backend;
        c->after_backend_sum += backend;
    }
    char label[32];
    sim_story(self, "over the %.3gs after %s came back empty: hit ratio %.1f%% (%.1f%% before), "
                    "backend reads %.1f/s (%.1f/s before)", sim_seconds(c->refill_window),
              node_label(c, node, label, sizeof label), 100 * hit, 100 * r->before_hit, backend,
              r->before_backend);
    if (r->refilled) r->state = REFILL_IDLE;
}

/* Node is back and empty: the refill starts. */
static void refill_on(struct cache *c, int node)
{
    struct refill *r = &c->refills[node + 1];
    r->state = REFILL_ON;
    r->begin = sim_now(&c->base);
    r->start = r->last = tally_of(c, node, -1);
    r->after = sim_schedule(&c->base, c->refill_window, refill_after, r);
}

/* A fault empties node (a flush, or a crash that restarts it later): what it served before. */
static void refill_prepare(struct cache *c, int node)
{
    struct refill *r = &c->refills[node + 1];
    if (r->after) sim_cancel(r->after); /* an unfinished refill is not compared */
    *r = (struct refill){.state = REFILL_DOWN};
    window_before(c, node, &r->before_hit, &r->before_backend);
}

/* At the end of a step: whether node's hit ratio over the step is back. */
static void refill_check(struct cache *c, int node)
{
    struct refill *r = &c->refills[node + 1];
    struct tally now = tally_of(c, node, -1);
    uint64_t reads = now.reads - r->last.reads, hits = now.hits - r->last.hits;
    r->last = now;
    if (!reads) return;
    double h = (double)hits / (double)reads;
    if (!isnan(r->before_hit) && h < r->before_hit - c->refill_within) return;
    sim_time took = sim_now(&c->base) - r->begin;
    r->refilled = true;
    c->refilled++;
    c->refill_sum += sim_seconds(took);
    char label[32];
    sim_story(&c->base, "%s has refilled: hit ratio %.1f%% over the last %.3gs (%.1f%% before), "
                        "%.3fs after it came back empty", node_label(c, node, label, sizeof label),
              100 * h, sim_seconds(c->refill_step), 100 * r->before_hit, sim_seconds(took));
    sim_fault_restored(&c->base, &c->base, node);
    if (!r->after) r->state = REFILL_IDLE;
}

/* Every refill step: a snapshot of each shard's totals, and the refills checked. */
static sim_time refill_tick(struct sim_component *self, void *arg)
{
    struct cache *c = (struct cache *)self;
    (void)arg;
    c->steps++;
    int slot = (int)(c->steps % (REFILL_STEPS + 1));
    c->ring_at[slot] = sim_now(self);
    for (uint32_t s = 0; s < c->nshards; s++) c->shards[s].at[slot] = c->shards[s].total;
    for (uint32_t i = 0; i <= c->nshards; i++)
        if (c->refills[i].state == REFILL_ON && !c->refills[i].refilled) refill_check(c, (int)i - 1);
    return c->refill_step;
}

/* A flush empties the node at once; a crash empties it (the engine refuses its calls, or
 * they bypass it) and it comes back empty when the crash ends. */
static void fault(struct sim_component *self, const struct sim_fault *f, bool begins)
{
    struct cache *c = (struct cache *)self;
    int node = f->instance;
    if (f->kind == SIM_FAULT_FLUSH && begins) {
        refill_prepare(c, node);
        drop_entries(c, node, "flush");
        refill_on(c, node);
    } else if (f->kind == SIM_FAULT_CRASH && begins) {
        for (uint32_t k = 0; k < c->nshards; k++)
            if (node < 0 || (int)k == node) c->shards[k].down_noticed = false;
        refill_prepare(c, node);
        drop_entries(c, node, "crash");
    } else if (f->kind == SIM_FAULT_CRASH && !sim_fault_down(self, node) &&
               c->refills[node + 1].state == REFILL_DOWN) {
        refill_on(c, node);
    }
}

static int fault_instances(struct sim_component *self)
{
    return (int)((struct cache *)self)->nshards;
}

/* "node.N": cluster node N, as a fault target ("cache.node.2" is "cache.2"). */
static int instance_named(struct sim_component *self, const char *name)
{
    struct cache *c = (struct cache *)self;
    char *end;
    if (strncmp(name, "node.", 5) || !name[5]) return -1;
    long v = strtol(name + 5, &end, 10);
    return !*end && v >= 0 && v < (long)c->nshards ? (int)v : -1;
}

/* ---- configuration, statistics, report ---- */

static void configure(struct sim_component *self, struct sim_cfg *cfg)
{
    struct cache *c = (struct cache *)self;
    sim_cfg_peer(cfg, "backend", &c->backend, true);
    c->eviction = (enum eviction)sim_cfg_choice(cfg, "eviction", EVICT_LRU, eviction_names);
    bool bytes = sim_cfg_has(cfg, "capacity_bytes");
    double kin = 0, kout = 0; /* 2q: Kin and Kout, fractions of the capacity */
    if (c->eviction == EVICT_KERNEL + SIM_EVICT_2Q) {
        kin = sim_cfg_number(cfg, "kin", 0.25, 0.001, 1);
        kout = sim_cfg_number(cfg, "kout", 0.5, 0.001, 4);
    } else if (sim_cfg_has(cfg, "kin") || sim_cfg_has(cfg, "kout"))
        sim_cfg_error(cfg, sim_cfg_has(cfg, "kin") ? "kin" : "kout", "only with eviction \"2q\"");
    if (c->eviction == EVICT_TTL) {
        const char *key = sim_cfg_has(cfg, "capacity") || !bytes ? "capacity" : "capacity_bytes";
        if (sim_cfg_has(cfg, key))
            sim_cfg_error(cfg, key, "a ttl-only cache (eviction \"ttl\") has no "
                                    "capacity: remove it, or choose another eviction");
        c->ttl = sim_cfg_duration(cfg, "ttl", SIM_REQUIRED, 1, SIM_MAX_DURATION);
    } else {
        c->capacity = (uint32_t)sim_cfg_int(cfg, "capacity", bytes ? 0 : SIM_REQUIRED, 1,
                                            MAX_CAPACITY);
        c->ttl = sim_cfg_duration(cfg, "ttl", 0, 0, SIM_MAX_DURATION);
    }
    if (bytes && KERNEL(c))
        sim_cfg_error(cfg, "capacity_bytes", "%s counts entries: use capacity", eviction_names[c->eviction]);
    else if (bytes && c->eviction != EVICT_TTL) {
        c->capacity_bytes =
            (uint64_t)sim_cfg_int(cfg, "capacity_bytes", SIM_REQUIRED, 1, MAX_CAPACITY_BYTES);
        c->value_size = sim_cfg_dist(cfg, "value_size", SIM_QTY_NUMBER, NULL);
    } else if (sim_cfg_has(cfg, "value_size")) {
        sim_cfg_error(cfg, "value_size", "only with capacity_bytes");
    }
    c->ttl_jitter = sim_cfg_duration(cfg, "ttl_jitter", 0, 0, SIM_MAX_DURATION);
    if (c->ttl_jitter && !c->ttl)
        sim_cfg_error(cfg, "ttl_jitter", "needs a ttl");
    else if (c->ttl_jitter >= c->ttl && c->ttl_jitter)
        sim_cfg_error(cfg, "ttl_jitter", "expected less than the ttl");
    c->hit_time = sim_cfg_dist(cfg, "hit_time", SIM_QTY_DURATION, "\"0s\"");
    c->hit_time_zero = sim_dist_is_zero(c->hit_time);
    c->coalescing = sim_cfg_bool(cfg, "coalescing", 1);
    c->write_policy =
        (enum write_policy)sim_cfg_choice(cfg, "write_policy", WRITE_CACHE_ASIDE, write_policy_names);
    if (sim_cfg_has(cfg, "invalidation_delay") && c->write_policy != WRITE_CACHE_ASIDE)
        sim_cfg_error(cfg, "invalidation_delay", "only with write_policy \"cache_aside\"");
    c->invalidation_delay = sim_cfg_duration(cfg, "invalidation_delay", 0, 0, SIM_MAX_DURATION);
    if (c->write_policy == WRITE_BACK) {
        c->flush_interval = sim_cfg_duration(cfg, "flush_interval", SIM_S, 1, SIM_MAX_DURATION);
        c->batch_size = (uint32_t)sim_cfg_int(cfg, "batch_size", 100, 1, 1000000);
    } else {
        if (sim_cfg_has(cfg, "flush_interval"))
            sim_cfg_error(cfg, "flush_interval", "only with write_policy \"write_back\"");
        if (sim_cfg_has(cfg, "batch_size"))
            sim_cfg_error(cfg, "batch_size", "only with write_policy \"write_back\"");
    }
    switch (sim_cfg_type(cfg, "early_expiration")) {
    case SIM_CFG_ABSENT:
        break;
    case SIM_CFG_BOOL:
        c->beta = sim_cfg_bool(cfg, "early_expiration", 0) ? 1.0 : 0;
        break;
    case SIM_CFG_OBJECT: {
        struct sim_cfg *e = sim_cfg_object(cfg, "early_expiration", false);
        c->beta = sim_cfg_number(e, "beta", 1.0, 0.01, 100);
        break;
    }
    default:
        sim_cfg_error(cfg, "early_expiration", "expected true, false or an object such as "
                                               "{\"beta\": 1}");
    }
    if (c->beta && !c->ttl) sim_cfg_error(cfg, "early_expiration", "needs a ttl");
    c->nshards = 1;
    struct sim_cfg *cl = sim_cfg_object(cfg, "cluster", false);
    if (cl) {
        c->cluster = true;
        c->nshards = (uint32_t)sim_cfg_int(cl, "nodes", SIM_REQUIRED, 1, MAX_SHARDS);
        c->virtual_nodes =
            (uint32_t)sim_cfg_int(cl, "virtual_nodes", 100, 1, MAX_VIRTUAL_NODES);
        if (c->capacity && c->capacity < c->nshards)
            sim_cfg_error(cfg, "capacity", "expected at least one entry per cluster node (%u), "
                          "got %u", c->nshards, c->capacity);
        else if (c->capacity_bytes && c->capacity_bytes < c->nshards)
            sim_cfg_error(cfg, "capacity_bytes", "expected at least one byte per cluster node "
                          "(%u), got %llu", c->nshards, (unsigned long long)c->capacity_bytes);
    }
    c->skip_down = sim_cfg_choice(cfg, "on_node_down", 0, on_node_down_names) == 1;
    c->refill_window = 10 * SIM_S;
    c->refill_within = 0.02;
    struct sim_cfg *rf = sim_cfg_object(cfg, "refill", false);
    if (rf) {
        c->refill_window = sim_cfg_duration(rf, "window", 10 * SIM_S, 10 * SIM_MS, 3600 * SIM_S);
        c->refill_within = sim_cfg_number(rf, "within", 0.02, 0, 1);
    }
    c->refill_step = c->refill_window / REFILL_STEPS;
    struct sim_cfg *pl = sim_cfg_object(cfg, "preload", false);
    if (pl) {
        c->preload = (uint32_t)sim_cfg_int(pl, "keys", SIM_REQUIRED, 1,
                                           c->capacity ? c->capacity : MAX_CAPACITY);
        c->push = sim_cfg_bool(pl, "push", 1);
    }
    if (sim_cfg_failed(cfg)) return;

    c->shards = sim_alloc(c->nshards * sizeof *c->shards);
    for (uint32_t i = 0; i < c->nshards; i++) { /* split as evenly as possible */
        struct shard *s = &c->shards[i];
        s->capacity = c->capacity / c->nshards + (i < c->capacity % c->nshards);
        s->capacity_bytes = c->capacity_bytes / c->nshards + (i < c->capacity_bytes % c->nshards);
        s->allocated = s->capacity ? s->capacity : 1024;
        s->entries = sim_alloc(((size_t)s->allocated + 1) * sizeof *s->entries);
        if (KERNEL(c))
            sim_evict_init(&s->policy, (enum sim_evict_policy)(c->eviction - EVICT_KERNEL),
                           s->capacity, kin, kout, policy_evicted, c);
        if (c->eviction == EVICT_LFU && s->capacity) {
            s->fallocated = s->capacity + 1;
            s->fnodes = sim_alloc(((size_t)s->capacity + 2) * sizeof *s->fnodes);
            for (uint32_t f = 1; f <= s->capacity + 1; f++)
                s->fnodes[f].next = f <= s->capacity ? f + 1 : NIL;
            s->ffree = 1;
        }
    }
    if (c->cluster) ring_build(c);
    c->refills = sim_alloc(((size_t)c->nshards + 1) * sizeof *c->refills);
    sim_keymap_init(&c->map, c->capacity ? 2 * (size_t)c->capacity : 2048);
    if (c->write_policy == WRITE_BACK) {
        c->batch_keys = sim_alloc(c->batch_size * sizeof *c->batch_keys);
        c->batch_versions = sim_alloc(c->batch_size * sizeof *c->batch_versions);
    }
    sim_pool_init(&c->jobs, sizeof(struct job));
    sim_pool_init(&c->flights, sizeof(struct flight));
    c->hit_rng = sim_rng(self, "hit");
    c->evict_rng = sim_rng(self, "eviction");
    c->ttl_rng = sim_rng(self, "ttl");
    if (c->value_size) {
        c->size_rng = sim_rng(self, "value_size");
        c->size_salt = sim_uniform_int(c->size_rng, UINT64_MAX);
    }
    if (c->beta) c->early_rng = sim_rng(self, "early_expiration");
    sim_hist_init(&c->hit_latency);
    sim_hist_init(&c->miss_latency);
    sim_hist_init(&c->read_latency);
}

static void start(struct sim_component *self)
{
    struct cache *c = (struct cache *)self;
    sim_level_init(&c->at_risk, 0, 0);
    sim_level_init(&c->bytes_used, 0, 0);
    if (c->write_policy == WRITE_BACK) sim_every(self, c->flush_interval, flush_tick, NULL);
    sim_every(self, c->refill_step, refill_tick, NULL);
    if (c->preload) place_preloaded(c);
    if (c->preload && c->push && c->ttl) sim_every(self, c->ttl, push_tick, NULL);
}

static void clear_stats(struct sim_component *self)
{
    struct cache *c = (struct cache *)self;
    c->reads = c->writes = c->hits = c->misses = c->evictions = c->expirations = 0;
    c->coalesced = c->invalidations = c->stale_reads = c->backend_reads = 0;
    c->backend_writes = c->flushes = c->dirty_evictions = 0;
    memset(c->errors, 0, sizeof c->errors);
    c->early_refreshes = c->too_large = c->bypassed = c->pushes = 0;
    for (uint32_t s = 0; s < c->nshards; s++)
        c->shards[s].reads = c->shards[s].writes = c->shards[s].hits = 0;
    for (uint32_t i = 0; i < c->ninfos; i++) c->infos[i].reads = 0;
    sim_hist_clear(&c->hit_latency);
    sim_hist_clear(&c->miss_latency);
    sim_hist_clear(&c->read_latency);
    sim_level_restart(&c->at_risk, sim_now(self));
    c->at_risk.max = c->at_risk.level;
    sim_level_restart(&c->bytes_used, sim_now(self));
    c->bytes_used.max = c->bytes_used.level;
}

static uint32_t entries_held(const struct cache *c)
{
    uint32_t n = 0;
    for (uint32_t s = 0; s < c->nshards; s++) n += c->shards[s].used;
    return n;
}

static int descending(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* The share of reads that went to the most read 1% of the distinct keys read (at least
 * one key), from the per-key counts: exact, sorted once at report time. */
static double top_1pct_share(const struct cache *c)
{
    if (!c->reads) return 0;
    uint64_t *counts = sim_alloc(((size_t)c->ninfos + 1) * sizeof *counts);
    size_t n = 0;
    for (uint32_t i = 0; i < c->ninfos; i++)
        if (c->infos[i].reads) counts[n++] = c->infos[i].reads;
    qsort(counts, n, sizeof *counts, descending);
    size_t top = (n + 99) / 100;
    uint64_t sum = 0;
    for (size_t i = 0; i < top; i++) sum += counts[i];
    sim_free(counts);
    return (double)sum / (double)c->reads;
}

/* Per shard: requests (reads and writes) per second, their share of the cache's, hit ratio
 * and entries; then the busiest shard's share. */
static void report_shards(const struct cache *c, struct sim_report *rep, double window)
{
    uint64_t total = c->reads + c->writes, busiest = 0;
    for (uint32_t i = 0; i < c->nshards; i++) {
        const struct shard *s = &c->shards[i];
        uint64_t requests = s->reads + s->writes;
        char path[64];
        snprintf(path, sizeof path, "shards.%u.requests", i);
        sim_report(rep, path, (double)requests / window, SIM_UNIT_RATE);
        snprintf(path, sizeof path, "shards.%u.share", i);
        sim_report(rep, path, total ? (double)requests / (double)total : 0, SIM_UNIT_RATIO);
        snprintf(path, sizeof path, "shards.%u.hit_ratio", i);
        sim_report(rep, path, s->reads ? (double)s->hits / (double)s->reads : 0, SIM_UNIT_RATIO | SIM_HIGHER_BETTER);
        snprintf(path, sizeof path, "shards.%u.entries", i);
        sim_report(rep, path, (double)s->used, SIM_UNIT_COUNT);
        if (requests > busiest) busiest = requests;
    }
    sim_report(rep, "hot_shard_share", total ? (double)busiest / (double)total : 0,
               SIM_UNIT_RATIO | SIM_LOWER_BETTER);
}

static void report(struct sim_component *self, struct sim_report *rep)
{
    struct cache *c = (struct cache *)self;
    double window = sim_window_seconds(self);
    double lookups = (double)(c->hits + c->misses);
    double h = lookups ? (double)c->hits / lookups : 0;
    sim_report(rep, "reads", (double)c->reads / window, SIM_UNIT_RATE);
    sim_report(rep, "writes", (double)c->writes / window, SIM_UNIT_RATE);
    sim_report(rep, "hit_ratio", h, SIM_UNIT_RATIO | SIM_HIGHER_BETTER);
    sim_report(rep, "miss_ratio", lookups ? 1 - h : 0, SIM_UNIT_RATIO | SIM_LOWER_BETTER);
    sim_report(rep, "hits", (double)c->hits, SIM_UNIT_COUNT);
    sim_report(rep, "misses", (double)c->misses, SIM_UNIT_COUNT);
    sim_report(rep, "evictions", (double)c->evictions, SIM_UNIT_COUNT);
    sim_report(rep, "expirations", (double)c->expirations, SIM_UNIT_COUNT);
    sim_report(rep, "invalidations", (double)c->invalidations, SIM_UNIT_COUNT);
    sim_report(rep, "coalesced", (double)c->coalesced, SIM_UNIT_COUNT);
    sim_report(rep, "stale_reads", (double)c->stale_reads, SIM_UNIT_COUNT | SIM_LOWER_BETTER);
    sim_report(rep, "stale_read_ratio", c->reads ? (double)c->stale_reads / (double)c->reads : 0,
               SIM_UNIT_RATIO | SIM_LOWER_BETTER);
    sim_report(rep, "entries", (double)entries_held(c), SIM_UNIT_COUNT);
    sim_report(rep, "keys_seen", (double)c->ninfos, SIM_UNIT_COUNT);
    sim_report(rep, "top_1pct_share", top_1pct_share(c), SIM_UNIT_RATIO);
    sim_report(rep, "backend.reads", (double)c->backend_reads / window, SIM_UNIT_RATE);
    sim_report(rep, "backend.writes", (double)c->backend_writes / window, SIM_UNIT_RATE);
    sim_report(rep, "offload", c->reads ? 1 - (double)c->backend_reads / (double)c->reads : 0,
               SIM_UNIT_RATIO | SIM_HIGHER_BETTER);
    if (c->preload) sim_report(rep, "pushes", (double)c->pushes / window, SIM_UNIT_RATE);
    double t_hit = sim_hist_mean(&c->hit_latency) / SIM_S;
    double t_miss = sim_hist_mean(&c->miss_latency) / SIM_S;
    sim_report(rep, "eat.measured", sim_hist_mean(&c->read_latency) / SIM_S, SIM_UNIT_SECONDS | SIM_LOWER_BETTER);
    sim_report(rep, "eat.formula", h * t_hit + (1 - h) * t_miss, SIM_UNIT_SECONDS);
    sim_report_hist(rep, "hit_latency", &c->hit_latency);
    sim_report_hist(rep, "miss_latency", &c->miss_latency);
    sim_report_errors(rep, c->errors, SIM_UNIT_COUNT | SIM_LOWER_BETTER);
    if (c->write_policy == WRITE_BACK) {
        sim_report(rep, "writes_at_risk.mean", sim_level_mean(&c->at_risk, sim_now(self)),
                   SIM_UNIT_NUMBER | SIM_LOWER_BETTER);
        sim_report(rep, "writes_at_risk.max", c->at_risk.max, SIM_UNIT_COUNT | SIM_LOWER_BETTER);
        sim_report(rep, "flushes", (double)c->flushes, SIM_UNIT_COUNT);
        sim_report(rep, "dirty_evictions", (double)c->dirty_evictions, SIM_UNIT_COUNT);
    }
    if (c->beta) sim_report(rep, "early_refreshes", (double)c->early_refreshes, SIM_UNIT_COUNT);
    if (c->value_size) {
        sim_report(rep, "bytes_used.mean", sim_level_mean(&c->bytes_used, sim_now(self)),
                   SIM_UNIT_NUMBER);
        sim_report(rep, "bytes_used.max", c->bytes_used.max, SIM_UNIT_NUMBER);
        sim_report(rep, "too_large", (double)c->too_large, SIM_UNIT_COUNT);
    }
    if (c->cluster) report_shards(c, rep, window);
    sim_report(rep, "bypassed", (double)c->bypassed, SIM_UNIT_COUNT);
    if (c->cold_starts) {
        double n = (double)c->compared;
        sim_report(rep, "refill.cold_starts", (double)c->cold_starts, SIM_UNIT_COUNT);
        sim_report(rep, "refill.dropped", (double)c->dropped, SIM_UNIT_COUNT);
        sim_report(rep, "refill.refilled", (double)c->refilled, SIM_UNIT_COUNT);
        sim_report(rep, "refill.time", c->refilled ? c->refill_sum / (double)c->refilled : NAN,
                   SIM_UNIT_SECONDS | SIM_LOWER_BETTER);
        sim_report(rep, "refill.hit_ratio_before", n ? c->before_hit_sum / n : NAN, SIM_UNIT_RATIO | SIM_HIGHER_BETTER);
        sim_report(rep, "refill.hit_ratio_after", n ? c->after_hit_sum / n : NAN, SIM_UNIT_RATIO | SIM_HIGHER_BETTER);
        sim_report(rep, "refill.backend_reads_before", n ? c->before_backend_sum / n : NAN,
                   SIM_UNIT_RATE);
        sim_report(rep, "refill.backend_reads_after", n ? c->after_backend_sum / n : NAN,
                   SIM_UNIT_RATE);
    }
}

static void sample(struct sim_component *self, struct sim_sampler *smp)
{
    struct cache *c = (struct cache *)self;
    sim_sample(smp, "hit_ratio",
               c->sample_reads ? (double)c->sample_hits / (double)c->sample_reads : 0);
    sim_sample(smp, "entries", entries_held(c));
    c->sample_hits = c->sample_reads = 0;
}

#define THEORY_MAX_KEYS 5000000 /* above this, the sums take too long for a report */

/* The characteristic time T solving sum_i f(p_i T) = C, by bisection on log T. */
static double characteristic_time(const double *p, uint64_t n, double capacity, bool che)
{
    double lo = 1e-12, hi = 1e18;
    for (int it = 0; it < 200; it++) {
        double t = sqrt(lo * hi), occupied = 0;
        for (uint64_t i = 0; i < n; i++) occupied += che ? -expm1(-p[i] * t) : p[i] * t / (1 + p[i] * t);
        if (occupied < capacity) lo = t;
        else hi = t;
        if (hi / lo < 1 + 1e-12) break;
    }
    return sqrt(lo * hi);
}

/* The hit ratio of an item-capacity cache (or a ttl-only one) over keys of probabilities
 * p[0..n), most popular first, summing to 1, read `reads` times per second in all. */
static double predicted_hit_ratio(const struct cache *c, const double *p, uint64_t n,
                                  uint32_t capacity, double reads)
{
    double h = 0;
    if (c->eviction == EVICT_TTL) {
        double t = (double)c->ttl / SIM_S;
        for (uint64_t i = 0; i < n; i++) h += p[i] * (reads * p[i] * t) / (1 + reads * p[i] * t);
    } else if (capacity >= n) {
        h = 1; /* every key fits: only the first read of each misses */
    } else if (c->eviction == EVICT_LFU) {
        for (uint64_t i = 0; i < capacity; i++) h += p[i]; /* keys come ranked by popularity */
    } else {
        bool che = c->eviction == EVICT_LRU;
        double t = characteristic_time(p, n, capacity, che);
        for (uint64_t i = 0; i < n; i++) h += p[i] * (che ? -expm1(-p[i] * t) : p[i] * t / (1 + p[i] * t));
    }
    return h;
}

/* A cluster: each shard by the same formulas over the keys the ring gives it, their
 * probabilities conditioned on the shard, with its own capacity. Returns the overall ratio. */
static double predicted_cluster(const struct cache *c, const double *p, uint64_t n, double reads,
                                struct sim_report *pred)
{
    uint32_t *owner = sim_alloc((size_t)n * sizeof *owner);
    double *q = sim_alloc((size_t)n * sizeof *q), h = 0;
    for (uint64_t i = 0; i < n; i++) owner[i] = shard_of_key(c, i);
    for (uint32_t s = 0; s < c->nshards; s++) {
        uint64_t m = 0;
        double mass = 0, hs = 0;
        for (uint64_t i = 0; i < n; i++)
            if (owner[i] == s) mass += q[m++] = p[i]; /* still in rank order */
        if (mass > 0) {
            for (uint64_t i = 0; i < m; i++) q[i] /= mass;
            hs = predicted_hit_ratio(c, q, m, c->shards[s].capacity, reads * mass);
        }
        char path[64];
        snprintf(path, sizeof path, "shards.%u.hit_ratio", s);
        sim_report(pred, path, hs, SIM_UNIT_RATIO);
        snprintf(path, sizeof path, "shards.%u.share", s);
        sim_report(pred, path, mass, SIM_UNIT_RATIO);
        h += mass * hs;
    }
    sim_free(q);
    sim_free(owner);
    return h;
}

/* Hit ratios from the workload's key popularity: LRU by Che's approximation, FIFO and
 * random by their fixed point, LFU as perfect LFU, a TTL-only cache per key, a cluster
 * shard by shard; then EAT from the predicted hit ratio and the measured hit and miss
 * times. */
static void theory(struct sim_component *self, struct sim_report *pred)
{
    struct cache *c = (struct cache *)self;
    const struct sim_keys *keys = sim_workload_keys(self);
    if (!keys) {
        sim_theory_note(pred, "the workload draws no keys: no popularity to predict from");
        return;
    }
    if (c->value_size || KERNEL(c)) {
        sim_theory_note(pred, "%s: no closed form for the hit ratio here",
                        c->value_size ? "capacity in bytes" : eviction_names[c->eviction]);
        return;
    }
    uint64_t n = sim_keys_count(keys);
    if (n > THEORY_MAX_KEYS) {
        sim_theory_note(pred, "more than %d keys: the hit-ratio sums are not computed", THEORY_MAX_KEYS);
        return;
    }
    double *p = sim_alloc((size_t)n * sizeof *p), h;
    for (uint64_t i = 0; i < n; i++) p[i] = sim_keys_probability(keys, i);
    double reads = sim_simulated(pred, "reads");
    if (c->cluster) h = predicted_cluster(c, p, n, reads, pred);
    else h = predicted_hit_ratio(c, p, n, c->capacity, reads);
    if (c->eviction == EVICT_TTL && c->ttl_jitter)
        sim_theory_note(pred, "TTL jitter: the formula uses the mean TTL");
    else if (c->eviction != EVICT_TTL && c->capacity >= n && !c->cluster)
        sim_theory_note(pred, "every key fits: the hit ratio tends to 1 as cold misses fade");
    else if (c->eviction == EVICT_LFU)
        sim_theory_note(pred, "LFU taken as perfect LFU: the most popular keys always cached");
    else if (c->eviction != EVICT_TTL && c->ttl)
        sim_theory_note(pred, "entries also expire: the formula ignores the TTL");
    if ((c->eviction == EVICT_LRU || c->eviction == EVICT_FIFO || c->eviction == EVICT_RANDOM) &&
        (c->capacity < n || c->cluster))
        sim_theory_note(pred, "the hit ratio is Che's approximation (one characteristic time for "
                              "every key): close for large caches, an approximation for small ones");
    if (c->beta) sim_theory_note(pred, "early expiration refreshes entries: the formula ignores it");
    if (c->preload) sim_theory_note(pred, "preloaded keys: the formula ignores them");
    sim_free(p);
    if (sim_simulated(pred, "writes") > 0)
        sim_theory_note(pred, "writes invalidate or update entries: the formulas count reads only");
    sim_report(pred, "hit_ratio", h, SIM_UNIT_RATIO);
    double t_hit = sim_simulated(pred, "hit_latency.mean"), t_miss = sim_simulated(pred, "miss_latency.mean");
    if (t_hit >= 0 && t_miss >= 0) sim_report(pred, "eat.measured", h * t_hit + (1 - h) * t_miss, SIM_UNIT_SECONDS);
}

static void describe(struct sim_component *self, char *buf, size_t n)
{
    struct cache *c = (struct cache *)self;
    char cap[32], ht[96], ttl[48];
    if (c->capacity) snprintf(cap, sizeof cap, "%u items", c->capacity);
    else snprintf(cap, sizeof cap, c->capacity_bytes ? "no item limit" : "unbounded");
    if (c->ttl) snprintf(ttl, sizeof ttl, "ttl %.6gs", (double)c->ttl / SIM_S);
    else snprintf(ttl, sizeof ttl, "no ttl");
    sim_dist_describe(c->hit_time, ht, sizeof ht);
    char extra[160] = "";
    int len = 0;
    if (c->capacity_bytes)
        len += snprintf(extra + len, sizeof extra - (size_t)len, ", %llu bytes",
                        (unsigned long long)c->capacity_bytes);
    if (c->beta && len < (int)sizeof extra)
        len += snprintf(extra + len, sizeof extra - (size_t)len, ", early expiration beta %g",
                        c->beta);
    if (c->cluster && len < (int)sizeof extra)
        len += snprintf(extra + len, sizeof extra - (size_t)len, ", cluster of %u x %u virtual nodes",
                        c->nshards, c->virtual_nodes);
    if (c->preload && len < (int)sizeof extra)
        len += snprintf(extra + len, sizeof extra - (size_t)len, ", preload %u keys%s", c->preload,
                        c->push && c->ttl ? " pushed every ttl" : c->push ? " pushed" : "");
    if (c->skip_down && len < (int)sizeof extra)
        snprintf(extra + len, sizeof extra - (size_t)len, ", a down node's keys skip to the backend");
    snprintf(buf, n, "%s, %s, %s, hit %s, %s, coalescing %s%s; backend %s", cap,
             eviction_names[c->eviction], ttl, ht,
             write_policy_names[c->write_policy], c->coalescing ? "on" : "off", extra,
             c->backend ? c->backend->name : "?");
}

static void fini(struct sim_component *self)
{
    struct cache *c = (struct cache *)self;
    for (uint32_t s = 0; c->shards && s < c->nshards; s++) {
        sim_free(c->shards[s].entries);
        sim_free(c->shards[s].fnodes);
        if (KERNEL(c)) sim_evict_fini(&c->shards[s].policy);
    }
    sim_free(c->shards);
    sim_free(c->refills);
    sim_ring_fini(&c->ring);
    sim_free(c->sizes);
    sim_free(c->infos);
    sim_keymap_fini(&c->map);
    sim_free(c->batch_keys);
    sim_free(c->batch_versions);
    sim_pool_fini(&c->jobs);
    sim_pool_fini(&c->flights);
}

const struct sim_model cache_model = {
    .name = "cache",
    .summary = "a cache over real keys in front of a backend: lru/lfu/fifo/random/ttl/arc/2q/"
               "s3_fifo/sieve/w_tinylfu, write policies",
    .size = sizeof(struct cache),
    .configure = configure,
    .start = start,
    .receive = receive,
    .respond = respond,
    .clear_stats = clear_stats,
    .report = report,
    .sample = sample,
    .describe = describe,
    .theory = theory,
    .fini = fini,
    .instance_named = instance_named,
    .fault = fault,
    .fault_kinds = SIM_FAULT_BIT(SIM_FAULT_FLUSH) | SIM_FAULT_BIT(SIM_FAULT_SLOW),
    .fault_instances = fault_instances,
};
