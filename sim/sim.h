/* sim.h: the one header a model includes. Components, the model vtable, calls and
 * responses, scheduling, random draws, distributions, configuration and statistics.
 * Time is an int64 count of nanoseconds; every random draw comes from a named stream. */
#ifndef ARCHSIM_SIM_H
#define ARCHSIM_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef int64_t sim_time; /* nanoseconds */

#define SIM_NS ((sim_time)1)
#define SIM_US ((sim_time)1000)
#define SIM_MS ((sim_time)1000000)
#define SIM_S ((sim_time)1000000000)
#define SIM_NEVER INT64_MAX
#define SIM_MAX_DURATION (1000000 * SIM_S) /* the longest duration a scenario may give */
/* A time in seconds, for reports and descriptions. */
static inline double sim_seconds(sim_time t)
{
    return (double)t / SIM_S;
}
#define SIM_NO_MORE ((sim_time)-1) /* a periodic handler's "stop" */

struct sim_world;
struct sim_component;
struct sim_cfg;
struct sim_report;
struct sim_sampler;
struct sim_event;
struct sim_rng;
struct sim_dist;
struct sim_keys;
struct sim_fault;

/* ---- memory: never returns NULL; reports and exits on exhaustion ---- */
void *sim_alloc(size_t n); /* zeroed */
void *sim_realloc(void *p, size_t n);
char *sim_strdup(const char *s);
void sim_free(void *p);

/* Free list of fixed-size objects: the steady state allocates nothing.
 * Owned by whoever embeds it; sim_pool_fini releases every object at once. */
struct sim_pool {
    size_t size;      /* object size, rounded up to pointer alignment */
    void *free;       /* singly linked through the first word */
    char *next, *end; /* the newest block's objects never handed out yet */
    void **chunks;    /* every block ever allocated */
    size_t nchunks, chunks_cap, live;
};
void sim_pool_init(struct sim_pool *p, size_t size);
void *sim_pool_get(struct sim_pool *p); /* contents undefined: the caller initialises */
void sim_pool_put(struct sim_pool *p, void *obj);
void sim_pool_fini(struct sim_pool *p);
/* Memory that grows with the load (a model's own ring of messages) is charged here when it
 * grows, so the run's memory budget sees it (docs/engine.md, "Memory budget"). */
void sim_memory_charge(size_t bytes);
/* The run is stopping: what waits outgrew the memory budget. A loop that allocates per
 * item it starts (one timer per user) stops early. */
bool sim_over_budget(const struct sim_component *self);

/* ---- components and models ---- */

/* The base every model embeds as its first member. Allocated by the engine
 * (model->size bytes, zeroed); the name is owned by the engine. */
struct sim_component {
    const struct sim_model *model;
    const char *name;
    struct sim_world *world;
    int index; /* position in the scenario, for the engine only */
};

enum sim_status {
    SIM_OK,
    SIM_TIMEOUT,     /* the caller stopped waiting */
    SIM_REJECTED,    /* queue full, rate limited, circuit open, pool exhausted */
    SIM_UNAVAILABLE, /* crashed, no healthy backend, partitioned */
    SIM_FAILED,      /* injected error or a downstream failure passed up */
    SIM_STATUS_COUNT
};
const char *sim_status_name(enum sim_status s); /* "ok", "timeout", ... */

/* One hop of a request. Allocated by sim_call_new from the engine's pool and freed by
 * the engine after the caller's respond() returns (or, for an abandoned call, when the
 * callee answers). Neither side may keep the pointer past that. */
struct sim_call {
    struct sim_component *caller, *callee;
    struct sim_call *parent; /* the call being served when this one was made; NULL at the edge */
    sim_time start;          /* when the caller sent it */
    sim_time deadline;       /* absolute; SIM_NEVER for none */
    uint64_t key;
    int op;                  /* operation index: sim_op_name() */
    int attempt;             /* 0 for the first try */
    int instance;            /* the callee's instance to serve it, or -1: the callee picks */
    enum sim_status status;  /* set by sim_respond */
    void *caller_data;       /* the caller's, untouched by the engine and the callee */
    void *callee_data;       /* the callee's, untouched by the engine and the caller */
    uint8_t abandoned, answered;
};

/* ---- faults (docs/faults.md) ---- */
enum sim_fault_kind {
    SIM_FAULT_CRASH,              /* refuses every call; the work in flight is lost */
    SIM_FAULT_HANG,               /* accepts calls and never answers (passes tcp checks) */
    SIM_FAULT_SLOW,               /* service times x factor + add */
    SIM_FAULT_ERROR,              /* answers a share of calls "failed" at once */
    SIM_FAULT_PARTITION,          /* calls between two groups of nodes are lost */
    SIM_FAULT_FLUSH,              /* a cache loses its contents (a cold restart) */
    SIM_FAULT_DISK_FULL,          /* writes are rejected */
    SIM_FAULT_REPLICATION_PAUSED, /* replicas stop applying writes: lag grows */
    SIM_FAULT_KINDS
};
#define SIM_FAULT_BIT(k) (1u << (k))
/* The kinds every model takes: the engine applies them to calls (sim_fault_takes). A
 * model that draws service times declares SIM_FAULT_SLOW and passes them through
 * sim_fault_slowed. */
#define SIM_FAULT_GENERIC                                                                 \
    (SIM_FAULT_BIT(SIM_FAULT_CRASH) | SIM_FAULT_BIT(SIM_FAULT_HANG) |                   \
     SIM_FAULT_BIT(SIM_FAULT_ERROR))

/* One fault hitting one node (or one of its instances); the engine's, read-only. */
struct sim_fault {
    int id;           /* its place in the scenario's faults: faults.<id> in the report */
    enum sim_fault_kind kind;
    int instance;     /* -1: the whole node */
    double factor;    /* slow: service time multiplier (1: none) */
    sim_time add;     /* slow: added to every service time */
    double ratio;     /* error: the share of calls failed */
    bool silent;      /* crash: the machine is gone, nothing answers (else: refused at once) */
};

/* The interface of a component model. configure() reads JSON through cfg (errors name
 * the JSON path); start() schedules its first events; receive() gets a call; respond()
 * gets the answer to a call it made. Required: name, size (at least a sim_component),
 * configure, clear_stats and report, and fault when fault_kinds names a kind other than
 * slow (which sim_fault_slowed applies); every other
 * slot may be NULL. The engine checks a model when it adds a component of it. */
