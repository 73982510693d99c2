/* quorum.c: a leaderless replicated store over real keys and versions (Dynamo style). N
 * replicas and no primary: a write gets the key's next version from the coordinator and
 * is acknowledged once W replicas applied it; a read asks R replicas chosen at random and
 * returns the newest version they hold. The N - W slower replicas apply the write later
 * (propagation, after an anti-entropy delay) or never; reads may repair the replicas they
 * found stale. A connection pool may sit in front. Faults: disk_full refuses writes,
 * replication_paused holds every shipment until it ends (then they land in order).
 * Invariants: a replica's version of a key only goes up; a key's acked version is the
 * newest acknowledged write; a write is freed once acknowledged and every shipment landed. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>

#include "sim.h"

#define MAX_N 32

static const char *const on_off_names[] = {"on", "off", NULL};

/* A call being served; from the store's pool, owned until it answers. */
struct job {
    struct sim_call *in;
    sim_time arrived;
    uint32_t rec;      /* the key's record + 1, 0: none (never written) */
    uint32_t snapshot; /* the key's acked version when the read arrived */
    struct sim_conn conn;
    /* reads: replies not yet in, the newest version so far, who was asked and what each held */
    int pending;
    uint32_t best;
    int8_t asked[MAX_N];
    uint32_t got[MAX_N];
};

/* A write on its way to the replicas; from the store's pool, freed once acknowledged and
 * every shipment landed. */
struct write {
    struct job *job; /* NULL once acknowledged */
    uint32_t rec, version;
    int applies, needed, in_flight;
};

/* One version on its way to one replica (a write's shipment or a read repair), or a
 * replica's reply to a read. */
struct shipment {
    struct write *w;  /* NULL for a read repair or a reply */
    struct job *read; /* a reply: the read it answers */
    uint32_t rec, version;
    int replica;      /* a reply: its place among the replicas the read asked */
    struct shipment *next; /* the shipments a pause holds */
};

/* Owned by the engine (allocated by model size); every array and pool is the store's own. */
struct quorum {
    struct sim_component base;
    int n, w, r;
    struct sim_dist *replica_latency, *anti_entropy;
    bool propagation, read_repair;
    int paused, disk_full; /* faults of those kinds on now */
    struct shipment *held_head, *held_tail;
    struct sim_connpool conns;

    struct sim_versions vers; /* per key: [acked, the coordinator's, replica 0..N-1] */
    size_t columns;

    struct sim_pool jobs, writes, shipments;
    struct sim_rng *latency_rng, *choice_rng, *entropy_rng;

    /* measurement */
    struct sim_store_figures fig;
    uint64_t read_repairs;
};

/* ---- per-key records ---- */

static uint32_t *rec(struct quorum *q, uint32_t i)
{
    return sim_versions_row(&q->vers, i);
}
#define ACKED 0
#define COORDINATOR 1
#define REPLICA(k) (2 + (k))

/* ---- answers ---- */

static struct job *job_of(struct sim_conn *c)
{
    return (struct job *)((char *)c - offsetof(struct job, conn));
}

static void answer(struct quorum *q, struct job *j, enum sim_status status)
{
    sim_store_answered(&q->fig, j->in->op, status, sim_now(&q->base) - j->arrived);
    sim_connpool_release(&q->conns, &j->conn);
    sim_respond(j->in, status);
    sim_pool_put(&q->jobs, j);
}

/* The pool refused the call, or it waited longer than the pool's timeout. */
static void pool_expired(struct sim_component *self, struct sim_conn *c)
{
    answer((struct quorum *)self, job_of(c), SIM_REJECTED);
}

/* ---- writes ---- */

static void acknowledge(struct quorum *q, struct write *w)
{
    uint32_t *r = rec(q, w->rec);
    if (w->version > r[ACKED]) r[ACKED] = w->version;
    if (sim_measuring(&q->base)) q->fig.acked++;
    struct job *j = w->job;
    w->job = NULL;
    answer(q, j, SIM_OK);
}

