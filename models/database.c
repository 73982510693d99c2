/* database.c: a replicated database over real keys and versions. Mode "primary": a primary
 * and replicas, each a server with workers and a FIFO queue; writes get the key's next
 * version at the primary and are shipped to every replica in order (sync, semi_sync or
 * async acknowledgement). Mode "quorum": N leaderless replicas, writes acked by W, reads
 * asking R. A connection pool sits in front of both. Primary mode may be sharded: S shards,
 * each a primary and its replicas, keys placed by hash, ring, range or a directory lookup;
 * scatter operations go to every shard and answer with the slowest. Invariants: a node's
 * applied version of a key never decreases; a key's acked version is the newest
 * acknowledged write; a key lives on exactly one shard. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

enum mode { MODE_PRIMARY, MODE_QUORUM };
static const char *const mode_names[] = {"primary", "quorum", NULL};
enum replication { REPL_SYNC, REPL_SEMI_SYNC, REPL_ASYNC };
static const char *const replication_names[] = {"sync", "semi_sync", "async", NULL};
enum read_from { FROM_PRIMARY, FROM_REPLICAS, FROM_NEAREST };
static const char *const read_from_names[] = {"primary", "replicas", "nearest", NULL};
static const char *const replica_choice_names[] = {"round_robin", "random", NULL};
static const char *const pool_wait_names[] = {"queue", "reject", NULL};
static const char *const on_off_names[] = {"on", "off", NULL};
enum strategy { SHARD_HASH, SHARD_CONSISTENT_HASH, SHARD_RANGE, SHARD_DIRECTORY };
static const char *const strategy_names[] = {"hash", "consistent_hash", "range", "directory",
                                             NULL};

#define MAX_REPLICAS 64 /* a write's applied replicas are a 64-bit mask */
#define MAX_QUORUM_N 32
#define MAX_SHARDS 1024
#define MAX_VIRTUAL_NODES 1000
#define MAX_TIME (1000000 * SIM_S)

/* A call being served; from the database's pool, owned until it answers. */
struct job {
    struct sim_call *in;
    sim_time arrived;
    struct job *next;        /* the pool's or a server's FIFO */
    struct sim_event *timer; /* the pool wait's timeout */
    uint32_t rec;            /* the key's record + 1, 0: none (never written) */
    uint32_t snapshot;       /* the key's acked version when the read arrived */
    int node;                /* 0: the primary, 1..R: a replica (of its shard) */
    int shard;
    struct job *parent;      /* a scatter part: the call it is part of; NULL otherwise */
    enum sim_status worst;   /* a scatter call: the first error of its parts */
    bool connected, gone;    /* holds a connection; answered while waiting for one */
    bool written_key;        /* the key had an acknowledged write when the read arrived */
    bool scatter;            /* sent to every shard: its parts answer it */
    sim_time at_shard;       /* when it reached its shard (after any directory lookup) */
    /* quorum reads; scatter calls: parts not yet answered */
    int pending;
    uint32_t best;
    int8_t asked[MAX_QUORUM_N];
    uint32_t got[MAX_QUORUM_N];
};

/* A write applied at the primary (or issued by the quorum coordinator) on its way to the
 * replicas; from the database's pool, freed when acknowledged and every shipment landed. */
struct write {
    struct job *job; /* NULL once acknowledged */
    uint32_t rec, version;
    uint64_t applied; /* mask of the replicas that applied it */
    int applies, needed, in_flight, shard;
    bool acked;
    sim_time acked_at;
};

/* One version on its way to one replica (a replication shipment or a read repair). */
struct shipment {
    struct write *w; /* NULL for a read repair or a reply */
    struct job *read; /* quorum: the read this replica answers */
    uint32_t rec, version;
    int replica;
};

/* A server: the primary or one replica of a shard. */
struct server {
    int busy;
    struct job *head, *tail; /* FIFO queue */
    int64_t queued_n;
    sim_time last_apply; /* replicas: when the newest shipment lands (in-order apply) */
    struct sim_level busy_level, queued;
    struct sim_level unreplicated; /* replicas: acknowledged writes not yet applied */
    struct sim_hist lag;           /* replicas: ack at the primary to apply here */
    uint64_t reads;
};

/* A virtual node on the consistent-hashing ring. */
struct point {
    uint64_t at;
    int shard;
};

/* One shard's routing state and figures (its servers live in database.servers). */
struct shard {
    int next_replica;
    uint64_t calls; /* measured: calls (and scatter parts) routed to it */
    struct sim_hist latency; /* successful calls and parts, arrival at the shard to answer */
};

struct database {
    struct sim_component base;
    enum mode mode;
    /* primary mode */
    int nreplicas, workers;
    int64_t queue_limit; /* per server; -1: unbounded */
    struct sim_dist *service_time, *lag;
    struct sim_dist *service_time_by_op[2]; /* read, write; NULL: service_time */
    enum replication replication;
    int acks;
    enum read_from read_from;
    bool random_replica, read_your_writes;
    struct server *servers; /* shard s: [s (1 + R)] its primary, then its R replicas */
    /* sharding (primary mode) */
    int nshards, virtual_nodes, npoints, nboundaries;
    enum strategy strategy;
    struct shard *shards;
    struct point *ring;        /* consistent_hash: nshards x virtual_nodes, ascending */
    uint64_t *boundaries;      /* range: the first key of shards 1..S-1, ascending */
    struct sim_component *directory;
    bool scatter[SIM_MAX_OPS]; /* operations sent to every shard */
    bool any_scatter;
    /* quorum mode */
    int n, w, r;
    struct sim_dist *replica_latency, *anti_entropy;
    bool propagation, read_repair;
    /* connection pool */
    bool pool_on, pool_reject;
    int pool_size, pool_used;
    sim_time pool_timeout;
    struct job *pool_head, *pool_tail;
    int64_t pool_waiting_n;

    /* records: per key, stride words: [primary or issued, acked, replica 0..] */
    struct sim_keymap map; /* key -> record index + 1 */
    uint32_t *vers;
    size_t stride, nrecs, recs_allocated;

    struct sim_pool jobs, writes, shipments;
    struct sim_rng *service_rng, *lag_rng, *route_rng, *latency_rng, *choice_rng, *entropy_rng;

    /* measurement */
    uint64_t reads, nwrites, acked, stale_reads, written_reads, stale_written, redirects;
    uint64_t read_repairs, pool_rejected, pool_timeouts, pool_waited, pool_started;
    uint64_t directory_lookups;
    uint64_t errors[SIM_STATUS_COUNT];
    double pool_wait_sum;
    struct sim_hist read_latency, write_latency, all_lag, scatter_latency;
    struct sim_level pool_in_use, pool_waiting;
};

