/* internal.h: the engine's own structs and sim__ helpers (engine files only; models
 * include sim.h alone). A world is one replication of one scenario: its clock, its
 * calendar, its pools, its components and its random streams. */
#ifndef ARCHSIM_INTERNAL_H
#define ARCHSIM_INTERNAL_H

#include <stdio.h>
#include <string.h>

#include "sim.h"

#define SIM_VERSION "0.1.0"

void sim__out_of_memory(void) __attribute__((noreturn));

/* ---- lookups by name (namemap.c) ---- */

/* Name -> non-zero value (0: absent). The map keeps the name's pointer: the caller keeps
 * the string alive and unchanged. Zero-initialised is empty; it doubles, never shrinks. */
struct sim__namemap_slot {
    const char *name;
    uint32_t hash, val;
};
struct sim__namemap {
    struct sim__namemap_slot *slots;
    size_t mask, count;
};
void sim__namemap_init(struct sim__namemap *m, size_t expected);
uint32_t sim__namemap_get(const struct sim__namemap *m, const char *name);
void sim__namemap_put(struct sim__namemap *m, const char *name, uint32_t val); /* name absent */
void sim__namemap_fini(struct sim__namemap *m);
/* ---- pooled histograms (stats.c) ---- */

/* One histogram's buckets pooled over replications, only the non-empty ones, sorted by
 * index: a few kilobytes where a sim_hist is 29 KiB. Zero-initialise; owns its arrays. */
struct sim__pooled {
    uint64_t count;
    sim_time min, max;
    size_t n;
    uint32_t *index;
    uint64_t *bucket;
};
void sim__pooled_add(struct sim__pooled *p, const struct sim_hist *h);
void sim__pooled_merge(struct sim__pooled *into, const struct sim__pooled *from);
sim_time sim__pooled_quantile(const struct sim__pooled *p, double q); /* as sim_hist_quantile */
/* The share of values below x (ns), interpolated as quantiles are; NAN when empty. */
double sim__pooled_cdf(const struct sim__pooled *p, double x);
void sim__pooled_fini(struct sim__pooled *p);

/* ---- random streams (rng.c) ---- */
uint64_t sim__fnv1a(const void *data, size_t n);
uint64_t sim__stream_seed(uint64_t seed, int replication, const char *name, const char *purpose);
struct sim_rng *sim__rng_create(uint64_t seed);
void sim__rng_destroy(struct sim_rng *r);
const char *sim__rng_generator_name(void);

/* ---- the calendar (calendar.c): (time, seq) order, zero-delay events in a FIFO ---- */

/* Owned by the world's event pool; valid until dispatched or dropped. */
struct sim_event {
    sim_time time;
    uint64_t seq;
    struct sim_component *self;
    union {
        sim_handler once;
        sim_periodic every;
    } fn;
    void *arg;
    uint8_t cancelled, periodic;
};

struct sim__slot {
    sim_time time;
    uint64_t seq;
    struct sim_event *ev;
};

/* An entry of the FIFO: an event record, or (ev NULL) a zero-delay hop, which needs no
 * record because nobody can cancel it: just whom to call with what. */
struct sim__hop {
    struct sim_event *ev;
    struct sim_component *self;
    sim_handler fn;
    void *arg;
};

struct sim__calendar {
    struct sim__slot *heap; /* 4-ary min-heap on (time, seq) */
    size_t n, cap;
    struct sim__hop *fifo; /* entries due at fifo_time, in the order pushed (a ring) */
    size_t head, count, fcap;
    sim_time fifo_time; /* the instant the FIFO's entries were pushed at */
};

void sim__calendar_init(struct sim__calendar *c);
void sim__calendar_fini(struct sim__calendar *c);
void sim__calendar_push(struct sim__calendar *c, struct sim_event *ev, sim_time now);
/* A zero-delay hop: fn(self, arg) at now, after everything already due at now. */
void sim__calendar_hop(struct sim__calendar *c, sim_time now, struct sim_component *self,
                       sim_handler fn, void *arg);
/* The earliest entry due no later than limit, into *out; false when there is none. */
bool sim__calendar_next(struct sim__calendar *c, sim_time limit, struct sim__hop *out);
/* The earliest event due no later than limit, or NULL; for calendars that hold no hops. */
struct sim_event *sim__calendar_pop(struct sim__calendar *c, sim_time limit);
size_t sim__calendar_size(const struct sim__calendar *c);

/* ---- calls (call.c) ---- */

/* What the engine keeps beside a call: where it was sent from and to (zone indices,
 * SIM_NO_ZONE when unplaced) and the zone of the client whose request it serves. The
 * call pool holds these; a struct sim_call * always points at the first member. */