/* A version applied on a replica: a shipment landing, or a read repair. */
static void apply(struct quorum *q, struct shipment *s)
{
    uint32_t *r = rec(q, s->rec);
    if (s->version > r[REPLICA(s->replica)]) r[REPLICA(s->replica)] = s->version;
    struct write *w = s->w;
    sim_pool_put(&q->shipments, s);
    if (!w) return;
    w->in_flight--;
    w->applies++;
    if (w->job && w->applies == w->needed) acknowledge(q, w);
    if (!w->job && !w->in_flight) sim_pool_put(&q->writes, w);
}

/* A shipment reaches its replica; a replication_paused fault holds it until it ends. */
static void land(struct sim_component *self, void *arg)
{
    struct quorum *q = (struct quorum *)self;
    struct shipment *s = arg;
    if (!q->paused) {
        apply(q, s);
        return;
    }
    s->next = NULL;
    if (q->held_tail) q->held_tail->next = s;
    else q->held_head = s;
    q->held_tail = s;
}

static void ship(struct quorum *q, struct write *w, uint32_t r, uint32_t version, int replica,
                 sim_time delay)
{
    struct shipment *s = sim_pool_get(&q->shipments);
    *s = (struct shipment){.w = w, .rec = r, .version = version, .replica = replica};
    if (w) w->in_flight++;
    sim_schedule(&q->base, delay, land, s);
}

/* The write goes to every replica with its own drawn latency; the W fastest count towards
 * the acknowledgement (ties by replica number), the others apply it only with propagation,
 * after an extra anti-entropy delay. */
static void start_write(struct quorum *q, struct job *j)
{
    uint32_t r = sim_versions_record(&q->vers, j->in->key);
    uint32_t version = ++rec(q, r)[COORDINATOR];
    struct write *w = sim_pool_get(&q->writes);
    *w = (struct write){.job = j, .rec = r, .version = version, .needed = q->w};
    sim_time lat[MAX_N];
    int order[MAX_N];
    for (int k = 0; k < q->n; k++) {
        lat[k] = sim_dist_draw_time(q->replica_latency, q->latency_rng);
        order[k] = k;
    }
    for (int a = 1; a < q->n; a++) /* stable insertion sort by latency: ties by index */
        for (int b = a; b > 0 && lat[order[b]] < lat[order[b - 1]]; b--) {
            int t = order[b];
            order[b] = order[b - 1];
            order[b - 1] = t;
        }
    for (int i = 0; i < q->n; i++) {
        int k = order[i];
        if (i < q->w) ship(q, w, r, version, k, lat[k]);
        else if (q->propagation)
            ship(q, w, r, version, k, lat[k] + sim_dist_draw_time(q->anti_entropy, q->entropy_rng));
    }
}

/* ---- reads ---- */

static void reply(struct sim_component *self, void *arg);

/* A read asks r distinct replicas chosen uniformly at random; each answers with the
 * version it holds after its drawn latency; the read returns the newest. */
static void start_read(struct quorum *q, struct job *j)
{
    int ids[MAX_N];
    for (int k = 0; k < q->n; k++) ids[k] = k;
    j->pending = q->r;
    j->best = 0;
    for (int i = 0; i < q->r; i++) {
        int pick = i + (int)sim_uniform_int(q->choice_rng, (uint64_t)(q->n - i));
        int t = ids[i];
        ids[i] = ids[pick];
        ids[pick] = t;
        j->asked[i] = (int8_t)ids[i];
    }
    for (int i = 0; i < q->r; i++) {
        struct shipment *s = sim_pool_get(&q->shipments); /* reused as a reply */
        *s = (struct shipment){.read = j, .replica = i};
        sim_schedule(&q->base, sim_dist_draw_time(q->replica_latency, q->latency_rng), reply, s);
    }
}