/* ---- per-key records ---- */

/* The record of key, created at its first write: memory grows with the keys written. */
static uint32_t record_of(struct database *d, uint64_t key)
{
    uint32_t v = sim_keymap_get(&d->map, key);
    if (v) return v - 1;
    if (d->nrecs == d->recs_allocated) {
        SIM_ASSERT(&d->base, d->recs_allocated < UINT32_MAX / 4);
        d->recs_allocated = d->recs_allocated ? d->recs_allocated * 2 : 1024;
        d->vers = sim_realloc(d->vers, d->recs_allocated * d->stride * sizeof *d->vers);
    }
    uint32_t i = (uint32_t)d->nrecs++;
    memset(&d->vers[i * d->stride], 0, d->stride * sizeof *d->vers);
    sim_keymap_put(&d->map, key, i + 1);
    return i;
}

static uint32_t *rec(struct database *d, uint32_t i)
{
    return &d->vers[i * d->stride];
}
#define NEWEST 0 /* the primary's applied version, or the coordinator's last issued */
#define ACKED 1
#define REPLICA(k) (2 + (k))

/* ---- the connection pool and answers ---- */

static void admit(struct database *d, struct job *j);

static void release_connection(struct database *d, struct job *j)
{
    if (!d->pool_on || !j->connected) return;
    j->connected = false;
    sim_time now = sim_now(&d->base);
    d->pool_used--;
    sim_level_add(&d->pool_in_use, now, -1);
    while (d->pool_head) {
        struct job *next = d->pool_head;
        d->pool_head = next->next;
        if (!d->pool_head) d->pool_tail = NULL;
        if (next->gone) { /* timed out while waiting: already answered */
            sim_pool_put(&d->jobs, next);
            continue;
        }
        d->pool_waiting_n--;
        sim_level_add(&d->pool_waiting, now, -1);
        sim_cancel(next->timer);
        next->timer = NULL;
        admit(d, next);
        return;
    }
}

static void answer(struct database *d, struct job *j, enum sim_status status);

/* A scatter part answered: the call answers when its last part does, with the first error
 * of its parts, so its latency is the slowest shard's. */
static void part_done(struct database *d, struct job *part, enum sim_status status)
{
    struct job *p = part->parent;
    if (status != SIM_OK && p->worst == SIM_OK) p->worst = status;
    sim_pool_put(&d->jobs, part);
    if (--p->pending) return;
    if (p->worst == SIM_OK && sim_measuring(&d->base))
        sim_hist_record(&d->scatter_latency, sim_now(&d->base) - p->arrived);
    answer(d, p, p->worst);
}

static void answer(struct database *d, struct job *j, enum sim_status status)
{
    struct sim_component *self = &d->base;
    if (d->nshards > 1 && status == SIM_OK && !j->scatter && sim_measuring(self))
        sim_hist_record(&d->shards[j->shard].latency, sim_now(self) - j->at_shard);
    if (j->parent) {
        part_done(d, j, status);
        return;
    }
    if (sim_measuring(self)) {
        sim_time latency = sim_now(self) - j->arrived;
        if (status != SIM_OK) d->errors[status]++;
        else if (j->in->op == SIM_OP_WRITE) sim_hist_record(&d->write_latency, latency);
        else sim_hist_record(&d->read_latency, latency);
    }
    release_connection(d, j);
    sim_respond(j->in, status);
    if (!j->gone) sim_pool_put(&d->jobs, j);
}

static void pool_timeout(struct sim_component *self, void *arg)
{
    struct database *d = (struct database *)self;
    struct job *j = arg;
    j->timer = NULL;
    d->pool_waiting_n--;
    sim_level_add(&d->pool_waiting, sim_now(self), -1);
    if (sim_measuring(self)) d->pool_timeouts++;
    j->gone = true; /* stays queued; freed when it surfaces */
    answer(d, j, SIM_REJECTED);
}

/* ---- primary mode: shards and servers ---- */

static struct server *server_of(struct database *d, int shard, int node)
{
    return &d->servers[shard * (1 + d->nreplicas) + node];
}

/* The shard that owns key. hash and directory: key mod S (the directory's table holds
 * that placement; looking it up costs the call); consistent_hash: the first virtual node
 * at or after sim_hash64(key) on the ring, wrapping; range: the number of boundaries at
 * or below key. */