struct sim__call {
    struct sim_call call; /* first */
    int from_zone, to_zone, client_zone;
};
/* The workload's calls start in their client's zone. */
void sim__call_set_client_zone(struct sim_call *call, int zone);

/* ---- the world (world.c, engine.c) ---- */

/* Where a component sits: one zone, or its instances spread over zones (instance i in
 * spread[i % nspread]). Owned by the world; spread is the world's too. */
struct sim__placement {
    int zone;       /* SIM_NO_ZONE: placed nowhere, it sits where its caller is */
    int *spread;
    int nspread;
    uint64_t next;  /* calls to a spread node that name no instance are dealt in turn */
};

enum sim__hop_kind { SIM__SAME_ZONE, SIM__CROSS_ZONE, SIM__CROSS_REGION, SIM__HOP_KINDS };
#define SIM__OVERRIDE 0x80 /* in link_kind: a "links" entry sets this pair's latency */

struct sim__faults;
/* ---- key popularity (keys.c; read from JSON by load/keys_config.c) ---- */
/* A uniform (zipf false) or Zipf(s) popularity over count keys; the caller owns it. */
struct sim_keys *sim__keys_create(uint64_t count, bool zipf, double s);
/* What a failed read returns: one key, so a model runs on until the error is reported. */
const struct sim_keys *sim__keys_failed(void);

/* ---- a latency series by time slice (series.c), for warm-up detection ---- */
#define SIM__SLICES 500

/* Owned by whoever created it; fixed size whatever the run length. */
struct sim__series {
    sim_time width; /* of a slice */
    double sum[SIM__SLICES];
    uint64_t count[SIM__SLICES];
};

struct sim__series *sim__series_create(sim_time duration);
/* A request that finished at now after value ns. */
void sim__series_add(struct sim__series *s, sim_time now, sim_time value);
void sim__series_destroy(struct sim__series *s);

/* What the kernel and the workload ask of the faults layer above them (faults/), through
 * the world, so that no arrow points up: whether a fault takes a call before its callee
 * sees it, and a client request's outcome for the SLO window and the faults it overlapped;
 * whether a partition in force (w->partitions_on) cuts a hop. */
struct sim__fault_hooks {
    bool (*intercept)(struct sim_component *callee, struct sim_call *call);
    void (*outcome)(struct sim_world *w, enum sim_status status, sim_time start);
    bool (*partitioned)(struct sim_world *w, const struct sim_component *from, int from_zone,
                        const struct sim_component *to, int to_zone);
};
struct sim__text;

struct sim__owned {
    void *p;
    void (*destroy)(void *);
};

struct sim_world {
    sim_time now, end, warmup;
    uint64_t seq, events, max_events; /* max_events: 0 for no cap (the fuzzer caps) */
    uint64_t checkpoint;              /* the event count at which sim__checkpoint runs */
    struct sim__progress *progress;   /* shared with other worlds of the run; may be NULL */
    int progress_slot;
    uint64_t progress_events;
    bool measuring;
    struct sim__calendar calendar;
    struct sim_pool event_pool, call_pool;

    uint64_t seed;
    int replication;
    struct sim_component **components; /* scenario order: workload first, then nodes */
    int ncomponents, capcomponents;
    struct sim__namemap by_name; /* component name -> index + 1 */

    struct sim_component *workload;    /* the built-in "@workload", reached by handle */
    struct sim_component engine; /* the owner of the engine's own events */

    struct sim_rng **rngs; /* every stream handed out, freed with the world */
    size_t nrngs, caprngs;
    struct sim_rng **link_rng; /* per component index, created on first use */
    const struct sim_dist *link_latency; /* zones.default_link: same zone, or unplaced */

    /* Zones and regions: nzones is 0 when the scenario declares none, and then every hop
     * costs link_latency. Names are the loader's; the arrays are the world's. */
    int nzones, nregions;
    const char **zone_names, **region_names;
    int *zone_region;                /* per zone */
    const struct sim_dist **links;   /* nzones x nzones, sender's zone by receiver's */
    uint8_t *link_kind;              /* nzones x nzones: enum sim__hop_kind | SIM__OVERRIDE */
    struct sim__placement *placement; /* per component index */
    uint64_t (*hops)[SIM__HOP_KINDS + 1]; /* per sender: calls by kind, then overrides (measured) */

    const char *const *ops; /* operation names, owned by the loader */
    int nops;

    struct sim__owned *owned;
    size_t nowned, capowned;

    sim_time sample_interval; /* 0: no timeline */
    struct sim__timeline *timeline;
    const struct sim__run_hooks *run_hooks; /* set with progress or timeline (run/) */

    uint64_t *received; /* per component index: calls delivered to it (for the budget's verdict) */
    size_t memory_budget, memory_held; /* bytes (budget.c); budget 0: none */
    bool over_budget;

