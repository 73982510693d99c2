/* fault.h: injected faults (engine files only). The scenario's `faults` become one
 * component, "@faults", that begins and ends each fault on its targets, keeps the health
 * of every node a fault can reach, and measures each fault: when it was detected, when
 * service came back, what was lost, what failed meanwhile and how long users saw an
 * outage (availability over a sliding window below the scenario's SLO). */
#ifndef ARCHSIM_FAULT_H
#define ARCHSIM_FAULT_H

#include "kernel/internal.h"
#include "load/loader.h"
#include "kernel/text.h"

/* The health of one node or one instance: what the faults on it add up to. */
struct sim__health {
    int down, hung, silent; /* silent: of the crashes, those where nothing answers */
    double factor;         /* product of slow factors, 1 when none */
    sim_time add;
    double ratio;          /* error ratios, summed (capped at 1 when drawn) */
    struct sim_fifo held;  /* calls a hang swallowed */
};

/* Per component: slot 0 is the node as a whole, slot 1 + i its instance i. */
struct sim__node_health {
    struct sim__health *slot;
    int nslots;
};

/* One node or instance a fault hits, and the state of its current occurrence. */
struct sim__target {
    struct sim__fault_spec *spec;
    int comp, instance;     /* component index; instance -1: the whole node */
    const char *named;      /* the target as written when it names one instance ("db.primary") */
    bool on;                /* the fault is on it now */
    sim_time begin, end;    /* the current (or last) occurrence; end SIM_NEVER while on */
    sim_time detected, restored; /* -1: not yet */
    struct sim_event *next; /* mtbf: the next change */
    /* the clients' side: the end of the last SLO bucket below the objective since the
     * occurrence began; watched (in sim__faults.watch at watch_at, else -1) while it is on
     * and, after it ends, while the bad buckets go on */
    sim_time bad_until;
    int watch_at;
};

struct sim__fault_spec {
    int id;
    char *label;             /* "db.primary:crash", or its "name": for the report and the story */
    enum sim_fault_kind kind;
    struct sim_fault fault;  /* as models see it (instance set per target) */
    struct sim__target *targets;
    int ntargets, targets_cap;
    sim_time at, duration;   /* scheduled: at, for (SIM_NEVER: to the end) */
    const struct sim_dist *mtbf, *mttr; /* random: per target, alternating; NULL when scheduled */
    struct sim_rng *rng;
    sim_time rto_objective, rpo_objective; /* -1: none */
    /* a partition: which side each component and zone is on (bit 1: first, bit 2: second) */
    uint8_t *comp_side, *zone_side;
    bool one_way;
    /* measurement over every occurrence */
    int on;                  /* targets on now */
    sim_time span_begin, span_end; /* the latest span with a target on (-1, SIM_NEVER) */
    uint64_t occurrences, detected, restored, back;
    double detect_sum, restore_sum, back_sum, downtime;
    uint64_t service_back;   /* occurrences whose clients' success ratio came back */
    double service_sum;
    uint64_t lost_writes;
    double lost_window;
    uint64_t failed[SIM_STATUS_COUNT], finished;
    sim_time last_end;       /* when a target last came back on its own (SIM_NEVER: never) */
    /* the load every node carried while the fault was on, against the rest of the run */
    uint64_t *snap, *during_calls; /* per component: calls received at the span's start, in spans */
    sim_time during_time;
    sim_time outage, outage_first, outage_last; /* below the SLO, credited to this fault */
    bool in_episode;         /* credited with the SLO breach going on now */
};

#define SLO_BUCKETS 10
#define SIM_FAULT_MARKS_MAX 40 /* occurrences shaded on a timeline picture (plot.c) */

struct sim__faults {
    struct sim_component base; /* "@faults" */
    struct sim__fault_spec *specs;
    int nspecs;
    struct sim__node_health *health; /* per component index */
    int ncomponents;                 /* in health (and a partition's sides): those built before */
    /* the availability SLO over a sliding window of SLO_BUCKETS buckets */
    double slo_target;
    sim_time slo_window, bucket_width;
    uint64_t ok[SLO_BUCKETS + 1], total[SLO_BUCKETS + 1]; /* a ring: the window and now */
    int64_t bucket;          /* the current bucket's number (time / width) */
    bool below;
    sim_time outage_total;
    uint64_t breaches;
    struct sim_rng *error_rng;
    uint64_t *received;      /* per component: calls delivered to it */
    uint64_t all_ok, all_finished;
    struct sim__target **watch; /* occurrences whose clients' recovery is still measured */
    int nwatch, watch_cap;
    /* With the story: "fault begin end detected restored" per occurrence, in seconds (-1:
     * never), for the pictures' shading: the first SIM_FAULT_MARKS_MAX only. */
    struct sim__text marks;
    int nmarks;
};

/* Reads `faults` (and `slo`) and adds "@faults" to the world; nothing when none. */
void sim__faults_build(struct sim_world *w, struct sim_cfg *root);
/* Whole-node faults, before the callee's receive(): true when a fault took the call. */
bool sim__fault_intercept(struct sim_component *callee, struct sim_call *call);
/* Whether a partition drops a hop from (component, zone) to (component, zone). */
bool sim__partitioned(struct sim_world *w, const struct sim_component *from, int from_zone,
                      const struct sim_component *to, int to_zone);
/* A client request sent at start ended now (the workload): for the SLO window and the
 * faults whose span it overlapped. */
void sim__faults_outcome(struct sim_world *w, enum sim_status status, sim_time start);

/* ---- for fault.c, fault_health.c and fault_report.c only ---- */
struct sim__health *sim__health_of(struct sim_world *w, int comp, int instance);
/* The instances a fault may target on c: model->fault_instances, else sim_instances. */
int sim__fault_instances(struct sim_component *c);
/* The fault turns on or off at one target; updates health, calls the model, measures. */
void sim__fault_apply(struct sim__faults *fs, struct sim__fault_spec *f, struct sim__target *t,
                      bool begins);
/* The measurement side of a target turning on or off: occurrences, spans, the story. */
void sim__fault_mark(struct sim__faults *fs, struct sim__fault_spec *f, struct sim__target *t,
                     bool begins);
void sim__faults_slo_start(struct sim__faults *fs);
const char *sim__fault_kind_name(enum sim_fault_kind k);
void sim__faults_report(struct sim_component *self, struct sim_report *rep);
void sim__faults_sample(struct sim_component *self, struct sim_sampler *s);
/* A target's description: "db.primary", "app.2", "app", a partition's label. Only "node.N"
 * is formatted, into buf (a node name is at most 64 characters: SIM__TARGET_NAME_MAX fits);
 * the others are returned as they are, whatever their length. */
#define SIM__TARGET_NAME_MAX 96
const char *sim__target_name(struct sim_world *w, const struct sim__target *t, char *buf, size_t n);

#endif