static int shard_of(const struct database *d, uint64_t key)
{
    if (d->nshards == 1) return 0;
    if (d->strategy == SHARD_CONSISTENT_HASH) {
        uint64_t at = sim_hash64(key);
        int lo = 0, hi = d->npoints; /* the first point with .at >= at lies in [lo, hi] */
        while (lo < hi) {
            int mid = lo + (hi - lo) / 2;
            if (d->ring[mid].at < at) lo = mid + 1;
            else hi = mid;
        }
        return d->ring[lo == d->npoints ? 0 : lo].shard;
    }
    if (d->strategy == SHARD_RANGE) {
        int lo = 0, hi = d->nboundaries; /* the first boundary above key */
        while (lo < hi) {
            int mid = lo + (hi - lo) / 2;
            if (d->boundaries[mid] <= key) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }
    return (int)(key % (uint64_t)d->nshards);
}

static void begin_service(struct database *d, struct job *j);

static void server_release(struct database *d, struct server *s)
{
    sim_time now = sim_now(&d->base);
    s->busy--;
    sim_level_add(&s->busy_level, now, -1);
    if (s->head) {
        struct job *next = s->head;
        s->head = next->next;
        if (!s->head) s->tail = NULL;
        s->queued_n--;
        sim_level_add(&s->queued, now, -1);
        begin_service(d, next);
    }
}

/* Acknowledges write w: the key's acked version moves up, and every replica that has not
 * applied it now holds one more unreplicated write. */
static void acknowledge(struct database *d, struct write *w)
{
    sim_time now = sim_now(&d->base);
    uint32_t *r = rec(d, w->rec);
    if (w->version > r[ACKED]) r[ACKED] = w->version;
    w->acked = true;
    w->acked_at = now;
    if (sim_measuring(&d->base)) d->acked++;
    if (d->mode == MODE_PRIMARY)
        for (int k = 0; k < d->nreplicas; k++)
            if (!(w->applied >> k & 1))
                sim_level_add(&server_of(d, w->shard, 1 + k)->unreplicated, now, 1);
    struct job *j = w->job;
    w->job = NULL;
    answer(d, j, SIM_OK);
}

static void write_done_if_finished(struct database *d, struct write *w)
{
    if (w->acked && !w->in_flight) sim_pool_put(&d->writes, w);
}

static void land(struct sim_component *self, void *arg)
{
    struct database *d = (struct database *)self;
    struct shipment *s = arg;
    uint32_t *r = rec(d, s->rec);
    if (s->version > r[REPLICA(s->replica)]) r[REPLICA(s->replica)] = s->version;
    struct write *w = s->w;
    sim_pool_put(&d->shipments, s);
    if (!w) return;
    int k = s->replica;
    w->in_flight--;
    w->applied |= (uint64_t)1 << k;
    w->applies++;
    if (d->mode == MODE_PRIMARY) {
        struct server *rep = server_of(d, w->shard, 1 + k);
        sim_time lag = w->acked ? sim_now(self) - w->acked_at : 0;
        if (w->acked) sim_level_add(&rep->unreplicated, sim_now(self), -1);
        if (sim_measuring(self)) {
            sim_hist_record(&rep->lag, lag);
            sim_hist_record(&d->all_lag, lag);
        }
    }
    if (!w->acked && w->applies == w->needed) acknowledge(d, w);
    write_done_if_finished(d, w);
}

static void ship(struct database *d, struct write *w, uint32_t r, uint32_t version, int replica,
                 sim_time delay)
{
    struct shipment *s = sim_pool_get(&d->shipments);
    *s = (struct shipment){.w = w, .rec = r, .version = version, .replica = replica};
    if (w) w->in_flight++;
    sim_schedule(&d->base, delay, land, s);
}

/* The primary applied a write: it gets the key's next version and is shipped to every
 * replica, each applying in the order shipped, after a drawn lag. */
static void primary_write(struct database *d, struct job *j)
{
    sim_time now = sim_now(&d->base);
    uint32_t r = record_of(d, j->in->key);
    uint32_t version = ++rec(d, r)[NEWEST];
    struct write *w = sim_pool_get(&d->writes);
    int needed = d->replication == REPL_SYNC ? d->nreplicas
                 : d->replication == REPL_SEMI_SYNC ? d->acks : 0;
    *w = (struct write){.job = j, .rec = r, .version = version, .needed = needed,
                        .shard = j->shard};
    for (int k = 0; k < d->nreplicas; k++) {
        struct server *rep = server_of(d, j->shard, 1 + k);
        sim_time at = now + sim_dist_draw_time(d->lag, d->lag_rng);
        if (at < rep->last_apply) at = rep->last_apply; /* in order per replica */
        rep->last_apply = at;
        ship(d, w, r, version, k, at - now);
    }
    if (!needed) acknowledge(d, w);
    write_done_if_finished(d, w);
}

static void service_done(struct sim_component *self, void *arg)
{
    struct database *d = (struct database *)self;
    struct job *j = arg;
    struct server *s = server_of(d, j->shard, j->node);
    if (j->in->op == SIM_OP_WRITE) {
        server_release(d, s);
        primary_write(d, j);
        return;
    }
    /* A read returns the version its node holds as it answers. */
    uint32_t version = 0;
    if (j->rec) version = rec(d, j->rec - 1)[j->node ? REPLICA(j->node - 1) : NEWEST];
    if (sim_measuring(self)) {
        s->reads++;
        if (version < j->snapshot) d->stale_reads++;
        if (j->written_key && version < j->snapshot) d->stale_written++;
    }
    server_release(d, s);
    answer(d, j, SIM_OK);
}

static void begin_service(struct database *d, struct job *j)
{
    struct server *s = server_of(d, j->shard, j->node);
    s->busy++;
    sim_level_add(&s->busy_level, sim_now(&d->base), 1);
    int op = j->in->op == SIM_OP_WRITE ? 1 : 0;
    const struct sim_dist *dist = d->service_time_by_op[op] ? d->service_time_by_op[op]
                                                            : d->service_time;
    sim_schedule(&d->base, sim_dist_draw_time(dist, d->service_rng), service_done, j);
}

static int load_of(const struct server *s)
{
    return s->busy + (int)s->queued_n;
}

/* The node of its shard a read goes to; read_your_writes sends it to the primary instead
 * when that replica has not applied the key's latest acknowledged write. */
static int route_read(struct database *d, struct job *j)
{
    if (!d->nreplicas || d->read_from == FROM_PRIMARY) return 0;
    struct server *srv = server_of(d, j->shard, 0);
    int node;
    if (d->read_from == FROM_NEAREST) {
        node = 1;
        for (int k = 2; k <= d->nreplicas; k++)
            if (load_of(&srv[k]) < load_of(&srv[node])) node = k;
        if (load_of(&srv[0]) < load_of(&srv[node])) node = 0;
    } else if (d->random_replica) {
        node = 1 + (int)sim_uniform_int(d->route_rng, (uint64_t)d->nreplicas);
    } else {
        struct shard *sh = &d->shards[j->shard];
        node = 1 + sh->next_replica;
        sh->next_replica = (sh->next_replica + 1) % d->nreplicas;
    }
    if (node && d->read_your_writes && j->rec) {
        const uint32_t *r = rec(d, j->rec - 1);
        if (r[REPLICA(node - 1)] < r[ACKED]) {
            if (sim_measuring(&d->base)) d->redirects++;
            node = 0;
        }
    }
    return node;
}

/* The job reached its shard (j->shard): to the node its operation goes to. */
static void primary_admit(struct database *d, struct job *j)
{
    j->at_shard = sim_now(&d->base);
    if (sim_measuring(&d->base)) d->shards[j->shard].calls++;
    j->node = j->in->op == SIM_OP_WRITE ? 0 : route_read(d, j);
    struct server *s = server_of(d, j->shard, j->node);
    if (s->busy < d->workers) {
        begin_service(d, j);
        return;
    }
    if (d->queue_limit >= 0 && s->queued_n >= d->queue_limit) {
        answer(d, j, SIM_REJECTED);
        return;
    }
    j->next = NULL;
    if (s->tail) s->tail->next = j;
    else s->head = j;
    s->tail = j;
    s->queued_n++;
    sim_level_add(&s->queued, sim_now(&d->base), 1);
}

/* ---- quorum mode ---- */

static void quorum_write(struct database *d, struct job *j)
{
    uint32_t r = record_of(d, j->in->key);
    uint32_t version = ++rec(d, r)[NEWEST];
    struct write *w = sim_pool_get(&d->writes);
    *w = (struct write){.job = j, .rec = r, .version = version, .needed = d->w};
    sim_time lat[MAX_QUORUM_N];
    int order[MAX_QUORUM_N];
    for (int k = 0; k < d->n; k++) {
        lat[k] = sim_dist_draw_time(d->replica_latency, d->latency_rng);
        order[k] = k;
    }
    for (int a = 1; a < d->n; a++) /* stable insertion sort by latency: ties by index */
        for (int b = a; b > 0 && lat[order[b]] < lat[order[b - 1]]; b--) {
            int t = order[b];
            order[b] = order[b - 1];
            order[b - 1] = t;
        }
    for (int i = 0; i < d->n; i++) {
        int k = order[i];
        if (i < d->w) ship(d, w, r, version, k, lat[k]);
        else if (d->propagation)
            ship(d, w, r, version, k, lat[k] + sim_dist_draw_time(d->anti_entropy, d->entropy_rng));
    }
}

static void quorum_reply(struct sim_component *self, void *arg);

/* A read asks r distinct replicas chosen uniformly at random; each answers with the
 * version it holds after its drawn latency; the read returns the newest. */
static void quorum_read(struct database *d, struct job *j)
{
    int ids[MAX_QUORUM_N];
    for (int k = 0; k < d->n; k++) ids[k] = k;
    j->pending = d->r;
    j->best = 0;
    for (int i = 0; i < d->r; i++) {
        int pick = i + (int)sim_uniform_int(d->choice_rng, (uint64_t)(d->n - i));
        int t = ids[i];
        ids[i] = ids[pick];
        ids[pick] = t;
        j->asked[i] = (int8_t)ids[i];
    }
    for (int i = 0; i < d->r; i++) {
        struct shipment *s = sim_pool_get(&d->shipments); /* reused as a reply */
        *s = (struct shipment){.read = j, .replica = i};
        sim_schedule(&d->base, sim_dist_draw_time(d->replica_latency, d->latency_rng),
                     quorum_reply, s);
    }
}

static void quorum_reply(struct sim_component *self, void *arg)
{
    struct database *d = (struct database *)self;
    struct shipment *s = arg;
    struct job *j = s->read;
    int i = s->replica;
    sim_pool_put(&d->shipments, s);
    uint32_t v = j->rec ? rec(d, j->rec - 1)[REPLICA(j->asked[i])] : 0;
    j->got[i] = v;
    if (v > j->best) j->best = v;
    if (--j->pending) return;
    if (sim_measuring(self)) {
        if (j->best < j->snapshot) d->stale_reads++;
        if (j->written_key && j->best < j->snapshot) d->stale_written++;
    }
    if (d->read_repair && j->rec)
        for (int k = 0; k < d->r; k++)
            if (j->got[k] < j->best) {
                if (sim_measuring(self)) d->read_repairs++;
                ship(d, NULL, j->rec - 1, j->best, j->asked[k],
                     sim_dist_draw_time(d->replica_latency, d->latency_rng));
            }
    answer(d, j, SIM_OK);
}

/* ---- arrivals ---- */

/* A scatter operation: one part per shard, each served as a read by its shard. Only the
 * part on the key's own shard can see the key's versions (and be stale). Parts come from
 * the job pool: nothing is allocated per call. */
static void scatter(struct database *d, struct job *j)
{
    int owner = shard_of(d, j->in->key);
    j->scatter = true;
    j->pending = d->nshards;
    j->worst = SIM_OK;
    sim_time now = sim_now(&d->base);
    for (int i = 0; i < d->nshards; i++) {
        struct job *part = sim_pool_get(&d->jobs);
        *part = (struct job){.in = j->in, .arrived = now, .parent = j, .shard = i};
        if (i == owner) {
            part->rec = j->rec;
            part->snapshot = j->snapshot;
            part->written_key = j->written_key;
        }
        primary_admit(d, part);
    }
}

/* Primary mode: to the key's shard, after a directory lookup when there is one. */
static void route(struct database *d, struct job *j)
{
    if (d->any_scatter && d->scatter[j->in->op]) {
        scatter(d, j);
    } else if (d->directory) {
        struct sim_call *c = sim_call_new(&d->base, d->directory, j->in, SIM_OP_READ, j->in->key,
                                          j->in->deadline);
        c->caller_data = j;
        if (sim_measuring(&d->base)) d->directory_lookups++;
        sim_call_send(c);
    } else {
        j->shard = shard_of(d, j->in->key);
        primary_admit(d, j);
    }
}

/* The directory answered a lookup: the job goes to the shard it named, or fails. */
static void respond(struct sim_component *self, struct sim_call *call)
{
    struct database *d = (struct database *)self;
    struct job *j = call->caller_data;
    if (call->status != SIM_OK) {
        answer(d, j, SIM_FAILED);
        return;
    }
    j->shard = shard_of(d, j->in->key);
    primary_admit(d, j);
}

/* The job holds a connection (or needs none): it goes to its node(s). */
static void admit(struct database *d, struct job *j)
{
    if (d->pool_on) {
        sim_time now = sim_now(&d->base);
        j->connected = true;
        d->pool_used++;
        sim_level_add(&d->pool_in_use, now, 1);
        if (sim_measuring(&d->base)) {
            d->pool_started++;
            if (now > j->arrived) d->pool_waited++;
            d->pool_wait_sum += (double)(now - j->arrived);
        }
    }
    if (d->mode == MODE_QUORUM) {
        if (j->in->op == SIM_OP_WRITE) quorum_write(d, j);
        else quorum_read(d, j);
    } else {
        route(d, j);
    }
}

static void receive(struct sim_component *self, struct sim_call *call)
{
    struct database *d = (struct database *)self;
    sim_time now = sim_now(self);
    struct job *j = sim_pool_get(&d->jobs);
    *j = (struct job){.in = call, .arrived = now};
    call->callee_data = j;
    uint32_t v = sim_keymap_get(&d->map, call->key);
    j->rec = v;
    if (v) {
        j->snapshot = rec(d, v - 1)[ACKED];
        j->written_key = j->snapshot > 0;
    }
    if (sim_measuring(self)) {
        if (call->op == SIM_OP_WRITE) d->nwrites++;
        else {
            d->reads++;
            if (j->written_key) d->written_reads++;
        }
    }
    if (!d->pool_on || d->pool_used < d->pool_size) {
        admit(d, j);
        return;
    }
    if (d->pool_reject) {
        if (sim_measuring(self)) d->pool_rejected++;
        answer(d, j, SIM_REJECTED);
        return;
    }
    j->next = NULL;
    if (d->pool_tail) d->pool_tail->next = j;
    else d->pool_head = j;
    d->pool_tail = j;
    d->pool_waiting_n++;
    sim_level_add(&d->pool_waiting, now, 1);
    if (d->pool_timeout) j->timer = sim_schedule(self, d->pool_timeout, pool_timeout, j);
}

/* ---- configuration ---- */

/* key is refused unless cond holds; what names the setting it needs. */
static void only_with(struct sim_cfg *cfg, const char *key, bool cond, const char *what)
{
    if (!cond && sim_cfg_has(cfg, key)) sim_cfg_error(cfg, key, "only with %s", what);
}

static void configure_shards(struct database *d, struct sim_cfg *cfg);

static void configure_primary(struct database *d, struct sim_cfg *cfg)
{
    static const char *const quorum_only[] = {"n", "w", "r", "replica_latency", "propagation",
                                              "anti_entropy", "read_repair", NULL};
    for (int i = 0; quorum_only[i]; i++) only_with(cfg, quorum_only[i], false, "mode \"quorum\"");
    d->nreplicas = (int)sim_cfg_int(cfg, "replicas", 0, 0, MAX_REPLICAS);
    d->workers = (int)sim_cfg_int(cfg, "workers", 1, 1, 1000000);
    if (sim_cfg_type(cfg, "queue") == SIM_CFG_STRING) {
        static const char *const unbounded[] = {"unbounded", NULL};
        sim_cfg_choice(cfg, "queue", -1, unbounded);
        d->queue_limit = -1;
    } else {
        d->queue_limit = sim_cfg_int(cfg, "queue", -1, 0, INT32_MAX);
    }
    d->service_time = sim_cfg_dist(cfg, "service_time", SIM_QTY_DURATION, NULL);
    struct sim_cfg *by_op = sim_cfg_object(cfg, "service_time_by_op", false);
    if (by_op) {
        static const char *const ops[] = {"read", "write"};
        for (int op = 0; op < 2; op++)
            if (sim_cfg_has(by_op, ops[op]))
                d->service_time_by_op[op] = sim_cfg_dist(by_op, ops[op], SIM_QTY_DURATION, NULL);
        sim_cfg_end(by_op);
    }
    d->replication = (enum replication)sim_cfg_choice(cfg, "replication", REPL_ASYNC,
                                                      replication_names);
    if (d->replication == REPL_SEMI_SYNC) {
        if (!d->nreplicas && !sim_cfg_failed(cfg))
            sim_cfg_error(cfg, "replication", "\"semi_sync\" needs at least one replica");
        else d->acks = (int)sim_cfg_int(cfg, "acks", SIM_REQUIRED, 1, d->nreplicas);
    } else {
        only_with(cfg, "acks", false, "replication \"semi_sync\"");
    }
    d->lag = sim_cfg_dist(cfg, "lag", SIM_QTY_DURATION, "\"0s\"");
    d->read_from = (enum read_from)sim_cfg_choice(cfg, "read_from", FROM_PRIMARY, read_from_names);
    only_with(cfg, "replica_choice", d->read_from == FROM_REPLICAS, "read_from \"replicas\"");
    d->random_replica = sim_cfg_choice(cfg, "replica_choice", 0, replica_choice_names) == 1;
    d->read_your_writes = sim_cfg_bool(cfg, "read_your_writes", 0);
    if (d->read_your_writes && d->read_from == FROM_PRIMARY)
        sim_cfg_error(cfg, "read_your_writes", "only with read_from \"replicas\" or \"nearest\"");
    configure_shards(d, cfg);
    d->stride = 2 + (size_t)d->nreplicas;
}

static int point_order(const void *a, const void *b)
{
    const struct point *x = a, *y = b;
    if (x->at != y->at) return x->at < y->at ? -1 : 1;
    return (x->shard > y->shard) - (x->shard < y->shard);
}

/* Virtual node v of shard i sits at sim_hash64(sim_hash64(i << 32 | v)), as in the cache
 * cluster: hashed twice so that a small key never lands exactly on a small shard's point. */
static void ring_build(struct database *d)
{
    d->npoints = d->nshards * d->virtual_nodes;
    d->ring = sim_alloc((size_t)d->npoints * sizeof *d->ring);
    for (int i = 0, n = 0; i < d->nshards; i++)
        for (int v = 0; v < d->virtual_nodes; v++, n++)
            d->ring[n] = (struct point){sim_hash64(sim_hash64((uint64_t)i << 32 | (uint64_t)v)), i};
    qsort(d->ring, (size_t)d->npoints, sizeof *d->ring, point_order);
}

/* "shards": the count, the placement strategy and its settings, and the scatter operations. */
static void configure_shards(struct database *d, struct sim_cfg *cfg)
{
    struct sim_cfg *sh = sim_cfg_object(cfg, "shards", false);
    d->nshards = 1;
    if (!sh) return;
    d->nshards = (int)sim_cfg_int(sh, "count", 1, 1, MAX_SHARDS);
    d->strategy = (enum strategy)sim_cfg_choice(sh, "strategy", SHARD_HASH, strategy_names);
    only_with(sh, "virtual_nodes", d->strategy == SHARD_CONSISTENT_HASH,
              "strategy \"consistent_hash\"");
    d->virtual_nodes = (int)sim_cfg_int(sh, "virtual_nodes", 100, 1, MAX_VIRTUAL_NODES);
    only_with(sh, "boundaries", d->strategy == SHARD_RANGE, "strategy \"range\"");
    only_with(sh, "key_count", d->strategy == SHARD_RANGE, "strategy \"range\"");
    only_with(sh, "directory", d->strategy == SHARD_DIRECTORY, "strategy \"directory\"");
    if (d->strategy == SHARD_DIRECTORY) sim_cfg_peer(sh, "directory", &d->directory, true);
    int nops = sim_cfg_array(sh, "scatter_ops");
    for (int i = 0; i < nops; i++) {
        const char *name = sim_cfg_string_item(sh, "scatter_ops", i);
        if (!name || sim_cfg_failed(sh)) break;
        int op = sim_cfg_op(sh, name);
        if (op == SIM_OP_WRITE) {
            sim_cfg_error(sh, "scatter_ops", "a write goes to its key's shard: only reads scatter");
            break;
        }
        if (op >= 0 && op < SIM_MAX_OPS) d->scatter[op] = d->any_scatter = true;
    }
    if (d->strategy == SHARD_RANGE && !sim_cfg_failed(sh)) {
        int S = d->nshards;
        bool has_b = sim_cfg_has(sh, "boundaries"), has_n = sim_cfg_has(sh, "key_count");
        if (has_b == has_n) {
            sim_cfg_error(sh, NULL, "strategy \"range\" needs either \"boundaries\" or "
                                    "\"key_count\"");
        } else if (has_n) {
            uint64_t n = (uint64_t)sim_cfg_int(sh, "key_count", SIM_REQUIRED, S, INT64_MAX);
            d->nboundaries = S - 1;
            d->boundaries = sim_alloc((size_t)(S > 1 ? S - 1 : 1) * sizeof *d->boundaries);
            for (int i = 1; i < S; i++) /* floor(i n / S), without overflow */
                d->boundaries[i - 1] = (uint64_t)i * (n / (uint64_t)S) +
                                       (uint64_t)i * (n % (uint64_t)S) / (uint64_t)S;
        } else {
            int nb = sim_cfg_array(sh, "boundaries");
            if (nb != S - 1) {
                sim_cfg_error(sh, "boundaries", "expected %d keys (count - 1), got %d", S - 1, nb);
            } else {
                d->nboundaries = nb;
                d->boundaries = sim_alloc((size_t)(nb ? nb : 1) * sizeof *d->boundaries);
                for (int i = 0; i < nb; i++) {
                    double k = sim_cfg_number_item(sh, "boundaries", i);
                    if (sim_cfg_failed(sh)) break;
                    if (!(k >= 0 && k <= 9007199254740992.0 && k == floor(k)) ||
                        (i && (uint64_t)k <= d->boundaries[i - 1])) {
                        char key[48];
                        snprintf(key, sizeof key, "boundaries[%d]", i);
                        sim_cfg_error(sh, key, "expected an integer key above the one before, "
                                               "got %g", k);
                        break;
                    }
                    d->boundaries[i] = (uint64_t)k;
                }
            }
        }
    }
    sim_cfg_end(sh);
    if (!sim_cfg_failed(cfg) && d->strategy == SHARD_CONSISTENT_HASH) ring_build(d);
}

static void configure_quorum(struct database *d, struct sim_cfg *cfg)
{
    static const char *const primary_only[] = {"replicas", "workers", "queue", "service_time",
                                               "service_time_by_op", "replication", "acks", "lag",
                                               "read_from", "replica_choice",
                                               "read_your_writes", "shards", NULL};
    for (int i = 0; primary_only[i]; i++) only_with(cfg, primary_only[i], false, "mode \"primary\"");
    d->n = (int)sim_cfg_int(cfg, "n", SIM_REQUIRED, 1, MAX_QUORUM_N);
    int n = sim_cfg_failed(cfg) ? 1 : d->n;
    d->w = (int)sim_cfg_int(cfg, "w", SIM_REQUIRED, 1, n);
    d->r = (int)sim_cfg_int(cfg, "r", SIM_REQUIRED, 1, n);
    d->replica_latency = sim_cfg_dist(cfg, "replica_latency", SIM_QTY_DURATION, NULL);
    d->propagation = sim_cfg_choice(cfg, "propagation", 0, on_off_names) == 0;
    only_with(cfg, "anti_entropy", d->propagation, "propagation \"on\"");
    d->anti_entropy = sim_cfg_dist(cfg, "anti_entropy", SIM_QTY_DURATION, "\"0s\"");
    d->read_repair = sim_cfg_bool(cfg, "read_repair", 0);
    d->stride = 2 + (size_t)(d->n > 0 ? d->n : 1);
}

static void configure(struct sim_component *self, struct sim_cfg *cfg)
{
    struct database *d = (struct database *)self;
    d->mode = (enum mode)sim_cfg_choice(cfg, "mode", MODE_PRIMARY, mode_names);
    if (d->mode == MODE_QUORUM) configure_quorum(d, cfg);
    else configure_primary(d, cfg);
    struct sim_cfg *p = sim_cfg_object(cfg, "pool", false);
    if (p) {
        d->pool_on = true;
        d->pool_size = (int)sim_cfg_int(p, "size", SIM_REQUIRED, 1, 1000000);
        d->pool_reject = sim_cfg_choice(p, "wait", 0, pool_wait_names) == 1;
        only_with(p, "timeout", !d->pool_reject, "wait \"queue\"");
        d->pool_timeout = sim_cfg_duration(p, "timeout", 0, 1, MAX_TIME);
        sim_cfg_end(p);
    }
    if (sim_cfg_failed(cfg)) return;

    if (d->mode == MODE_PRIMARY) {
        int nservers = d->nshards * (1 + d->nreplicas);
        d->servers = sim_alloc((size_t)nservers * sizeof *d->servers);
        for (int k = 0; k < nservers; k++) sim_hist_init(&d->servers[k].lag);
        d->shards = sim_alloc((size_t)d->nshards * sizeof *d->shards);
        for (int i = 0; i < d->nshards; i++) sim_hist_init(&d->shards[i].latency);
    }
    sim_keymap_init(&d->map, 2048);
    sim_pool_init(&d->jobs, sizeof(struct job));
    sim_pool_init(&d->writes, sizeof(struct write));
    sim_pool_init(&d->shipments, sizeof(struct shipment));
    d->service_rng = sim_rng(self, "service");
    d->lag_rng = sim_rng(self, "lag");
    d->route_rng = sim_rng(self, "route");
    d->latency_rng = sim_rng(self, "latency");
    d->choice_rng = sim_rng(self, "choice");
    d->entropy_rng = sim_rng(self, "anti_entropy");
    sim_hist_init(&d->read_latency);
    sim_hist_init(&d->write_latency);
    sim_hist_init(&d->all_lag);
    sim_hist_init(&d->scatter_latency);
}

static int server_count(const struct database *d)
{
    return d->servers ? d->nshards * (1 + d->nreplicas) : 0;
}

static void start(struct sim_component *self)
{
    struct database *d = (struct database *)self;
    sim_level_init(&d->pool_in_use, 0, 0);
    sim_level_init(&d->pool_waiting, 0, 0);
    for (int k = 0; k < server_count(d); k++) {
        sim_level_init(&d->servers[k].busy_level, 0, 0);
        sim_level_init(&d->servers[k].queued, 0, 0);
        sim_level_init(&d->servers[k].unreplicated, 0, 0);
    }
}

/* ---- statistics and report ---- */

static void clear_stats(struct sim_component *self)
{
    struct database *d = (struct database *)self;
    sim_time now = sim_now(self);
    d->reads = d->nwrites = d->acked = d->stale_reads = d->written_reads = d->stale_written = 0;
    d->redirects = d->read_repairs = d->pool_rejected = d->pool_timeouts = 0;
    d->pool_waited = d->pool_started = d->directory_lookups = 0;
    d->pool_wait_sum = 0;
    memset(d->errors, 0, sizeof d->errors);
    sim_hist_init(&d->read_latency);
    sim_hist_init(&d->write_latency);
    sim_hist_init(&d->all_lag);
    sim_hist_init(&d->scatter_latency);
    sim_level_restart(&d->pool_in_use, now);
    sim_level_restart(&d->pool_waiting, now);
    for (int i = 0; d->shards && i < d->nshards; i++) {
        d->shards[i].calls = 0;
        sim_hist_init(&d->shards[i].latency);
    }
    for (int k = 0; k < server_count(d); k++) {
        struct server *s = &d->servers[k];
        sim_level_restart(&s->busy_level, now);
        sim_level_restart(&s->queued, now);
        sim_level_restart(&s->unreplicated, now);
        sim_hist_init(&s->lag);
        s->reads = 0;
    }
}

static void report_server(struct database *d, struct sim_report *rep, const char *name,
                          struct server *s, bool replica)
{
    sim_time now = sim_now(&d->base);
    char path[96];
    snprintf(path, sizeof path, "%s.reads", name);
    sim_report(rep, path, (double)s->reads, SIM_UNIT_COUNT);
    snprintf(path, sizeof path, "%s.utilisation", name);
    sim_report(rep, path, sim_level_mean(&s->busy_level, now) / d->workers, SIM_UNIT_RATIO);
    snprintf(path, sizeof path, "%s.queue.mean", name);
    sim_report(rep, path, sim_level_mean(&s->queued, now), SIM_UNIT_NUMBER);
    snprintf(path, sizeof path, "%s.queue.max", name);
    sim_report(rep, path, s->queued.max, SIM_UNIT_COUNT);
    if (!replica) return;
    snprintf(path, sizeof path, "%s.lag", name);
    sim_report_hist(rep, path, &s->lag);
    snprintf(path, sizeof path, "%s.unreplicated_writes.mean", name);
    sim_report(rep, path, sim_level_mean(&s->unreplicated, now), SIM_UNIT_NUMBER);
    snprintf(path, sizeof path, "%s.unreplicated_writes.max", name);
    sim_report(rep, path, s->unreplicated.max, SIM_UNIT_COUNT);
}

/* Per shard: its share of the calls routed to shards (a scatter call counts once on every
 * shard), its busiest node's utilisation, its nodes' queues summed, the latency of
 * its answers, and each of its nodes; then the busiest shard's share. */
static void report_shards(struct database *d, struct sim_report *rep)
{
    sim_time now = sim_now(&d->base);
    uint64_t total = 0, most = 0;
    for (int i = 0; i < d->nshards; i++) {
        total += d->shards[i].calls;
        if (d->shards[i].calls > most) most = d->shards[i].calls;
    }
    for (int i = 0; i < d->nshards; i++) {
        struct shard *sh = &d->shards[i];
        struct server *srv = server_of(d, i, 0);
        double busy = 0, queued = 0; /* the busiest node's busy workers; every queue */
        for (int k = 0; k <= d->nreplicas; k++) {
            double b = sim_level_mean(&srv[k].busy_level, now);
            busy = b > busy ? b : busy;
            queued += sim_level_mean(&srv[k].queued, now);
        }
        char path[96];
        snprintf(path, sizeof path, "shards.%d.calls", i);
        sim_report(rep, path, (double)sh->calls, SIM_UNIT_COUNT);
        snprintf(path, sizeof path, "shards.%d.share", i);
        sim_report(rep, path, total ? (double)sh->calls / (double)total : 0, SIM_UNIT_RATIO);
        snprintf(path, sizeof path, "shards.%d.utilisation", i);
        sim_report(rep, path, busy / d->workers, SIM_UNIT_RATIO);
        snprintf(path, sizeof path, "shards.%d.queue.mean", i);
        sim_report(rep, path, queued, SIM_UNIT_NUMBER);
        snprintf(path, sizeof path, "shards.%d.latency", i);
        sim_report_hist(rep, path, &sh->latency);
        snprintf(path, sizeof path, "shards.%d.primary", i);
        report_server(d, rep, path, &srv[0], false);
        for (int k = 0; k < d->nreplicas; k++) {
            snprintf(path, sizeof path, "shards.%d.replicas.%d", i, k);
            report_server(d, rep, path, &srv[1 + k], true);
        }
    }
    sim_report(rep, "hot_shard_share", total ? (double)most / (double)total : 0, SIM_UNIT_RATIO);
}

static void report(struct sim_component *self, struct sim_report *rep)
{
    struct database *d = (struct database *)self;
    double window = sim_window_seconds(self);
    sim_report(rep, "reads", (double)d->reads / window, SIM_UNIT_RATE);
    sim_report(rep, "writes", (double)d->nwrites / window, SIM_UNIT_RATE);
    sim_report(rep, "writes_acknowledged", (double)d->acked, SIM_UNIT_COUNT);
    sim_report(rep, "stale_reads", (double)d->stale_reads, SIM_UNIT_COUNT);
    sim_report(rep, "stale_read_ratio", d->reads ? (double)d->stale_reads / (double)d->reads : 0,
               SIM_UNIT_RATIO);
    sim_report(rep, "reads_of_written_keys", (double)d->written_reads, SIM_UNIT_COUNT);
    sim_report(rep, "stale_read_ratio_written",
               d->written_reads ? (double)d->stale_written / (double)d->written_reads : 0,
               SIM_UNIT_RATIO);
    sim_report(rep, "keys_written", (double)d->nrecs, SIM_UNIT_COUNT);
    sim_report_hist(rep, "read_latency", &d->read_latency);
    sim_report_hist(rep, "write_latency", &d->write_latency);
    for (int k = SIM_OK + 1; k < SIM_STATUS_COUNT; k++) {
        char path[64];
        snprintf(path, sizeof path, "errors.%s", sim_status_name((enum sim_status)k));
        sim_report(rep, path, (double)d->errors[k], SIM_UNIT_COUNT);
    }
    if (d->mode == MODE_PRIMARY) {
        if (d->read_your_writes)
            sim_report(rep, "read_your_writes_redirects", (double)d->redirects, SIM_UNIT_COUNT);
        if (d->nshards == 1) report_server(d, rep, "primary", &d->servers[0], false);
        if (d->nreplicas) sim_report_hist(rep, "replication_lag", &d->all_lag);
        for (int k = 0; d->nshards == 1 && k < d->nreplicas; k++) {
            char name[32];
            snprintf(name, sizeof name, "replicas.%d", k);
            report_server(d, rep, name, &d->servers[1 + k], true);
        }
        if (d->nshards > 1) report_shards(d, rep);
        if (d->any_scatter) sim_report_hist(rep, "scatter_latency", &d->scatter_latency);
        if (d->directory)
            sim_report(rep, "directory_lookups", (double)d->directory_lookups, SIM_UNIT_COUNT);
    } else {
        sim_report(rep, "read_repairs", (double)d->read_repairs, SIM_UNIT_COUNT);
    }
    if (d->pool_on) {
        sim_time now = sim_now(self);
        sim_report(rep, "pool.utilisation", sim_level_mean(&d->pool_in_use, now) / d->pool_size,
                   SIM_UNIT_RATIO);
        sim_report(rep, "pool.waiting.mean", sim_level_mean(&d->pool_waiting, now), SIM_UNIT_NUMBER);
        sim_report(rep, "pool.waiting.max", d->pool_waiting.max, SIM_UNIT_COUNT);
        sim_report(rep, "pool.wait.mean",
                   d->pool_started ? d->pool_wait_sum / (double)d->pool_started / SIM_S : 0,
                   SIM_UNIT_SECONDS);
        sim_report(rep, "pool.wait.probability",
                   d->pool_started ? (double)d->pool_waited / (double)d->pool_started : 0,
                   SIM_UNIT_RATIO);
        sim_report(rep, "pool.rejected", (double)d->pool_rejected, SIM_UNIT_COUNT);
        sim_report(rep, "pool.timeouts", (double)d->pool_timeouts, SIM_UNIT_COUNT);
    }
}

static void sample(struct sim_component *self, struct sim_sampler *smp)
{
    struct database *d = (struct database *)self;
    double unreplicated = 0;
    for (int k = 0; k < server_count(d); k++)
        if (k % (1 + d->nreplicas) && d->servers[k].unreplicated.level > unreplicated)
            unreplicated = d->servers[k].unreplicated.level;
    sim_sample(smp, "unreplicated_writes", unreplicated);
    sim_sample(smp, "pool_in_use", d->pool_used);
    sim_sample(smp, "pool_waiting", (double)d->pool_waiting_n);
}

static double choose(int n, int k)
{
    double c = 1;
    for (int i = 1; i <= k; i++) c = c * (n - k + i) / i;
    return k < 0 || k > n ? 0 : c;
}

/* Quorum overlap: a read of R of N replicas misses all W that hold the newest write with
 * probability C(N-W, R) / C(N, R). Async replication with a constant lag L: a read from a
 * replica is stale when its key was written in the last L, per key 1 - exp(-lambda_k L),
 * and a replica trails by lambda L acknowledged writes on average (Little's law). */
static void theory(struct sim_component *self, struct sim_report *pred)
{
    struct database *d = (struct database *)self;
    if (d->mode == MODE_QUORUM) {
        if (d->w + d->r > d->n) {
            sim_report(pred, "stale_read_ratio", 0, SIM_UNIT_RATIO);
        } else if (!d->propagation && !d->read_repair) {
            sim_report(pred, "stale_read_ratio_written", choose(d->n - d->w, d->r) / choose(d->n, d->r),
                       SIM_UNIT_RATIO);
        } else {
            sim_theory_note(pred, "propagation or read repair heals replicas: C(N-W,R)/C(N,R) is only "
                                  "an upper bound right after a write");
        }
        return;
    }
    double writes = sim_simulated(pred, "writes");
    if (d->replication == REPL_SYNC || !d->nreplicas) {
        sim_report(pred, "stale_read_ratio", 0, SIM_UNIT_RATIO);
        return;
    }
    if (d->replication != REPL_ASYNC || !(sim_dist_variance(d->lag) == 0)) {
        sim_theory_note(pred, "the stale-read formula needs async replication with a constant lag");
        return;
    }
    double lag = sim_dist_mean(d->lag);
    for (int i = 1; d->nshards == 1 && i <= d->nreplicas; i++) {
        char path[96];
        snprintf(path, sizeof path, "replicas.%d.unreplicated_writes.mean", i - 1);
        sim_report(pred, path, writes * lag, SIM_UNIT_NUMBER);
    }
    const struct sim_keys *keys = sim_workload_keys(self);
    if (d->read_from != FROM_REPLICAS || d->read_your_writes || !keys || sim_keys_count(keys) > 5000000) {
        sim_theory_note(pred, "the stale-read formula needs every read on a replica, without "
                              "read-your-writes, and the workload's key popularity");
        return;
    }
    double stale = 0;
    for (uint64_t k = 0; k < sim_keys_count(keys); k++) {
        double p = sim_keys_probability(keys, k);
        stale += p * -expm1(-writes * p * lag);
    }
    sim_report(pred, "stale_read_ratio", stale, SIM_UNIT_RATIO);
}

static void describe(struct sim_component *self, char *buf, size_t n)
{
    struct database *d = (struct database *)self;
    char a[96], b[32] = "";
    if (d->pool_on)
        snprintf(b, sizeof b, "; pool %d (%s)", d->pool_size, d->pool_reject ? "reject" : "queue");
    if (d->mode == MODE_QUORUM) {
        sim_dist_describe(d->replica_latency, a, sizeof a);
        snprintf(buf, n, "quorum n %d, w %d, r %d, replica latency %s, propagation %s%s%s", d->n,
                 d->w, d->r, a, d->propagation ? "on" : "off",
                 d->read_repair ? ", read repair" : "", b);
        return;
    }
    char lag[96];
    sim_dist_describe(d->service_time, a, sizeof a);
    sim_dist_describe(d->lag, lag, sizeof lag);
    snprintf(buf, n, "primary + %d replicas x %d workers, service %s, %s replication, lag %s, "
                     "reads from %s%s%s",
             d->nreplicas, d->workers, a, replication_names[d->replication], lag,
             read_from_names[d->read_from], d->read_your_writes ? ", read your writes" : "", b);
    if (d->nshards > 1) {
        size_t len = strlen(buf);
        if (len < n)
            snprintf(buf + len, n - len, "; %d shards (%s)%s", d->nshards,
                     strategy_names[d->strategy], d->any_scatter ? ", scatter" : "");
    }
}

static void fini(struct sim_component *self)
{
    struct database *d = (struct database *)self;
    sim_free(d->servers);
    sim_free(d->shards);
    sim_free(d->ring);
    sim_free(d->boundaries);
    sim_keymap_fini(&d->map);
    sim_free(d->vers);
    sim_pool_fini(&d->jobs);
    sim_pool_fini(&d->writes);
    sim_pool_fini(&d->shipments);
}

const struct sim_model database_model = {
    .name = "database",
    .summary = "a primary and replicas (sync, semi_sync, async), sharded or not, or a leaderless "
               "quorum, over real keys and versions",
    .size = sizeof(struct database),
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
};