static void reply(struct sim_component *self, void *arg)
{
    struct quorum *q = (struct quorum *)self;
    struct shipment *s = arg;
    struct job *j = s->read;
    int i = s->replica;
    sim_pool_put(&q->shipments, s);
    uint32_t v = j->rec ? rec(q, j->rec - 1)[REPLICA(j->asked[i])] : 0;
    j->got[i] = v;
    if (v > j->best) j->best = v;
    if (--j->pending) return;
    sim_store_read(&q->fig, j->best, j->snapshot);
    if (q->read_repair && j->rec)
        for (int k = 0; k < q->r; k++)
            if (j->got[k] < j->best) {
                if (sim_measuring(self)) q->read_repairs++;
                ship(q, NULL, j->rec - 1, j->best, j->asked[k],
                     sim_dist_draw_time(q->replica_latency, q->latency_rng));
            }
    answer(q, j, SIM_OK);
}

/* ---- arrivals ---- */

/* The job holds a connection (or needs none). */
static void pool_admitted(struct sim_component *self, struct sim_conn *c)
{
    struct quorum *q = (struct quorum *)self;
    struct job *j = job_of(c);
    if (j->in->op == SIM_OP_WRITE && q->disk_full) answer(q, j, SIM_REJECTED);
    else if (j->in->op == SIM_OP_WRITE) start_write(q, j);
    else start_read(q, j);
}

static void receive(struct sim_component *self, struct sim_call *call)
{
    struct quorum *q = (struct quorum *)self;
    sim_time now = sim_now(self);
    struct job *j = sim_pool_get(&q->jobs);
    *j = (struct job){.in = call, .arrived = now};
    call->callee_data = j;
    j->rec = sim_store_arrive(&q->fig, &q->vers, call, ACKED, &j->snapshot);
    sim_connpool_enter(&q->conns, &j->conn, now);
}

/* ---- configuration ---- */

static void configure(struct sim_component *self, struct sim_cfg *cfg)
{
    struct quorum *q = (struct quorum *)self;
    /* The primary-replica store's fields, named for whoever moved a database over. */
    static const char *const database_only[] = {"replicas", "workers", "queue", "service_time",
                                                "service_time_by_op", "replication", "acks", "lag",
                                                "read_from", "replica_choice", "read_your_writes",
                                                "shards", "failover", "backup", "mode", NULL};
    for (int i = 0; database_only[i]; i++)
        if (sim_cfg_has(cfg, database_only[i]))
            sim_cfg_error(cfg, database_only[i], "only with \"type\": \"database\"");
    q->n = (int)sim_cfg_int(cfg, "n", SIM_REQUIRED, 1, MAX_N);
    int n = sim_cfg_failed(cfg) ? 1 : q->n;
    q->w = (int)sim_cfg_int(cfg, "w", SIM_REQUIRED, 1, n);
    q->r = (int)sim_cfg_int(cfg, "r", SIM_REQUIRED, 1, n);
    q->replica_latency = sim_cfg_dist(cfg, "replica_latency", SIM_QTY_DURATION, NULL);
    q->propagation = sim_cfg_choice(cfg, "propagation", 0, on_off_names) == 0;
    if (!q->propagation && sim_cfg_has(cfg, "anti_entropy"))
        sim_cfg_error(cfg, "anti_entropy", "only with propagation \"on\"");
    q->anti_entropy = sim_cfg_dist(cfg, "anti_entropy", SIM_QTY_DURATION, "\"0s\"");
    q->read_repair = sim_cfg_bool(cfg, "read_repair", 0);
    q->columns = 2 + (size_t)(q->n > 0 ? q->n : 1);
    sim_connpool_configure(&q->conns, cfg, "pool");
    if (sim_cfg_failed(cfg)) return;
    sim_versions_init(&q->vers, self, q->columns);
    sim_pool_init(&q->jobs, sizeof(struct job));
    sim_pool_init(&q->writes, sizeof(struct write));
    sim_pool_init(&q->shipments, sizeof(struct shipment));
    q->latency_rng = sim_rng(self, "latency");
    q->choice_rng = sim_rng(self, "choice");
    q->entropy_rng = sim_rng(self, "anti_entropy");
    sim_store_figures_init(&q->fig, self);
}