struct sim_model {
    const char *name;    /* required */
    const char *summary; /* one line for `archsim check` and --help */
    size_t size;         /* required: of the model's struct, whose first member is sim_component */
    void (*configure)(struct sim_component *self, struct sim_cfg *cfg); /* required */
    void (*start)(struct sim_component *self);                          /* may be NULL */
    void (*receive)(struct sim_component *self, struct sim_call *call); /* may be NULL */
    void (*respond)(struct sim_component *self, struct sim_call *call); /* may be NULL */
    void (*clear_stats)(struct sim_component *self); /* required: the warm-up ended */
    void (*report)(struct sim_component *self, struct sim_report *rep); /* required */
    void (*sample)(struct sim_component *self, struct sim_sampler *s);  /* may be NULL */
    void (*describe)(struct sim_component *self, char *buf, size_t n);  /* may be NULL */
    /* Closed-form predictions under the same paths as report(), fed by figures the
     * simulation measured at this node (sim_simulated: its arrival rate...). May be NULL. */
    void (*theory)(struct sim_component *self, struct sim_report *pred);
    /* How many instances calls may name in call->instance (may be NULL: one). */
    int (*instances)(struct sim_component *self);
    void (*fini)(struct sim_component *self);                           /* may be NULL */
    /* Faults (docs/faults.md). The instance a fault target names after the node's name
     * ("primary", "replica.1"), or -1 when there is none; NULL: instances by number only. */
    int (*instance_named)(struct sim_component *self, const char *name);
    /* A fault on this node begins or ends (f->instance -1: the whole node). The engine
     * already refuses, holds or fails new calls; the model drops the work a crash loses
     * and implements the kinds in fault_kinds. May be NULL. */
    void (*fault)(struct sim_component *self, const struct sim_fault *f, bool begins);
    unsigned fault_kinds; /* SIM_FAULT_BIT of each model-specific kind fault() implements */
    /* How many instances a fault may target, for a model whose parts callers never name
     * in call->instance (a cache's cluster nodes, a queue's consumers). May be NULL: the
     * instances() above. */
    int (*fault_instances)(struct sim_component *self);
    /* For the memory budget's verdict: the calls waiting at this node now, and the rate
     * (calls/s) it completes them at when every server is busy, 0 when unknown. May be NULL. */
    void (*backlog)(struct sim_component *self, uint64_t *waiting, double *capacity);
};

/* A bug, not bad input: prints the simulated time and the component, then exits with
 * code 3 (or aborts, for a core dump, when ARCHSIM_ABORT=1). */