    struct sim__series *series; /* latency by time slice for warm-up detection, or NULL */
    struct sim__faults *faults; /* the "@faults" component; NULL when the scenario has none */
    const struct sim__fault_hooks *fault_hooks; /* set with faults, by the faults layer */
    int partitions_on;          /* partition faults in force (the faults layer counts them) */
    struct sim__text *story;    /* the fault story (sim_story), or NULL when nobody reads it */
    uint64_t story_lines;       /* lines told so far: the story keeps the first few only */
};

void sim__own(struct sim_world *w, void *p, void (*destroy)(void *));
struct sim_world *sim__world_create(uint64_t seed, int replication);
void sim__world_destroy(struct sim_world *w);
struct sim_component *sim__world_add(struct sim_world *w, const struct sim_model *m,
                                     const char *name);
struct sim_component *sim__world_find(struct sim_world *w, const char *name);
/* What the run loop tells the layer that runs it (run/), set with w->progress or
 * w->timeline: the progress line, and the timeline's first and last sample. */
struct sim__run_hooks {
    void (*progress)(struct sim_world *w);
    void (*timeline_start)(struct sim_world *w);
    void (*timeline_finish)(struct sim_world *w);
};
/* SIGINT or SIGTERM asks every running world to stop (engine.c): the handler stores the
 * signal (async-signal-safe), the run loop looks every few thousand events. */
void sim__stop_request(int sig);
int sim__stop_requested(void); /* the signal, or 0 */
/* Runs until the end time: warm-up deletion, timeline sampling, every event. */
void sim__world_run(struct sim_world *w);
/* The zone called name (a zone's index), recording an error at cfg.key naming the known
 * zones when there is none; SIM_NO_ZONE then. */
int sim__zone_lookup(struct sim_cfg *cfg, const char *key, const char *name);
/* Appends a node's zone and region ("; zone a, region r") to its description. */
void sim__placement_describe(struct sim_component *c, char *buf, size_t n);
struct sim_event *sim__schedule_at(struct sim_world *w, struct sim_component *self,
                                   sim_time when, sim_handler fn, void *arg);
/* fn(self, arg) now, after everything already due now, without an event record: for the
 * engine's own zero-latency hops, which nobody cancels. Counts as an event. */
void sim__hop_now(struct sim_world *w, struct sim_component *self, sim_handler fn, void *arg);

/* ---- the memory budget (budget.c) ---- */

/* A replication stopped because what waits in it outgrew the memory budget. */
struct sim__unstable {
    bool on;
    int replication;
    char *node;       /* the node with the most calls waiting; NULL when no model reports one */
    char *message;    /* "unstable: offered ..." in full; node and message are owned */
    uint64_t waiting; /* calls waiting there when it stopped */
    double offered;   /* calls/s delivered to it over the time simulated */
    double capacity;  /* calls/s its servers complete when all are busy; 0 when unknown */
    double at;        /* simulated seconds when it stopped */
    double held, budget; /* bytes */
};

/* Growth on this thread is charged to w (NULL: to nobody) while it runs. */
void sim__budget_attach(struct sim_world *w);
/* The world running on this thread (between sim__budget_attach calls), or NULL. */
struct sim_world *sim__running_world(void);
/* A quarter of physical memory, at most 2GiB, or half the address-space limit when that
 * is lower. */
double sim__budget_default(void);
/* "512MB", "2GiB", "1000000B": bytes (decimal KB, MB, GB; binary KiB, MiB, GiB). */
bool sim__parse_bytes(const char *text, double *out);
void sim__format_bytes(double bytes, char *buf, size_t n);
void sim__budget_verdict(const struct sim_world *w, struct sim__unstable *u);
void sim__unstable_fini(struct sim__unstable *u);
/* n uninitialised bytes, never NULL; large ones on transparent huge pages (memory.c).
 * Released with sim_free. */
void *sim__bulk_alloc(size_t n);
/* Objects in a pool's block number n (memory.c). */
size_t sim__pool_block_objects(size_t n);

/* ---- the registry (models/registry.c) ---- */
/* The first required slot (sim.h, struct sim_model) m lacks, or NULL. from_json: a model
 * of the registry, built from a scenario, which must also read its JSON (configure). */
const char *sim__model_missing(const struct sim_model *m, bool from_json);
/* Stops the program (exit 3, a bug) naming the slot, when m lacks one. sim__world_add
 * checks every component's model; sim__model_find, each registered model it returns. */
void sim__model_check(const struct sim_model *m, bool from_json);
/* The model registered as type, checked; NULL when there is none. */
const struct sim_model *sim__model_find(const char *type);
const char *const *sim__model_names(size_t *n);
extern const struct sim_model sim__workload_model;
/* The workload's end-to-end latency histogram (successful requests, measured window). */
const struct sim_hist *sim__workload_latency(struct sim_component *workload);

#endif