static void start(struct sim_component *self)
{
    struct quorum *q = (struct quorum *)self;
    sim_connpool_start(&q->conns, self, pool_admitted, pool_expired);
}

/* ---- statistics and report ---- */

static void clear_stats(struct sim_component *self)
{
    struct quorum *q = (struct quorum *)self;
    sim_store_figures_clear(&q->fig);
    q->read_repairs = 0;
    sim_connpool_clear_stats(&q->conns);
}

static void report(struct sim_component *self, struct sim_report *rep)
{
    struct quorum *q = (struct quorum *)self;
    sim_store_figures_report(&q->fig, rep, q->vers.count);
    sim_report(rep, "read_repairs", (double)q->read_repairs, SIM_UNIT_COUNT);
    sim_connpool_report(&q->conns, rep);
}

static void sample(struct sim_component *self, struct sim_sampler *smp)
{
    sim_connpool_sample(&((struct quorum *)self)->conns, smp);
}

static double choose(int n, int k)
{
    double c = 1;
    for (int i = 1; i <= k; i++) c = c * (n - k + i) / i;
    return k < 0 || k > n ? 0 : c;
}

/* Quorum overlap: a read of R of N replicas misses all W that hold the newest write with
 * probability C(N-W, R) / C(N, R); with W + R > N it never does. */
static void theory(struct sim_component *self, struct sim_report *pred)
{
    struct quorum *q = (struct quorum *)self;
    if (q->w + q->r > q->n) {
        sim_report(pred, "stale_read_ratio", 0, SIM_UNIT_RATIO);
    } else if (!q->propagation && !q->read_repair) {
        sim_report(pred, "stale_read_ratio_written", choose(q->n - q->w, q->r) / choose(q->n, q->r),
                   SIM_UNIT_RATIO);
    } else {
        sim_theory_note(pred, "propagation or read repair heals replicas: C(N-W,R)/C(N,R) is only "
                              "an upper bound right after a write");
    }
}

static void describe(struct sim_component *self, char *buf, size_t n)
{
    struct quorum *q = (struct quorum *)self;
    char a[96], b[32];
    sim_connpool_describe(&q->conns, b, sizeof b);
    sim_dist_describe(q->replica_latency, a, sizeof a);
    snprintf(buf, n, "quorum n %d, w %d, r %d, replica latency %s, propagation %s%s%s", q->n, q->w,
             q->r, a, q->propagation ? "on" : "off", q->read_repair ? ", read repair" : "", b);
}

/* ---- faults ---- */

static void fault(struct sim_component *self, const struct sim_fault *f, bool begins)
{
    struct quorum *q = (struct quorum *)self;
    int step = begins ? 1 : -1;
    if (f->kind == SIM_FAULT_DISK_FULL) q->disk_full += step;
    if (f->kind != SIM_FAULT_REPLICATION_PAUSED) return;
    q->paused += step;
    while (!q->paused && q->held_head) { /* the held shipments land, in order */
        struct shipment *s = q->held_head;
        q->held_head = s->next;
        if (!q->held_head) q->held_tail = NULL;
        apply(q, s);
    }
}

static void fini(struct sim_component *self)
{
    struct quorum *q = (struct quorum *)self;
    sim_versions_fini(&q->vers);
    sim_pool_fini(&q->jobs);
    sim_pool_fini(&q->writes);
    sim_pool_fini(&q->shipments);
}

const struct sim_model quorum_model = {
    .name = "quorum",
    .summary = "a leaderless store of N replicas: writes acknowledged by W, reads asking R, "
               "over real keys and versions",
    .size = sizeof(struct quorum),
    .configure = configure,
    .start = start,
    .receive = receive,
    .clear_stats = clear_stats,
    .report = report,
    .sample = sample,
    .describe = describe,
    .theory = theory,
    .fini = fini,
    .fault = fault,
    .fault_kinds = SIM_FAULT_BIT(SIM_FAULT_DISK_FULL) | SIM_FAULT_BIT(SIM_FAULT_REPLICATION_PAUSED),
};