#define SIM_ASSERT(self, cond)                                                          \
    do {                                                                                \
        if (!(cond)) sim_assert_fail((self), #cond, __FILE__, __LINE__);                \
    } while (0)
void sim_assert_fail(const struct sim_component *self, const char *what, const char *file,
                     int line) __attribute__((noreturn));

/* ---- time and events ---- */
sim_time sim_now(const struct sim_component *self);
bool sim_measuring(const struct sim_component *self); /* past the warm-up */
double sim_window_seconds(const struct sim_component *self); /* measured span so far */

typedef void (*sim_handler)(struct sim_component *self, void *arg);
/* Periodic work returns its next delay, or SIM_NO_MORE. */
typedef sim_time (*sim_periodic)(struct sim_component *self, void *arg);

/* The returned handle is valid until the handler runs or the event is cancelled. */
struct sim_event *sim_schedule(struct sim_component *self, sim_time delay, sim_handler fn,
                               void *arg);
void sim_every(struct sim_component *self, sim_time first, sim_periodic fn, void *arg);
void sim_cancel(struct sim_event *ev); /* lazy: dropped when it surfaces */

/* ---- calls ---- */
struct sim_call *sim_call_new(struct sim_component *caller, struct sim_component *callee,
                              struct sim_call *parent, int op, uint64_t key, sim_time deadline);
/* Sends the call; it reaches the callee after the link latency. */
void sim_call_send(struct sim_call *call);
/* The callee answers; the answer reaches the caller after the link latency,
 * unless the caller abandoned the call. */
void sim_respond(struct sim_call *call, enum sim_status status);
/* The caller stops waiting (a timeout). The callee keeps working; its answer is dropped. */
void sim_call_abandon(struct sim_call *call);

/* The number of instances of a node, for callers that pick one (load balancers). */
int sim_instances(struct sim_component *node);

/* ---- zones and regions (docs/scenario.md, `zones`) ---- */
#define SIM_NO_ZONE (-1)
/* The zone of a node's instance (instance -1: the node's own zone) as an index into the
 * scenario's zones, or SIM_NO_ZONE when the node is placed nowhere. */
int sim_zone_of(struct sim_component *node, int instance);
/* The zone a received call was sent from: the caller's (its instance's), or the client's
 * for the workload's requests. SIM_NO_ZONE when unplaced. */
int sim_call_zone(const struct sim_call *call);
/* The zone of the client whose request the call serves (SIM_NO_ZONE: none drawn). */
int sim_call_client_zone(const struct sim_call *call);
int sim_zone_count(const struct sim_component *any); /* 0: the scenario declares no zones */
const char *sim_zone_name(const struct sim_component *any, int zone);
int sim_zone_region(const struct sim_component *any, int zone); /* a region's index */
const char *sim_region_name(const struct sim_component *any, int region);

int sim_op_count(const struct sim_component *self);
const char *sim_op_name(const struct sim_component *self, int op);
enum { SIM_OP_READ = 0, SIM_OP_WRITE = 1 }; /* always interned first */
#define SIM_MAX_OPS 64 /* distinct operation names in a scenario */

/* A FIFO queue of pointers (a ring that doubles when full): memory grows with what waits,
 * never with run length. Zero-initialise; owned by whoever embeds it. */
struct sim_fifo {
    void **items;
    size_t head, count, cap;
};
void sim_fifo_push(struct sim_fifo *q, void *item);
void *sim_fifo_pop(struct sim_fifo *q); /* NULL when empty */
void sim_fifo_fini(struct sim_fifo *q);

/* An open-addressing map from a 64-bit key to a non-zero 32-bit value (0: absent), for
 * models that keep per-key state. Key and value share a slot, so a lookup at millions of
 * keys costs one cache miss. Owned by whoever embeds it; it doubles, never shrinks. */
struct sim_keymap_slot {
    uint64_t key;
    uint32_t val;
};
struct sim_keymap {
    struct sim_keymap_slot *slots;
    size_t mask, count;
};
void sim_keymap_init(struct sim_keymap *m, size_t expected);
uint32_t sim_keymap_get(const struct sim_keymap *m, uint64_t key);
void sim_keymap_put(struct sim_keymap *m, uint64_t key, uint32_t val); /* key must be absent */
void sim_keymap_fini(struct sim_keymap *m);

/* Per-key version records for replicated stores: for each key written, `columns` version
 * numbers (the acknowledged version, each copy's, a backup's: the owner's layout).
 * A record is created at its key's first write, zeroed, so memory grows with the keys
 * written; its index stays, its row may move when the records grow. */
struct sim_versions {
    struct sim_keymap map; /* key -> record index + 1 */
    uint32_t *cols;
    size_t columns, count, allocated;
    struct sim_component *owner;
};
void sim_versions_init(struct sim_versions *v, struct sim_component *owner, size_t columns);
uint32_t sim_versions_record(struct sim_versions *v, uint64_t key); /* created if absent */
/* The record of key + 1, or 0 when the key was never written. */
static inline uint32_t sim_versions_find(const struct sim_versions *v, uint64_t key)
{
    return sim_keymap_get(&v->map, key);
}
static inline uint32_t *sim_versions_row(struct sim_versions *v, uint32_t record)
{
    return &v->cols[record * v->columns];
}
/* Every record with its key, in no particular order: *at starts at 0; false at the end. */
bool sim_versions_next(const struct sim_versions *v, size_t *at, uint64_t *key, uint32_t *record);
void sim_versions_fini(struct sim_versions *v);

/* An in-order stream (a replication stream into one copy, a log shipped to a follower):
 * items apply at their own times, in the order they were put on it, while it flows; a
 * stopped stream holds them. Items are embedded in the owner's structs: nothing is
 * allocated. The owner says whether it flows (sim_stream_push, sim_stream_flow). */
struct sim_stream_item {
    struct sim_stream_item *next;
    sim_time at; /* when it applies, if the stream flows */
};
struct sim_stream {
    struct sim_stream_item *head, *tail;
    struct sim_event *pump; /* the next apply, while it flows */
    sim_time last;          /* when the newest item applies */
    struct sim_component *owner;
    void (*apply)(struct sim_component *owner, struct sim_stream *s, struct sim_stream_item *it);
};
void sim_stream_init(struct sim_stream *s, struct sim_component *owner,
                     void (*apply)(struct sim_component *, struct sim_stream *,
                                   struct sim_stream_item *));
/* When an item drawn to apply at `at` applies: not before the newest one on the stream. */
sim_time sim_stream_order(struct sim_stream *s, sim_time at);
/* it goes to the end of the stream, to apply at `at` (use sim_stream_order). */
void sim_stream_push(struct sim_stream *s, struct sim_stream_item *it, sim_time at, bool flowing);
/* After a change: a stopped stream holds its items; a flowing one applies what is due (a
 * copy back catches up at once) and waits for the next. */
void sim_stream_flow(struct sim_stream *s, bool flowing);
/* Takes off every item drop(owner, it, arg) says so (drop frees it), and stops the
 * stream: the owner calls sim_stream_flow afterwards. */
void sim_stream_drop(struct sim_stream *s,
                     bool (*drop)(struct sim_component *owner, struct sim_stream_item *it, void *arg),
                     void *arg);

/* A consistent-hash ring: points (a position and the owner it stands for) sorted by
 * (position, owner). A key belongs to the owner of the first point at or after
 * sim_hash64(key), wrapping past the top: O(log points) a lookup, no allocation. Build with
 * the adds, then sort once. Zero-initialise; owned by whoever embeds it. */
struct sim_ring_point {
    uint64_t at;
    int owner;
};
struct sim_ring {
    struct sim_ring_point *points;
    size_t count, cap;
};
void sim_ring_add(struct sim_ring *r, uint64_t at, int owner);
/* vnodes points placed by the owner's number: owner i always sits at the same places. */
void sim_ring_add_numbered(struct sim_ring *r, int owner, int vnodes);
/* vnodes points placed by a hash of the owner's name: independent of its number, so
 * listing owners in another order moves no key. */
void sim_ring_add_named(struct sim_ring *r, int owner, const char *name, int vnodes);
void sim_ring_sort(struct sim_ring *r);
int sim_ring_owner(const struct sim_ring *r, uint64_t key); /* -1: an empty ring */
/* dst becomes src's points whose owner keep() accepts, in order: the ring without the
 * owners that left, where every other key stays put. Allocates only the first time. */
void sim_ring_filter(struct sim_ring *dst, const struct sim_ring *src,
                     bool (*keep)(int owner, void *arg), void *arg);
void sim_ring_fini(struct sim_ring *r);

/* Eviction policies over a fixed capacity of ids (a cache's keys, or any model's): ARC,
 * 2Q, S3-FIFO, SIEVE and W-TinyLFU, each O(1) amortised per access, with every node
 * (resident or ghost) preallocated from the capacity at init. The policy decides what
 * stays; the owner holds the values and hears of each eviction through evicted(). */
enum sim_evict_policy { SIM_EVICT_ARC, SIM_EVICT_2Q, SIM_EVICT_S3FIFO, SIM_EVICT_SIEVE,
                        SIM_EVICT_WTINYLFU };
extern const char *const sim_evict_names[]; /* "arc", "2q", "s3_fifo", "sieve", "w_tinylfu" */
struct sim_evict_node {
    uint64_t id;
    uint32_t prev, next; /* toward the head (newest), toward the tail (oldest) */
    uint8_t list;
    uint8_t bits;        /* sieve: visited; s3_fifo: frequency 0..3 */
};
struct sim_evict_list {
    uint32_t head, tail, count;
};
/* Owned by whoever embeds it: sim_evict_init / sim_evict_fini. */
struct sim_evict {
    enum sim_evict_policy policy;
    uint32_t capacity, resident;
    struct sim_evict_node *nodes; /* 1..nodes_max; 0 is nil */
    uint32_t nodes_max, nodes_used, free_head;
    uint32_t *slots;              /* id -> node, open addressing; 0 empty */
    size_t mask;
    struct sim_evict_list lists[4];
    uint8_t ghosts;               /* bit per list that holds ids without values */
    uint32_t hand;                /* sieve */
    uint32_t target;              /* arc: p, the target size of T1 */
    uint32_t small, main, ghost;  /* 2q: Kin, -, Kout; s3_fifo: small, main, ghost; */
                                  /* w_tinylfu: window, main, protected */
    uint64_t *sketch;             /* w_tinylfu: 4 rows of `width` 4-bit counters */
    uint32_t width;
    uint64_t added, sample;       /* increments since the last halving, and the period */
    void (*evicted)(void *arg, uint64_t id); /* called once the id has left */
    void *arg;
};
/* 2q's Kin and Kout as fractions of the capacity (0: the paper's 0.25 and 0.5). */
void sim_evict_init(struct sim_evict *e, enum sim_evict_policy policy, uint32_t capacity,
                    double kin, double kout, void (*evicted)(void *arg, uint64_t id), void *arg);
bool sim_evict_contains(const struct sim_evict *e, uint64_t id); /* resident */
void sim_evict_hit(struct sim_evict *e, uint64_t id);    /* id resident */
void sim_evict_insert(struct sim_evict *e, uint64_t id); /* id not resident: evicts as needed */
bool sim_evict_access(struct sim_evict *e, uint64_t id); /* hit or insert; true on a hit */
void sim_evict_remove(struct sim_evict *e, uint64_t id); /* drops id if resident, no ghost */
void sim_evict_clear(struct sim_evict *e);               /* forgets everything, ghosts too */
void sim_evict_fini(struct sim_evict *e);

/* Sharding placement: which of `count` shards owns a key. hash: key mod count;
 * consistent_hash: a ring of virtual_nodes points per shard (sim_ring_add_numbered);
 * range: the number of boundaries at or below the key; directory: key mod count, the table
 * a directory service holds (the model calls it, and pays for the lookup). Zero-initialise. */
enum sim_placement_strategy { SIM_PLACE_HASH, SIM_PLACE_CONSISTENT_HASH, SIM_PLACE_RANGE,
                              SIM_PLACE_DIRECTORY };
struct sim_placement {
    int count;
    enum sim_placement_strategy strategy;
    struct sim_ring ring;   /* consistent_hash */
    uint64_t *boundaries;   /* range: the first key of shards 1..count-1, ascending */
    int nboundaries;
};
/* Reads "strategy", "virtual_nodes", "boundaries" and "key_count" from the shards object
 * (docs/scenario.md, `shards`); errors are recorded on it. */
void sim_placement_configure(struct sim_placement *pl, struct sim_cfg *shards, int count);
int sim_placement_of(const struct sim_placement *pl, uint64_t key);
const char *sim_placement_name(enum sim_placement_strategy s);
void sim_placement_fini(struct sim_placement *pl);

/* ---- random streams and distributions ---- */

/* The stream for (replication, node name, purpose), owned by the engine. Each name gets
 * its own independent stream, so adding a node never changes another node's draws. */
struct sim_rng *sim_rng(struct sim_component *self, const char *purpose);
double sim_uniform(struct sim_rng *r);                 /* in (0, 1) */
uint64_t sim_uniform_int(struct sim_rng *r, uint64_t n); /* in [0, n) */
double sim_exponential(struct sim_rng *r);              /* mean 1, by ziggurat (no log) */
struct gsl_rng_type;
void *sim_rng_gsl(struct sim_rng *r); /* the gsl_rng *, for GSL samplers */
/* A 64-bit mixing bijection (splitmix64's finaliser), for models' hash tables. */
uint64_t sim_hash64(uint64_t x);

/* What a distribution's values measure: durations are written with units in JSON
 * ("5ms") and drawn in seconds; plain numbers are written as numbers. */
enum sim_quantity { SIM_QTY_DURATION, SIM_QTY_NUMBER };

/* Reads the distribution at cfg.key: an object with "dist", or for a duration a bare
 * duration string (a constant). fallback is JSON text used when the key is absent
 * (e.g. "\"0s\""), or NULL when the key is required. The result is owned by the
 * loader and lives until the loader is destroyed, after every replication. */
struct sim_dist *sim_cfg_dist(struct sim_cfg *cfg, const char *key, enum sim_quantity q,
                              const char *fallback);
/* A lognormal duration by its median and p99 (p99 > median > 0), as if read from
 * {"dist": "lognormal", "median": ..., "p99": ...}: for presets a model builds itself.
 * Owned by the loader that owns cfg, like a distribution read from it. */
struct sim_dist *sim_dist_lognormal(struct sim_cfg *owner, sim_time median, sim_time p99);
double sim_dist_draw(const struct sim_dist *d, struct sim_rng *r); /* seconds or number */
sim_time sim_dist_draw_time(const struct sim_dist *d, struct sim_rng *r); /* ns, >= 0 */
double sim_dist_mean(const struct sim_dist *d);
double sim_dist_variance(const struct sim_dist *d); /* INFINITY where it does not exist */
bool sim_dist_is_zero(const struct sim_dist *d);     /* constant 0: no event needed */
/* Writes a short description ("exp(mean 5ms)") for reports and `check`. */
void sim_dist_describe(const struct sim_dist *d, char *buf, size_t n);

/* Key popularity over [0, count): uniform or Zipf(s), O(1) per draw. Owned by the loader. */
struct sim_keys *sim_cfg_keys(struct sim_cfg *cfg, const char *key);
uint64_t sim_keys_draw(const struct sim_keys *k, struct sim_rng *r);
/* The workload's key popularity, or NULL when it draws no keys (for models' theory()). */
const struct sim_keys *sim_workload_keys(struct sim_component *any);
/* Closed-loop users (for models' theory()): their count, the mean think time in seconds and
 * the node they call; false for an open workload. */
bool sim_workload_users(struct sim_component *any, int64_t *users, double *think,
                        const struct sim_component **entry);
uint64_t sim_keys_count(const struct sim_keys *k);
double sim_keys_probability(const struct sim_keys *k, uint64_t rank); /* P(key == rank) */

/* ---- configuration (see docs/scenario.md) ---- */

/* Every reader call names a key of the object cfg reads. Errors are sticky: the first
 * one is kept with its file and JSON path, and later calls return the fallback or a safe
 * value, so configure() can read on without checking after every field. */
#define SIM_REQUIRED INT64_MIN /* as a fallback: the key must be present */
enum sim_cfg_type { SIM_CFG_ABSENT, SIM_CFG_NULL, SIM_CFG_BOOL, SIM_CFG_NUMBER,
                    SIM_CFG_STRING, SIM_CFG_ARRAY, SIM_CFG_OBJECT };

enum sim_cfg_type sim_cfg_type(struct sim_cfg *cfg, const char *key);
bool sim_cfg_has(struct sim_cfg *cfg, const char *key);
int64_t sim_cfg_int(struct sim_cfg *cfg, const char *key, int64_t fallback, int64_t min,
                    int64_t max);
/* fallback NAN means required */
double sim_cfg_number(struct sim_cfg *cfg, const char *key, double fallback, double min,
                      double max);
sim_time sim_cfg_duration(struct sim_cfg *cfg, const char *key, sim_time fallback,
                          sim_time min, sim_time max);
bool sim_cfg_bool(struct sim_cfg *cfg, const char *key, int fallback); /* -1: required */
/* fallback NULL means required; the string lives as long as the loader */
const char *sim_cfg_string(struct sim_cfg *cfg, const char *key, const char *fallback);
/* The index of the value in choices (NULL-terminated); fallback -1 means required. */
int sim_cfg_choice(struct sim_cfg *cfg, const char *key, int fallback,
                   const char *const *choices);
/* A reader over the object at key; NULL when absent (an error if required). */
struct sim_cfg *sim_cfg_object(struct sim_cfg *cfg, const char *key, bool required);
/* The length of the array at key; 0 when absent. */
int sim_cfg_array(struct sim_cfg *cfg, const char *key);
struct sim_cfg *sim_cfg_item(struct sim_cfg *cfg, const char *key, int i); /* object items */
const char *sim_cfg_string_item(struct sim_cfg *cfg, const char *key, int i);
double sim_cfg_number_item(struct sim_cfg *cfg, const char *key, int i);
enum sim_cfg_type sim_cfg_item_type(struct sim_cfg *cfg, const char *key, int i);
/* The object's own keys, in file order, for maps such as an operation mix. */
int sim_cfg_size(struct sim_cfg *cfg);
const char *sim_cfg_key_at(struct sim_cfg *cfg, int i);
const char *sim_cfg_path(struct sim_cfg *cfg); /* dotted path of the object */
/* Records an error at cfg.key (key may be NULL for the object itself). */
void sim_cfg_error(struct sim_cfg *cfg, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
bool sim_cfg_failed(struct sim_cfg *cfg);
/* Every key not read by now is an error, with a "did you mean" when one is close. */
void sim_cfg_end(struct sim_cfg *cfg);
/* A field that was renamed: using the old name is an error that names the new one. */
void sim_cfg_renamed(struct sim_cfg *cfg, const char *old_key, const char *new_key);

/* A reference to another node by name, resolved after every node is configured.
 * sync: the caller waits for the answer (such edges must not form a cycle). */
void sim_cfg_peer(struct sim_cfg *cfg, const char *key, struct sim_component **slot, bool sync);
void sim_cfg_peer_item(struct sim_cfg *cfg, const char *key, int i, struct sim_component **slot,
                       bool sync);
/* The operation called name, interned in the scenario's operation table. */
int sim_cfg_op(struct sim_cfg *cfg, const char *name);
/* The component being configured (for sim_rng and peers). */
struct sim_component *sim_cfg_component(struct sim_cfg *cfg);

/* ---- statistics ---- */

/* Log-bucketed histogram of non-negative ns values: every quantile within 1% relative
 * error, fixed memory (29 KiB of buckets) whatever the run length, mergeable. min is
 * INT64_MAX while empty; the mean is the sum over the count (a double: exact below 2^53 ns).
 * The buckets are allocated on the first record or merge, so a node that sees no traffic
 * costs 48 bytes, not 29 KiB (10^5 nodes). While a world runs on this thread they are the
 * world's, freed when it is destroyed: models need no fini. Allocated with no world running
 * (merging results, tests), they are the histogram's: its owner calls sim_hist_fini. */
#define SIM_HIST_SUB_BITS 7
#define SIM_HIST_BUCKETS ((64 - SIM_HIST_SUB_BITS + 1) << (SIM_HIST_SUB_BITS - 1))
struct sim_hist {
    uint64_t count;
    double sum;
    sim_time min, max;
    uint64_t *bucket; /* SIM_HIST_BUCKETS counters, or NULL until the first value */
    bool owns_bucket; /* allocated with no world running: sim_hist_fini frees it */
};
void sim_hist_init(struct sim_hist *h);  /* empty, without buckets */
void sim_hist_clear(struct sim_hist *h); /* empty again, keeping its buckets for reuse */
void sim_hist_fini(struct sim_hist *h);  /* frees the buckets it owns; then empty */
void sim_hist_record(struct sim_hist *h, sim_time v);
void sim_hist_merge(struct sim_hist *into, const struct sim_hist *from);
double sim_hist_mean(const struct sim_hist *h);            /* ns */
sim_time sim_hist_quantile(const struct sim_hist *h, double q); /* q in [0,1] */

/* Welford mean and variance; zero-initialise. */
struct sim_welford {
    uint64_t n;
    double mean, m2;
};
void sim_welford_add(struct sim_welford *w, double x);
double sim_welford_variance(const struct sim_welford *w); /* sample variance, n-1 */

/* A level over time (queue length, busy workers): its time-weighted mean and its max. */
struct sim_level {
    sim_time origin, since;
    double level, area, max;
};
void sim_level_init(struct sim_level *l, sim_time now, double level);
void sim_level_add(struct sim_level *l, sim_time now, double delta);
void sim_level_restart(struct sim_level *l, sim_time now); /* forget the past, keep the level */
double sim_level_mean(const struct sim_level *l, sim_time now);

/* Queueing formulas for models' theory() and for tests. a = lambda / mu (erlangs). */
double sim_erlang_c(int c, double a);             /* P(wait) in M/M/c */
double sim_mmck_blocking(int c, int64_t k, double a); /* P(full) in M/M/c/K, K >= c */
/* Mean wait in queue of M/M/c/K (K < 0: unbounded), per arrival that is admitted. */
double sim_mmck_wait(int c, int64_t k, double a, double mean_service);
/* GI/M/1 with Erlang-k gaps at utilisation rho < 1: the root sigma in (0, 1) of
 * sigma = A*(mu (1 - sigma)), A*(s) = (k lambda / (k lambda + s))^k. An arrival waits with
 * probability sigma; its wait, when it waits, is exponential with rate mu (1 - sigma). */
double sim_gim1_sigma_erlang(int k, double rho);
/* P(full) in M/D/1/K (service 1, offered rho, room for K with the one in service), by the
 * embedded chain at departures; K from 1 to SIM_MD1K_MAX (the recursion loses precision
 * beyond). */
/* The finite-source queue M/M/c//N: n users each thinking a mean `think` (any
 * distribution: the result is insensitive to it) then served FCFS by c workers with
 * exponential service of mean `service`. Exact, from the birth-death chain. */
struct sim_closed {
    double throughput, utilisation, in_system, queue, wait, wait_probability, response;
};
struct sim_closed sim_mmcn(int c, int64_t n, double think, double service);
/* Mean value analysis of a closed network (sim/kernel/mva.c): `users` users think a mean
 * `think` (a delay station) and visit each station; a station is `copies` identical FCFS
 * queues of `servers` exponential workers, `demand` the service a user needs at one copy
 * per cycle (visits x mean service / copies). Fills in the per-copy figures and returns the
 * users' cycle rate X(N). *exact: false when more than one queue has several servers (they
 * are then Seidmann's approximation, and their wait_probability NAN). NAN when users x the
 * stations' servers exceeds SIM_MVA_MAX_WORK (the work is linear in that product). */
struct sim_mva_station {
    double demand;
    int servers, copies;
    /* results at N users, per copy: time per cycle spent there, number there (waiting or
     * served), busy share of each server, P(an arrival waits) by the arrival theorem */
    double response, queue, utilisation, wait_probability;
};
#define SIM_MVA_MAX_WORK 2e8
double sim_mva(struct sim_mva_station *st, int nst, int64_t users, double think, bool *exact);
#define SIM_MD1K_MAX 60
double sim_md1k_blocking(double rho, int k);

/* Mean and 95% Student-t interval of n observations, NAN ones left out (half = 0 when
 * fewer than 2 remain). */
struct sim_interval {
    double mean, low, high, half;
    int n;
};
struct sim_interval sim_interval95(const double *x, int n);

/* ---- helpers models share ---- */

/* A connection pool in front of a component ("pool" in docs/scenario.md): at most `size`
 * calls hold a connection, the others wait in arrival order (each for at most `timeout`,
 * then the model answers them) or, with "wait": "reject", are refused at once. A sim_conn
 * is embedded in the model's per-call struct; the pool owns none and allocates nothing.
 * Reports pool.* and samples pool_in_use and pool_waiting. Zero-initialise. */
struct sim_connpool;
struct sim_conn {
    struct sim_conn *prev, *next; /* the line of waiters */
    struct sim_event *timer;      /* the wait's timeout */
    struct sim_connpool *pool;
    sim_time arrived;
    bool connected;
};
struct sim_connpool {
    bool on, reject;
    int size, used;
    sim_time timeout; /* 0: wait for ever */
    struct sim_component *owner;
    void (*admit)(struct sim_component *owner, struct sim_conn *c);  /* a waiter got one */
    void (*expire)(struct sim_component *owner, struct sim_conn *c); /* refused or timed out */
    struct sim_conn *head, *tail;
    int64_t waiting;
    uint64_t rejected, timeouts, waited, started; /* measured */
    double wait_sum;
    struct sim_level in_use, waiting_level;
};
enum sim_conn_result { SIM_CONN_HELD, SIM_CONN_QUEUED, SIM_CONN_REFUSED };
/* Reads the pool object at cfg.key; false when absent (the pool is off: every call holds
 * a connection at once and nothing is counted). */
bool sim_connpool_configure(struct sim_connpool *p, struct sim_cfg *cfg, const char *key);
/* In start(): the owner's callbacks, and the levels from time 0. */
void sim_connpool_start(struct sim_connpool *p, struct sim_component *owner,
                        void (*admit)(struct sim_component *, struct sim_conn *),
                        void (*expire)(struct sim_component *, struct sim_conn *));
/* A call that arrived at `arrived` asks for a connection. HELD: go on now; QUEUED: admit()
 * or expire() comes later; REFUSED: answer it "rejected". */
enum sim_conn_result sim_connpool_acquire(struct sim_connpool *p, struct sim_conn *c,
                                          sim_time arrived);
/* The same, answered through the callbacks: admit() now when it holds one, expire() now
 * when the pool refuses it, either later when it waits. */
void sim_connpool_enter(struct sim_connpool *p, struct sim_conn *c, sim_time arrived);
/* The call is done with its connection (none held: nothing happens); the next waiter's
 * admit() runs before this returns. */
void sim_connpool_release(struct sim_connpool *p, struct sim_conn *c);
void sim_connpool_clear_stats(struct sim_connpool *p);
void sim_connpool_report(struct sim_connpool *p, struct sim_report *rep);

/* What a replicated store's callers saw (databases, quorum): reads and writes arriving,
 * reads stale against the version acknowledged when they arrived, answer latency, errors
 * by status; counted while the owner measures, reported under the same names by both. */
struct sim_store_figures {
    struct sim_component *owner;
    uint64_t reads, writes, acked, stale_reads, written_reads;
    uint64_t errors[SIM_STATUS_COUNT];
    struct sim_hist read_latency, write_latency;
};
void sim_store_figures_init(struct sim_store_figures *f, struct sim_component *owner);
/* A call arrives: returns its key's record + 1 (0: never written) and sets *acked to the
 * version then acknowledged (column acked_column of the record; 0 if none). */
uint32_t sim_store_arrive(struct sim_store_figures *f, struct sim_versions *v,
                          const struct sim_call *call, size_t acked_column, uint32_t *acked);
/* A read answered with version, when acked was acknowledged as it arrived. */
void sim_store_read(struct sim_store_figures *f, uint32_t version, uint32_t acked);
void sim_store_answered(struct sim_store_figures *f, int op, enum sim_status status,
                        sim_time latency);
void sim_store_figures_clear(struct sim_store_figures *f);
/* reads, writes, ... keys_written, read/write latency, errors.<status>: in that order. */
void sim_store_figures_report(const struct sim_store_figures *f, struct sim_report *rep,
                              size_t keys_written);
void sim_connpool_sample(struct sim_connpool *p, struct sim_sampler *s);
/* "; pool 8 (queue)", or "" when off: for describe(). */
void sim_connpool_describe(const struct sim_connpool *p, char *buf, size_t n);

/* A circuit breaker on the calls to one callee ("breaker" in docs/scenario.md). Closed, it
 * lets every attempt through and watches outcomes: a failure ratio over a sliding window
 * (of SIM_BREAKER_BUCKETS buckets, after min_calls) or consecutive failures trip it open
 * for open_for; then the first attempt after that turns it half-open, and `probes`
 * attempts go through: all succeeding close it, one failing opens it again. Every state
 * change bumps its epoch; an outcome counts only for the epoch its attempt was sent in.
 * Measures trips, short-circuited attempts and the time open inside the measured window.
 * The settings are the model's (a call's, copied from its defaults); zero-initialise. */
#define SIM_BREAKER_BUCKETS 10
struct sim_breaker_cfg {
    bool on;
    double failure_ratio; /* 0: no ratio rule */
    sim_time window, open_for;
    int min_calls, consecutive; /* consecutive 0: no such rule */
    int probes;
};
enum sim_breaker_state { SIM_BREAKER_CLOSED, SIM_BREAKER_OPEN, SIM_BREAKER_HALF_OPEN };
struct sim_breaker {
    const struct sim_breaker_cfg *cfg;
    struct sim_component *owner;
    enum sim_breaker_state state;
    uint32_t epoch;
    int consecutive, probes_sent, probes_ok;
    sim_time open_from, open_until;
    int64_t newest; /* bucket number (time / width) of the newest bucket */
    uint32_t calls[SIM_BREAKER_BUCKETS], fails[SIM_BREAKER_BUCKETS];
    uint64_t window_calls, window_fails;
    uint64_t trips, short_circuited; /* measured */
    sim_time open_time, measure_start; /* open periods that ended, inside the window */
};
/* Reads the "breaker" object of cfg into k when there is one (k stays as it was if not). */
void sim_breaker_configure(struct sim_breaker_cfg *k, struct sim_cfg *cfg);
void sim_breaker_init(struct sim_breaker *b, struct sim_component *owner,
                      const struct sim_breaker_cfg *k);
/* Whether an attempt may go now (always, when the breaker is off); *probe tells whether it
 * is a half-open probe. A refusal counts as short-circuited. */
bool sim_breaker_admits(struct sim_breaker *b, bool *probe);
/* An admitted probe was not sent after all (a bulkhead refused it). */
void sim_breaker_unprobe(struct sim_breaker *b);
/* The outcome of an attempt sent in `epoch` (b->epoch when it was sent). */
void sim_breaker_record(struct sim_breaker *b, uint32_t epoch, bool ok);
void sim_breaker_clear_stats(struct sim_breaker *b);
/* breaker.trips, time_open, open_ratio, short_circuited under prefix ("calls.0."). */
void sim_breaker_report(const struct sim_breaker *b, struct sim_report *rep, const char *prefix);
/* For the timeline: 1 open, 0.5 half-open (or open past open_for), 0 closed. */
double sim_breaker_openness(const struct sim_breaker *b);

/* A server: at most `workers` jobs in service at once, the others waiting in arrival order
 * in a queue of at most `queue_limit` (-1: unbounded); a service's instance, a database's
 * primary or replica. A sim_job is embedded in the model's per-call struct; the server
 * keeps every job on it, queued or in service, on a live list, so a crash finds the work
 * it loses (sim_server_drop). Busy workers and waiting jobs are counted into two
 * time-weighted levels the model owns and starts (one server's own, or shared by a node's
 * servers: its totals). The queue is a sim_fifo, charged to the budget as it grows.
 * Owned by the model; sim_server_init, then sim_server_fini. SIM_CONTAINER turns a
 * sim_job back into the model's struct. */
#define SIM_CONTAINER(ptr, type, member) ((type *)(void *)((char *)(ptr) - offsetof(type, member)))
struct sim_server;
struct sim_job {
    struct sim_job *prev, *next; /* the server's live list, newest first */
    struct sim_server *server;   /* the server it is on; NULL: none */
    bool serving;                /* it holds a worker */
};
struct sim_server {
    int workers, busy;
    int64_t queue_limit;
    struct sim_fifo queue;  /* of struct sim_job, waiting for a worker */
    struct sim_job *live;   /* every job on it */
    struct sim_level *busy_level, *queued_level;
    struct sim_component *owner;
    void (*begin)(struct sim_component *owner, struct sim_job *j); /* a worker takes j */
};
enum sim_server_result { SIM_SERVER_STARTED, SIM_SERVER_QUEUED, SIM_SERVER_FULL };
/* Reads cfg's "workers" (default_workers when absent) and "queue" (a length, or
 * "unbounded", the default) into *workers and *queue_limit (-1: unbounded). */
void sim_server_configure(struct sim_cfg *cfg, int default_workers, int *workers,
                          int64_t *queue_limit);
void sim_server_init(struct sim_server *srv, struct sim_component *owner, int workers,
                     int64_t queue_limit, struct sim_level *busy_level,
                     struct sim_level *queued_level,
                     void (*begin)(struct sim_component *, struct sim_job *));
/* j arrives and joins the live list. STARTED: a worker took it (begin() ran); QUEUED: it
 * waits; FULL: the queue is at its limit, j stays on the list and the model refuses it
 * (then sim_server_leave). `hold` (a hung server) queues it even with a worker free. */
enum sim_server_result sim_server_arrive(struct sim_server *srv, struct sim_job *j, bool hold);
/* j's worker is free (nothing when it holds none); unless `hold`, the first waiter takes
 * it, and its begin() runs before this returns. */
void sim_server_release(struct sim_job *j, bool hold);
/* j leaves its server: its worker is released (as above), then it leaves the live list;
 * nothing when it is on no server. A queued job leaves only by sim_server_drop. */
void sim_server_leave(struct sim_job *j, bool hold);
/* A crash, or the restart that ends a hang: the server is emptied at once (no worker
 * busy, nothing queued) and its jobs, newest first, are handed back as a list through
 * next, each on no server any more, for the model to answer or forget. Jobs that arrive
 * while it answers them are on the server, not on that list. */
struct sim_job *sim_server_drop(struct sim_server *srv);
/* <prefix>utilisation (busy workers over `capacity`, 0 when there is none), queue.mean and
 * queue.max, from the server's levels: the node's totals when its servers share them. */
void sim_server_report(const struct sim_server *srv, struct sim_report *rep, const char *prefix,
                       double capacity);
/* Jobs on the server, busy or waiting (a router's least-loaded choice). */
int64_t sim_server_load(const struct sim_server *srv);
void sim_server_fini(struct sim_server *srv);

/* A failover detector ("failover" in docs/scenario.md): a monitor pings each of `count`
 * targets (say a shard's primary) every `heartbeat`, each at its own random phase; a beat
 * is missed when no answer came within the interval, and `missed` misses in a row declare
 * the target dead. The model then plans a takeover (sim_failover_plan, after a delay it
 * draws, e.g. from `promote`), which is called off if the target answers first. After a
 * takeover moves the endpoint (sim_failover_moved), each caller keeps the old one until
 * its cached copy expires, at a phase uniform over `endpoint_ttl`. Counts (over the whole
 * run, as faults are) and reports failover.declared_dead, promotions, called_off and
 * last_promotion. Zero-initialise. */
struct sim_failover;
struct sim_failover_ops {
    bool (*answers)(struct sim_component *owner, int target); /* it answers a ping now */
    void (*dead)(struct sim_component *owner, int target);    /* declared dead: plan */
    /* It answers again while declared: at a beat before any takeover was planned, or when
     * the planned takeover fell due (called_off: the takeover is dropped). */
    void (*back)(struct sim_component *owner, int target, bool called_off);
    void (*take_over)(struct sim_component *owner, int target); /* due, and still dead */
    void (*followed)(struct sim_component *owner, int target, int old); /* TTL ran out */
};
struct sim_failover_target {
    struct sim_failover *fo;
    int misses;
    bool beat_sent, beat_ok, declared;
    struct sim_event *takeover; /* planned, or NULL */
    int old;                    /* the endpoint callers may still use; -1: none */
    sim_time moved_at, ttl_end;
};
struct sim_failover {
    bool on;
    int missed, count;
    sim_time heartbeat, endpoint_ttl;
    struct sim_dist *promote;
    struct sim_rng *rng, *endpoint_rng; /* the monitors' phases and the owner's draws; TTL phases */
    struct sim_component *owner;
    const struct sim_failover_ops *ops;
    struct sim_failover_target *targets;
    uint64_t declared_dead, promotions, called_off;
    sim_time last_promotion; /* -1: none */
};
/* Reads heartbeat, missed, promote and endpoint_ttl of the object at cfg.key and returns
 * the object, still open for the owner's own settings (it calls sim_cfg_end); NULL when
 * absent (off). */
struct sim_cfg *sim_failover_configure(struct sim_failover *fo, struct sim_cfg *cfg,
                                       const char *key);
/* Once configured: `count` targets, the random streams. Nothing happens when off. */
void sim_failover_init(struct sim_failover *fo, struct sim_component *owner, int count,
                       const struct sim_failover_ops *ops);
void sim_failover_start(struct sim_failover *fo); /* in start(): the monitors */
/* The takeover of target comes after delay (one at a time: check takeover first). */
void sim_failover_plan(struct sim_failover *fo, int target, sim_time delay);
/* A takeover happened: the monitor starts afresh on the new node. */
void sim_failover_reset(struct sim_failover *fo, int target);
/* The endpoint moved away from old: callers follow within the TTL. Then, once the
 * owner's state is consistent, sim_failover_follow starts the TTL (followed() runs at its
 * end, at once for a TTL of 0). */
void sim_failover_moved(struct sim_failover *fo, int target, int old);
void sim_failover_follow(struct sim_failover *fo, int target);
/* The old endpoint callers may still be using now, or -1. */
int sim_failover_old_endpoint(const struct sim_failover *fo, int target);
/* The node a call to the endpoint reaches: `current`, or the old one for a caller whose
 * cached copy has not expired (a call `a` into the TTL moved on with probability a / TTL). */
int sim_failover_endpoint(struct sim_failover *fo, int target, int current);
void sim_failover_report(const struct sim_failover *fo, struct sim_report *rep);
/* "; failover after 3 missed 1s heartbeats, promote 30s, endpoint ttl 0s": for describe(). */
void sim_failover_describe(const struct sim_failover *fo, char *buf, size_t n);
void sim_failover_fini(struct sim_failover *fo);

/* Storage tiers (docs/scenario.md, "Storage tiers"): block, file and object storage as
 * presets of a node's service time and concurrency. A tier as read from a node's "storage" field, presets with its overrides applied. */
struct sim_storage {
    const char *tier;        /* "block", "file" or "object" */
    double median, p99;      /* service time, seconds (lognormal) */
    double iops;             /* operations per second the tier allows */
    double throughput;       /* bytes per second; caps iops at throughput / io_size */
    double io_size;          /* bytes per operation */
    double mean;             /* the lognormal's mean service time, seconds */
    int workers;             /* max(1, round(min(iops, throughput / io_size) x mean)) */
    struct sim_dist *service_time; /* lognormal(median, p99), owned by the loader */
};

/* Reads cfg.key ("block", or {"tier": "block", "iops": ...}) into st; false when the key
 * is absent or wrong (the error is recorded on cfg). */
bool sim_storage_read(struct sim_cfg *cfg, const char *key, struct sim_storage *st);

/* ---- faults, as models see them (docs/faults.md) ---- */

/* In receive(), once the instance that serves the call is known (-1: a node of one
 * instance): true when a fault took the call. A crashed instance answers "unavailable" at
 * once (connection refused), a hung one holds the call and never answers until the hang
 * ends (then "failed": the restart resets it), an erroring one answers "failed" with the
 * fault's ratio. The engine checks whole-node faults itself before receive(). */
bool sim_fault_takes(struct sim_component *self, struct sim_call *call, int instance);
/* A service time under the instance's slow faults: t x factor + add. */
sim_time sim_fault_slowed(struct sim_component *self, int instance, sim_time t);
bool sim_fault_down(struct sim_component *self, int instance); /* crashed, node or instance */
bool sim_fault_hung(struct sim_component *self, int instance);
/* Crashed with nothing left to answer (a `silent` crash): calls and checks wait for their
 * timeout instead of being refused. */
bool sim_fault_silent(struct sim_component *self, int instance);
/* When the failure now on the instance (or on its node as a whole) began: the earliest
 * start among the crash, hang, slow and error faults on it now; -1 when none is. For
 * measuring (time to removal, what a failure lost), never for a model's decisions. */
sim_time sim_fault_since(struct sim_component *node, int instance);
/* How a health check of one kind sees the instance now: tcp fails only when crashed; http
 * also when hung, and with an error fault's ratio. (A deep check is a real call.) */
bool sim_fault_check_passes(struct sim_component *node, int instance, bool http,
                            struct sim_rng *r);
/* The instance is replaced by a new machine (autoscaling): the faults on that instance
 * alone end now. False, and nothing ends, when a fault on the whole node keeps it down. */
bool sim_fault_replace(struct sim_component *self, int instance);
/* Detection and recovery, credited to the faults open on (node, instance); instance -1
 * means the node as a whole. `by` is the component that noticed or acted. */
void sim_fault_detected(struct sim_component *by, struct sim_component *node, int instance);
/* The service the node gives is back although the fault may last (a failover). */
void sim_fault_restored(struct sim_component *by, struct sim_component *node, int instance);
/* Acknowledged writes lost by a fault on (node, instance), the oldest acked at `oldest`.
 * The fault's rpo_window runs from `oldest` to the fault's start (to now for writes acked
 * after it began), so a loss found later (at a failover) still measures the data lost. */
void sim_fault_lost_writes(struct sim_component *node, int instance, uint64_t writes,
                           sim_time oldest);
/* Whether a partition cuts the network from one node to another now (their own zones). */
bool sim_reachable(struct sim_component *from, struct sim_component *to);
/* One line of the fault story (`archsim drill`), stamped with the time and the node. */
void sim_story(struct sim_component *self, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Whether anything will read the story: build costly lines only when it is. */
bool sim_story_on(const struct sim_component *self);

/* ---- reports and timelines ---- */
enum sim_unit { SIM_UNIT_NUMBER, SIM_UNIT_COUNT, SIM_UNIT_SECONDS, SIM_UNIT_RATE,
                SIM_UNIT_RATIO };
/* A figure's direction, or'd into its unit where it is reported: whether a rise is good
 * or bad for the system (SIM_UNIT_SECONDS | SIM_LOWER_BETTER). A figure without one is
 * neutral (counts, utilisation, entries, what the workload offers): compare and
 * --baseline call its change "higher" or "lower", never better or worse. */
#define SIM_LOWER_BETTER 0x100
#define SIM_HIGHER_BETTER 0x200
/* A figure under the component's path (nodes.<name>.<path>); the engine adds the rest.
 * unit: an enum sim_unit, or'd with at most one direction. */
void sim_report(struct sim_report *rep, const char *path, double value, int unit);
/* count, mean, p50, p90, p95, p99, p99.9 and max of h, in seconds, under path; the times
 * are lower-is-better, the count neutral. */
void sim_report_hist(struct sim_report *rep, const char *path, const struct sim_hist *h);
/* errors.<status> for every status but ok: the calls answered with it, as unit. */
void sim_report_errors(struct sim_report *rep, const uint64_t errors[SIM_STATUS_COUNT], int unit);
/* In theory(): the simulated mean of one of this component's own figures, NAN if none. */
double sim_simulated(struct sim_report *pred, const char *path);
/* A theory() note: why the formula may not match (approximation, assumption). */
void sim_theory_note(struct sim_report *pred, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* One column of this interval's timeline row (the first row fixes the header). */
void sim_sample(struct sim_sampler *s, const char *column, double value);

#endif
