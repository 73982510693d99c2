/* database.c: a replicated database over real keys and versions: a primary and replicas,
 * each a server with workers and a FIFO queue; writes get the key's next version at the
 * primary, join the shard's log, and stream to every replica in log order (sync, semi_sync
 * or async acknowledgement). A connection pool may sit in front. It may be sharded: S
 * shards, each a primary and its replicas, keys placed by hash, ring, range or a directory
 * lookup; scatter operations go to every shard and answer with the slowest. (The
 * leaderless store is models/quorum.c.) Faults: servers crash, hang, slow down, fill their
 * disk or pause
 * replication; a heartbeat monitor declares a dead primary, promotes the most up-to-date
 * replica (or restores the latest backup) and clients follow the new endpoint.
 * Invariants: every server of a shard holds a prefix of the shard's log (so the most
 * up-to-date replica holds every write any replica holds); a server's applied version of a
 * key only goes back when a promotion or a restore discards the writes it never had; a
 * key's acked version is the newest acknowledged write still held; a key lives on exactly
 * one shard. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

enum replication { REPL_SYNC, REPL_SEMI_SYNC, REPL_ASYNC };
static const char *const replication_names[] = {"sync", "semi_sync", "async", NULL};
enum read_from { FROM_PRIMARY, FROM_REPLICAS, FROM_NEAREST };
static const char *const read_from_names[] = {"primary", "replicas", "nearest", NULL};
static const char *const replica_choice_names[] = {"round_robin", "random", NULL};

#define MAX_REPLICAS 64
#define MAX_SHARDS 1024

/* A call being served; from the database's pool, owned until it answers. */
struct job {
    struct sim_call *in;
    sim_time arrived;
    struct sim_job sj;       /* its place on its server, queued or in service */
    struct sim_event *work;  /* its service time running, or NULL */
    uint32_t rec;            /* the key's record + 1, 0: none (never written) */
    uint32_t snapshot;       /* the key's acked version when the read arrived */
    int node;                /* its server's place in the shard: 0..R (0: the first primary) */
    int shard;
    struct job *parent;      /* a scatter part: the call it is part of; NULL otherwise */
    enum sim_status worst;   /* a scatter call: the first error of its parts */
    struct sim_conn conn;    /* its place in the connection pool */
    bool scatter;            /* sent to every shard: its parts answer it */
    bool split;              /* a write a deposed primary takes in a split brain */
    sim_time at_shard;       /* when it reached its shard (after any directory lookup) */
    int pending;             /* a scatter call: parts not yet answered */
};

/* A write applied at the primary on its way to the replicas; from the database's pool,
 * freed when settled (acknowledged, or its client answered with an error) and every
 * shipment landed or was discarded. It sits in its shard's log, oldest first, meanwhile. */
struct write {
    struct job *job;   /* NULL once settled */
    uint32_t rec, version;
    uint64_t seq;      /* its place in the shard's log (1, 2, ...) */
    int applies, needed, in_flight, shard;
    bool acked, orphan; /* orphan: its client was answered with an error, never acked */
    sim_time acked_at;
    struct write *prev, *next; /* the shard's log */
};

/* One version on its way to one node of a shard, in that node's replication stream. */
struct shipment {
    struct write *w;
    uint32_t rec, version;
    int replica;       /* the node it streams to */
    struct sim_stream_item item; /* its place in that node's stream */
};

/* A server: one node (the primary or a replica) of a shard. */
struct server {
    struct sim_server srv;   /* its workers, queue and the jobs a crash loses */
    struct sim_stream in;    /* its replication stream: shipments in log order */
    uint64_t applied_seq;    /* the last write of the shard's log it applied */
    int paused, disk_full;   /* faults of those kinds on it now */
    bool replaced;           /* restored from a backup on a new machine: its crash is over */
    struct sim_level busy_level, queued;
    struct sim_level unreplicated; /* acknowledged writes it has not applied (not a primary) */
    struct sim_hist lag;           /* ack at the primary to apply here */
    uint64_t reads;
};

/* One shard's routing, log, failover state and figures (its servers live in
 * database.servers). */
struct shard {
    int next_node;  /* round robin over its nodes, skipping the primary and the down */
    uint64_t calls; /* measured: calls (and scatter parts) routed to it */
    struct sim_hist latency; /* successful calls and parts, arrival at the shard to answer */
    int primary;    /* the node that is primary now */
    uint64_t seq;   /* the last write of its log */
    struct write *log_head, *log_tail;
    bool restoring;  /* the takeover planned (d->failover) restores a backup */
    bool split;      /* fencing off: the deposed primary is back and takes writes */
    uint64_t split_writes;
    sim_time split_oldest;
    /* backups */
    uint64_t backup_seq, acked_after_backup;
    sim_time first_ack_after_backup;
};

struct database {
    struct sim_component base;
    int nreplicas, workers;
    int64_t queue_limit; /* per server; -1: unbounded */
    struct sim_dist *service_time, *lag;
    struct sim_dist *service_time_by_op[2]; /* read, write; NULL: service_time */
    enum replication replication;
    int acks;
    enum read_from read_from;
    bool random_replica, read_your_writes;
    struct server *servers; /* shard s: [s (1 + R)] its nodes 0..R (node 0 the first primary) */
    /* failover and backups */
    struct sim_failover failover; /* the heartbeat monitors, the takeover, the endpoint */
    bool fencing, backup;
    sim_time backup_interval;
    struct sim_dist *restore;
    int backup_col;  /* the records' column of the latest backup */
    /* sharding */
    int nshards;
    struct sim_placement placement;
    struct shard *shards;
    struct sim_component *directory;
    bool scatter[SIM_MAX_OPS]; /* operations sent to every shard */
    bool any_scatter;
    /* connection pool */
    struct sim_connpool conns;

    struct sim_versions vers; /* per key: [acked, node 0..., the backup's] */

    struct sim_pool jobs, writes, shipments;
    struct sim_rng *service_rng, *lag_rng, *route_rng;
    struct sim_rng *backup_rng;

    /* measurement */
    struct sim_store_figures fig;
    uint64_t redirects;
    uint64_t directory_lookups;
    struct sim_hist all_lag, scatter_latency;
    /* over the whole run, warm-up included, as faults are */
    uint64_t restores, backups, lost_writes, split_brain_writes;
};

/* ---- per-key records ---- */

static uint32_t *rec(struct database *d, uint32_t i)
{
    return sim_versions_row(&d->vers, i);
}
#define ACKED 0
/* The version node 0..R of the key's shard holds. */
#define COL(node) (1 + (node))

/* ---- the connection pool and answers ---- */


static struct job *job_of(struct sim_conn *c)
{
    return SIM_CONTAINER(c, struct job, conn);
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

static struct server *server_of(struct database *d, int shard, int node)
{
    return &d->servers[shard * (1 + d->nreplicas) + node];
}

static void answer(struct database *d, struct job *j, enum sim_status status)
{
    struct sim_component *self = &d->base;
    sim_server_leave(&j->sj, false);
    if (d->nshards > 1 && status == SIM_OK && !j->scatter && sim_measuring(self))
        sim_hist_record(&d->shards[j->shard].latency, sim_now(self) - j->at_shard);
    if (j->parent) {
        part_done(d, j, status);
        return;
    }
    sim_store_answered(&d->fig, j->in->op, status, sim_now(self) - j->arrived);
    sim_connpool_release(&d->conns, &j->conn);
    sim_respond(j->in, status);
    sim_pool_put(&d->jobs, j);
}

/* The engine answered the call itself (an error fault on the server picked for it). */
static void taken(struct database *d, struct job *j)
{
    if (sim_measuring(&d->base)) d->fig.errors[SIM_FAILED]++;
    sim_connpool_release(&d->conns, &j->conn);
    sim_pool_put(&d->jobs, j);
}

/* The pool refused the call, or it waited longer than the pool's timeout. */
static void pool_expired(struct sim_component *self, struct sim_conn *c)
{
    answer((struct database *)self, job_of(c), SIM_REJECTED);
}

/* ---- primary mode: shards and servers ---- */

/* A server's instance number (fault targets, callers naming one): s (1 + R) + node. */
static int instance_of(const struct database *d, int shard, int node)
{
    return shard * (1 + d->nreplicas) + node;
}

/* Names for the story: a server as faults name it ("db.1"), and " of shard S" when sharded.
 * Returned by value: the text lives until the end of the full expression. */
struct name {
    char s[96];
};

static struct name server_name(const struct database *d, int shard, int node)
{
    struct name n;
    snprintf(n.s, sizeof n.s, "%s.%d", d->base.name, instance_of(d, shard, node));
    return n;
}

static struct name of_shard(const struct database *d, int shard)
{
    struct name n = {""};
    if (d->nshards > 1) snprintf(n.s, sizeof n.s, " of shard %d", shard);
    return n;
}

/* The shard that owns key (a directory's table holds the same placement as hash). */
static int shard_of(const struct database *d, uint64_t key)
{
    return sim_placement_of(&d->placement, key);
}

/* Crashed (the node as a whole, or this server unless a backup replaced it). */
static bool server_down(struct database *d, int shard, int node)
{
    struct sim_component *self = &d->base;
    if (sim_fault_down(self, -1)) return true;
    return !server_of(d, shard, node)->replaced && sim_fault_down(self, instance_of(d, shard, node));
}

static bool server_hung(struct database *d, int shard, int node)
{
    struct sim_component *self = &d->base;
    if (sim_fault_hung(self, -1)) return true;
    return !server_of(d, shard, node)->replaced && sim_fault_hung(self, instance_of(d, shard, node));
}

/* The primary answers a heartbeat (and ships its log): neither crashed nor hung. */
static bool answers(struct database *d, int shard, int node)
{
    return !server_down(d, shard, node) && !server_hung(d, shard, node);
}

/* The job's service is over: its worker takes the next waiter unless the server hangs. */
static void served(struct database *d, struct job *j)
{
    sim_server_leave(&j->sj, server_hung(d, j->shard, j->node));
}

/* ---- primary mode: the log and the replication streams ---- */

static void log_append(struct shard *sh, struct write *w)
{
    w->prev = sh->log_tail;
    w->next = NULL;
    if (sh->log_tail) sh->log_tail->next = w;
    else sh->log_head = w;
    sh->log_tail = w;
}

static void log_remove(struct shard *sh, struct write *w)
{
    if (w->prev) w->prev->next = w->next;
    else sh->log_head = w->next;
    if (w->next) w->next->prev = w->prev;
    else sh->log_tail = w->prev;
}

/* Acknowledges write w: the key's acked version moves up, and every node of the shard but
 * the primary that has not applied it now holds one more unreplicated write. */
static void acknowledge(struct database *d, struct write *w)
{
    sim_time now = sim_now(&d->base);
    uint32_t *r = rec(d, w->rec);
    if (w->version > r[ACKED]) r[ACKED] = w->version;
    w->acked = true;
    w->acked_at = now;
    if (sim_measuring(&d->base)) d->fig.acked++;
    struct shard *sh = &d->shards[w->shard];
    for (int k = 0; k <= d->nreplicas; k++) {
        struct server *x = server_of(d, w->shard, k);
        if (k != sh->primary && x->applied_seq < w->seq) sim_level_add(&x->unreplicated, now, 1);
    }
    if (w->seq > sh->backup_seq && !sh->acked_after_backup++)
        sh->first_ack_after_backup = now;
    struct job *j = w->job;
    w->job = NULL;
    answer(d, j, SIM_OK);
}

static void write_done_if_finished(struct database *d, struct write *w)
{
    if (!(w->acked || w->orphan) || w->in_flight) return;
    log_remove(&d->shards[w->shard], w);
    sim_pool_put(&d->writes, w);
}

/* The stream into (shard, node) flows: its primary ships and it applies. */
static bool flowing(struct database *d, int shard, int node)
{
    int p = d->shards[shard].primary;
    struct server *ps = server_of(d, shard, p), *x = server_of(d, shard, node);
    return node != p && answers(d, shard, p) && !ps->paused && answers(d, shard, node) &&
           !x->paused && !x->disk_full;
}

/* Whether write w has the applies it waits for. sync: every replica up now has applied it,
 * so one back from a crash counts once it caught up, never in place of one that stayed up;
 * semi_sync: `needed` applies, from any replicas. */
static bool replicas_have(struct database *d, const struct write *w)
{
    if (d->replication != REPL_SYNC) return w->applies >= w->needed;
    int p = d->shards[w->shard].primary;
    for (int k = 0; k <= d->nreplicas; k++)
        if (k != p && !server_down(d, w->shard, k) &&
            server_of(d, w->shard, k)->applied_seq < w->seq)
            return false;
    return true;
}

static struct shipment *shipment_of(struct sim_stream_item *it)
{
    return (struct shipment *)((char *)it - offsetof(struct shipment, item));
}

/* A shipment lands on its node: the node now holds the write, and the write may be
 * acknowledged (sync, semi_sync). */
static void apply_shipment(struct sim_component *self, struct sim_stream *in,
                           struct sim_stream_item *it)
{
    struct database *d = (struct database *)self;
    struct shipment *s = shipment_of(it);
    int idx = (int)((struct server *)((char *)in - offsetof(struct server, in)) - d->servers),
        shard = idx / (1 + d->nreplicas), node = idx % (1 + d->nreplicas);
    sim_time now = sim_now(self);
    uint32_t *r = rec(d, s->rec);
    if (s->version > r[COL(node)]) r[COL(node)] = s->version;
    struct write *w = s->w;
    sim_pool_put(&d->shipments, s);
    struct server *x = server_of(d, shard, node);
    SIM_ASSERT(&d->base, w->seq > x->applied_seq);
    x->applied_seq = w->seq;
    w->in_flight--;
    w->applies++;
    if (!w->orphan) {
        sim_time lag = w->acked ? now - w->acked_at : 0;
        if (w->acked) sim_level_add(&x->unreplicated, now, -1);
        if (sim_measuring(&d->base)) {
            sim_hist_record(&x->lag, lag);
            sim_hist_record(&d->all_lag, lag);
        }
        if (!w->acked && replicas_have(d, w)) acknowledge(d, w);
    }
    write_done_if_finished(d, w);
}

/* After a fault changed: stopped streams hold their shipments, flowing ones apply what is
 * due (a replica back catches up at once) and wait for the next. */
static void refresh_streams(struct database *d)
{
    for (int s = 0; s < d->nshards; s++)
        for (int k = 0; k <= d->nreplicas; k++) sim_stream_flow(&server_of(d, s, k)->in, flowing(d, s, k));
}

/* Puts write w on the stream of (its shard, node), to apply at `at`. */
static void stream(struct database *d, struct write *w, int node, sim_time at)
{
    struct shipment *s = sim_pool_get(&d->shipments);
    *s = (struct shipment){.w = w, .rec = w->rec, .version = w->version, .replica = node};
    w->in_flight++;
    sim_stream_push(&server_of(d, w->shard, node)->in, &s->item, at, flowing(d, w->shard, node));
}

/* The primary applied a write: it gets the key's next version and the log's next place,
 * and goes onto every other node's stream, each applying in log order after a drawn lag.
 * sync waits for every node that is up (a crashed replica leaves the synchronous set),
 * semi_sync for `acks` of them (fewer when fewer are up). */
static void primary_write(struct database *d, struct job *j)
{
    sim_time now = sim_now(&d->base);
    struct shard *sh = &d->shards[j->shard];
    uint32_t r = sim_versions_record(&d->vers, j->in->key);
    uint32_t version = ++rec(d, r)[COL(sh->primary)];
    server_of(d, j->shard, sh->primary)->applied_seq = ++sh->seq;
    struct write *w = sim_pool_get(&d->writes);
    *w = (struct write){.job = j, .rec = r, .version = version, .seq = sh->seq, .shard = j->shard};
    log_append(sh, w);
    int up = 0;
    for (int k = 0; k <= d->nreplicas; k++) {
        if (k == sh->primary) continue;
        sim_time at = now + sim_dist_draw_time(d->lag, d->lag_rng);
        stream(d, w, k, sim_stream_order(&server_of(d, j->shard, k)->in, at));
        up += !server_down(d, j->shard, k);
    }
    w->needed = d->replication == REPL_SYNC ? up
                : d->replication == REPL_SEMI_SYNC ? (d->acks < up ? d->acks : up) : 0;
    if (!w->needed) acknowledge(d, w);
    write_done_if_finished(d, w);
}

/* A split-brain write ends on the deposed primary: acknowledged while the split lasts, to
 * be lost when it ends; refused once it is over. */
static void split_write_done(struct database *d, struct job *j)
{
    struct shard *sh = &d->shards[j->shard];
    if (!sh->split) {
        answer(d, j, SIM_REJECTED);
        return;
    }
    if (!sh->split_writes++) sh->split_oldest = sim_now(&d->base);
    answer(d, j, SIM_OK);
}

static void service_done(struct sim_component *self, void *arg)
{
    struct database *d = (struct database *)self;
    struct job *j = arg;
    j->work = NULL;
    struct server *s = server_of(d, j->shard, j->node);
    if (j->in->op == SIM_OP_WRITE) {
        served(d, j);
        if (j->split) {
            split_write_done(d, j);
            return;
        }
        SIM_ASSERT(self, j->node == d->shards[j->shard].primary);
        primary_write(d, j);
        return;
    }
    /* A read returns the version its node holds as it answers. */
    uint32_t version = 0;
    if (j->rec) version = rec(d, j->rec - 1)[COL(j->node)];
    if (sim_measuring(self)) s->reads++;
    sim_store_read(&d->fig, version, j->snapshot);
    served(d, j);
    answer(d, j, SIM_OK);
}

/* A worker of the job's server takes it: its service time, stretched by slow faults. */
static void begin_service(struct sim_component *self, struct sim_job *sj)
{
    struct database *d = (struct database *)self;
    struct job *j = SIM_CONTAINER(sj, struct job, sj);
    struct server *s = server_of(d, j->shard, j->node);
    int op = j->in->op == SIM_OP_WRITE ? 1 : 0;
    const struct sim_dist *dist = d->service_time_by_op[op] ? d->service_time_by_op[op]
                                                            : d->service_time;
    sim_time t = sim_dist_draw_time(dist, d->service_rng);
    t = sim_fault_slowed(&d->base, s->replaced ? -1 : instance_of(d, j->shard, j->node), t);
    j->work = sim_schedule(&d->base, t, service_done, j);
}

static int64_t load_of(const struct server *s)
{
    return sim_server_load(&s->srv);
}

/* ---- primary mode: routing ---- */

/* The node of its shard a read goes to, or -1 for the primary's endpoint. Crashed replicas are routed around; with none up, reads go to the primary.
 * read_your_writes sends a read to the primary instead when its replica has not applied
 * the key's latest acknowledged write. */
static int route_read(struct database *d, struct job *j)
{
    if (!d->nreplicas || d->read_from == FROM_PRIMARY) return -1;
    struct shard *sh = &d->shards[j->shard];
    struct server *srv = server_of(d, j->shard, 0);
    int p = sh->primary, node = -1, R = d->nreplicas;
    if (d->read_from == FROM_NEAREST) {
        for (int k = 0; k <= R; k++)
            if (k != p && !server_down(d, j->shard, k) &&
                (node < 0 || load_of(&srv[k]) < load_of(&srv[node])))
                node = k;
        if (node >= 0 && load_of(&srv[p]) < load_of(&srv[node])) node = -1;
    } else if (d->random_replica) {
        int up = 0;
        for (int k = 0; k <= R; k++) up += k != p && !server_down(d, j->shard, k);
        if (up) {
            int pick = (int)sim_uniform_int(d->route_rng, (uint64_t)up);
            for (int k = 0; k <= R && node < 0; k++)
                if (k != p && !server_down(d, j->shard, k) && !pick--) node = k;
        }
    } else {
        for (int tries = 0; tries <= R && node < 0; tries++) {
            int k = sh->next_node;
            sh->next_node = (k + 1) % (R + 1);
            if (k != p && !server_down(d, j->shard, k)) node = k;
        }
    }
    if (node >= 0 && d->read_your_writes && j->rec) {
        const uint32_t *r = rec(d, j->rec - 1);
        if (r[COL(node)] < r[ACKED]) {
            if (sim_measuring(&d->base)) d->redirects++;
            node = -1;
        }
    }
    return node;
}

/* The node behind the primary's endpoint for this call: after a promotion a caller keeps
 * the old endpoint until its cached copy expires, at a phase uniform over the TTL, so a
 * call `a` into it reaches the new primary with probability a / TTL. */
static int primary_endpoint(struct database *d, int shard)
{
    return sim_failover_endpoint(&d->failover, shard, d->shards[shard].primary);
}

/* The job goes to its server (j->node): refused by a crash, failed by an error fault,
 * held by a hang, queued when every worker is busy. */
static void dispatch(struct database *d, struct job *j)
{
    struct server *s = server_of(d, j->shard, j->node);
    int instance = instance_of(d, j->shard, j->node);
    bool write = j->in->op == SIM_OP_WRITE;
    if (server_down(d, j->shard, j->node)) {
        answer(d, j, SIM_UNAVAILABLE);
        return;
    }
    if (write && !j->split && s->disk_full) {
        answer(d, j, SIM_REJECTED);
        return;
    }
    bool hung = server_hung(d, j->shard, j->node);
    /* An error fault on the server; the engine met a server the caller named itself.
     * (Scatter parts share their call, which the engine would answer: they are exempt.) */
    if (!hung && !s->replaced && !j->parent && instance != j->in->instance &&
        sim_fault_takes(&d->base, j->in, instance)) {
        taken(d, j);
        return;
    }
    if (sim_server_arrive(&s->srv, &j->sj, hung) == SIM_SERVER_FULL) answer(d, j, SIM_REJECTED);
}

/* The job reached its shard (j->shard): to the node its operation goes to. A call for the
 * primary on the old endpoint after a promotion meets the deposed primary: refused while it
 * is down, held while it hangs; once it is back a read is served there, and a write is
 * refused as read-only (fencing) or taken, to be lost, in a split brain (no fencing). */
static void primary_admit(struct database *d, struct job *j)
{
    j->at_shard = sim_now(&d->base);
    if (sim_measuring(&d->base)) d->shards[j->shard].calls++;
    bool write = j->in->op == SIM_OP_WRITE;
    int node = write ? -1 : route_read(d, j);
    if (node < 0) {
        struct shard *sh = &d->shards[j->shard];
        node = primary_endpoint(d, j->shard);
        if (write && node != sh->primary && answers(d, j->shard, node)) {
            if (!sh->split) {
                j->node = node;
                answer(d, j, SIM_REJECTED);
                return;
            }
            j->split = true;
        }
    }
    j->node = node;
    dispatch(d, j);
}

/* ---- primary mode: faults on servers ---- */

/* A crash, or the restart that ends a hang, loses the server's work: every job on it,
 * queued or in service, is answered with status (the connection reset). */
static void drop_server(struct database *d, int shard, int node, enum sim_status status)
{
    struct sim_job *list = sim_server_drop(&server_of(d, shard, node)->srv);
    uint64_t lost = 0;
    while (list) { /* answering may admit new jobs onto the server: they are not on list */
        struct job *j = SIM_CONTAINER(list, struct job, sj);
        list = list->next;
        sim_cancel(j->work);
        j->work = NULL;
        answer(d, j, status);
        lost++;
    }
    if (lost)
        sim_story(&d->base, "%s loses %llu calls in progress", server_name(d, shard, node).s,
                  (unsigned long long)lost);
}

/* A hang: nothing on the server moves until the restart. */
static void freeze_server(struct database *d, int shard, int node)
{
    for (struct sim_job *x = server_of(d, shard, node)->srv.live; x; x = x->next) {
        struct job *j = SIM_CONTAINER(x, struct job, sj);
        sim_cancel(j->work);
        j->work = NULL;
    }
}

/* The primary's connections reset: writes waiting for their acknowledgement are answered
 * with status and will never be acknowledged (they may still reach the replicas). */
static void orphan_writes(struct database *d, int shard, enum sim_status status)
{
    struct write *next;
    for (struct write *w = d->shards[shard].log_head; w; w = next) {
        next = w->next;
        if (w->acked || w->orphan) continue;
        w->orphan = true;
        struct job *j = w->job;
        w->job = NULL;
        answer(d, j, status);
        write_done_if_finished(d, w);
    }
}

/* A replica crashed: writes waiting for it wait only for the nodes still up. */
static void reconsider_acks(struct database *d, int shard)
{
    struct shard *sh = &d->shards[shard];
    struct write *next;
    for (struct write *w = sh->log_head; w; w = next) {
        next = w->next;
        if (w->acked || w->orphan) continue;
        int could = w->applies;
        for (int k = 0; k <= d->nreplicas; k++)
            could += k != sh->primary && !server_down(d, shard, k) &&
                     server_of(d, shard, k)->applied_seq < w->seq;
        if (w->needed > could) w->needed = could;
        if (replicas_have(d, w)) acknowledge(d, w);
        write_done_if_finished(d, w);
    }
}

/* Sets every node's unreplicated level to the acknowledged writes of the log it lacks. */
static void recount_unreplicated(struct database *d, int shard)
{
    struct shard *sh = &d->shards[shard];
    sim_time now = sim_now(&d->base);
    for (int k = 0; k <= d->nreplicas; k++) {
        struct server *x = server_of(d, shard, k);
        double lacks = 0;
        for (struct write *w = sh->log_head; w && k != sh->primary; w = w->next)
            lacks += w->acked && w->seq > x->applied_seq;
        sim_level_add(&x->unreplicated, now, lacks - x->unreplicated.level);
    }
}

/* The shard's history goes back to log position `at`, the state of column `from` (the
 * promoted node's, or the backup's): writes after it are discarded from the log and every
 * stream, and every node that held more is set to that state. */
static bool after_fork(struct sim_component *self, struct sim_stream_item *it, void *arg)
{
    struct shipment *s = shipment_of(it);
    if (s->w->seq <= *(const uint64_t *)arg) return false;
    s->w->in_flight--;
    sim_pool_put(&((struct database *)self)->shipments, s);
    return true;
}

static void fork_history(struct database *d, int shard, uint64_t at, int from)
{
    struct shard *sh = &d->shards[shard];
    for (int k = 0; k <= d->nreplicas; k++) /* stopped: refresh_streams restarts them */
        sim_stream_drop(&server_of(d, shard, k)->in, after_fork, &at);
    while (sh->log_tail && sh->log_tail->seq > at) {
        struct write *w = sh->log_tail;
        SIM_ASSERT(&d->base, w->in_flight == 0);
        log_remove(sh, w);
        if (w->acked && w->seq > sh->backup_seq) sh->acked_after_backup--;
        if (w->job) answer(d, w->job, SIM_UNAVAILABLE);
        sim_pool_put(&d->writes, w);
    }
    bool ahead[MAX_REPLICAS + 1];
    for (int k = 0; k <= d->nreplicas; k++) ahead[k] = server_of(d, shard, k)->applied_seq > at;
    uint64_t key;
    uint32_t i;
    for (size_t pos = 0; sim_versions_next(&d->vers, &pos, &key, &i);) {
        if (shard_of(d, key) != shard) continue;
        uint32_t *r = rec(d, i);
        uint32_t v = r[from];
        for (int k = 0; k <= d->nreplicas; k++)
            if (ahead[k]) r[COL(k)] = v;
        if (r[ACKED] > v) r[ACKED] = v;
    }
    for (int k = 0; k <= d->nreplicas; k++)
        if (ahead[k]) server_of(d, shard, k)->applied_seq = at;
    sh->seq = at;
}

/* Replica `node` becomes the shard's primary: the acknowledged writes it never received
 * are lost; every other node follows it; callers follow its endpoint within the TTL. */
static void promote(struct database *d, int shard, int node)
{
    struct sim_component *self = &d->base;
    struct shard *sh = &d->shards[shard];
    int old = sh->primary;
    uint64_t at = server_of(d, shard, node)->applied_seq, lost = 0, had = sh->seq;
    sim_time oldest = SIM_NEVER;
    orphan_writes(d, shard, SIM_UNAVAILABLE); /* their connections were to the old primary */
    for (struct write *w = sh->log_head; w; w = w->next)
        if (w->acked && w->seq > at) {
            lost++;
            if (w->acked_at < oldest) oldest = w->acked_at;
        }
    fork_history(d, shard, at, COL(node));
    sh->primary = node;
    sim_failover_reset(&d->failover, shard);
    sim_failover_moved(&d->failover, shard, old);
    sim_story(self, "promotes %s, the most up-to-date replica%s (log %llu of %llu): %llu "
                    "acknowledged writes it never received are lost",
              server_name(d, shard, node).s, of_shard(d, shard).s, (unsigned long long)at,
              (unsigned long long)had, (unsigned long long)lost);
    if (lost) {
        d->lost_writes += lost;
        sim_fault_lost_writes(self, instance_of(d, shard, old), lost, oldest);
    }
    recount_unreplicated(d, shard);
    refresh_streams(d);
    sim_failover_follow(&d->failover, shard);
}

/* The endpoint TTL ran out after a promotion: every caller is on the new primary. A split
 * brain ends: the deposed primary learns it was replaced, and the writes it took are lost. */
static void clients_follow(struct sim_component *self, int shard, int old)
{
    struct database *d = (struct database *)self;
    struct shard *sh = &d->shards[shard];
    sim_story(self, "every caller follows the new primary, %s", server_name(d, shard, sh->primary).s);
    sim_fault_restored(self, self, instance_of(d, shard, old));
    if (!sh->split) return;
    sh->split = false;
    uint64_t n = sh->split_writes;
    sh->split_writes = 0;
    if (!n) return;
    d->lost_writes += n;
    d->split_brain_writes += n;
    sim_story(self, "the split brain ends: %s rejoins as a replica, and the %llu writes it "
                    "acknowledged meanwhile are lost", server_name(d, shard, old).s,
              (unsigned long long)n);
    sim_fault_lost_writes(self, instance_of(d, shard, old), n, sh->split_oldest);
}

/* No replica could take over: the primary is rebuilt on a new machine from the latest
 * backup; every acknowledged write after the backup is lost. The endpoint stays. */
static void restore_backup(struct database *d, int shard)
{
    struct sim_component *self = &d->base;
    struct shard *sh = &d->shards[shard];
    int p = sh->primary, instance = instance_of(d, shard, p);
    uint64_t lost = sh->acked_after_backup, had = sh->seq;
    sim_time oldest = sh->first_ack_after_backup;
    orphan_writes(d, shard, SIM_UNAVAILABLE);
    drop_server(d, shard, p, SIM_UNAVAILABLE); /* the old machine's, if it hung */
    struct server *x = server_of(d, shard, p);
    x->replaced = sim_fault_down(self, instance) || sim_fault_hung(self, instance);
    fork_history(d, shard, sh->backup_seq, d->backup_col);
    sh->acked_after_backup = 0;
    sim_failover_reset(&d->failover, shard);
    d->restores++;
    sim_story(self, "restores the primary%s (%s) from the backup at log %llu of %llu: %llu "
                    "acknowledged writes since the backup are lost", of_shard(d, shard).s,
              server_name(d, shard, p).s,
              (unsigned long long)sh->backup_seq, (unsigned long long)had,
              (unsigned long long)lost);
    if (lost) {
        d->lost_writes += lost;
        sim_fault_lost_writes(self, instance, lost, oldest);
    }
    sim_fault_restored(self, self, instance);
    recount_unreplicated(d, shard);
    refresh_streams(d);
}

/* The replica that would be promoted: up, answering, with the most of the log applied
 * (ties: the lowest node); -1 when none. */
static int candidate(struct database *d, int shard)
{
    const struct shard *sh = &d->shards[shard];
    int best = -1;
    for (int k = 0; k <= d->nreplicas; k++)
        if (k != sh->primary && answers(d, shard, k) &&
            (best < 0 || server_of(d, shard, k)->applied_seq > server_of(d, shard, best)->applied_seq))
            best = k;
    return best;
}

/* The primary was declared dead: an election and promotion if a replica can take over,
 * else a restore from the latest backup, else nothing until the primary is back. */
static void plan_takeover(struct database *d, int shard)
{
    struct sim_component *self = &d->base;
    struct shard *sh = &d->shards[shard];
    if (d->failover.targets[shard].takeover) return;
    if (sim_fault_down(self, -1)) {
        sim_story(self, "the whole database is down: nothing can take over until it is back");
        return;
    }
    if (candidate(d, shard) >= 0) {
        sim_time t = sim_dist_draw_time(d->failover.promote, d->failover.rng);
        sh->restoring = false;
        sim_failover_plan(&d->failover, shard, t);
        sim_story(self, "elects and promotes a replica%s (%.3fs)", of_shard(d, shard).s,
                  (double)t / SIM_S);
    } else if (d->backup) {
        sim_time t = sim_dist_draw_time(d->restore, d->backup_rng);
        sh->restoring = true;
        sim_failover_plan(&d->failover, shard, t);
        sim_story(self, "no replica%s can take over: restores the latest backup (%.3fs)",
                  of_shard(d, shard).s, (double)t / SIM_S);
    } else {
        sim_story(self, "no replica%s can take over and there is no backup: waits for the "
                        "primary", of_shard(d, shard).s);
    }
}

/* The takeover fell due and the primary is still dead. */
static void take_over(struct sim_component *self, int shard)
{
    struct database *d = (struct database *)self;
    struct shard *sh = &d->shards[shard];
    if (sh->restoring) {
        restore_backup(d, shard);
        return;
    }
    int c = candidate(d, shard);
    if (c < 0) plan_takeover(d, shard); /* the replicas failed meanwhile */
    else promote(d, shard, c);
}

/* The heartbeat monitor's view of a shard: its primary. */
static bool primary_answers(struct sim_component *self, int shard)
{
    struct database *d = (struct database *)self;
    return answers(d, shard, d->shards[shard].primary);
}

static void declared_dead(struct sim_component *self, int shard)
{
    struct database *d = (struct database *)self;
    int p = d->shards[shard].primary;
    sim_story(self, "the primary (%s) missed %d heartbeats in a row: declared dead",
              server_name(d, shard, p).s, d->failover.missed);
    sim_fault_detected(self, self, instance_of(d, shard, p));
    plan_takeover(d, shard);
}

static void primary_back(struct sim_component *self, int shard, bool called_off)
{
    struct database *d = (struct database *)self;
    sim_story(self, called_off ? "the primary (%s) answers again: the failover is called off"
                               : "the primary (%s) answers again",
              server_name(d, shard, d->shards[shard].primary).s);
}

static const struct sim_failover_ops failover_ops = {
    .answers = primary_answers,
    .dead = declared_dead,
    .back = primary_back,
    .take_over = take_over,
    .followed = clients_follow,
};

/* Every shard whose primary answers is backed up at once: its primary's version of each
 * key, and its log position. */
static sim_time backup_tick(struct sim_component *self, void *arg)
{
    (void)arg;
    struct database *d = (struct database *)self;
    bool ok[MAX_SHARDS];
    for (int s = 0; s < d->nshards; s++) {
        struct shard *sh = &d->shards[s];
        ok[s] = answers(d, s, sh->primary);
        if (!ok[s]) {
            sim_story(self, "no backup%s: the primary is down", of_shard(d, s).s);
            continue;
        }
        sh->backup_seq = sh->seq;
        sh->acked_after_backup = 0;
        d->backups++;
    }
    uint64_t key;
    uint32_t i;
    for (size_t pos = 0; sim_versions_next(&d->vers, &pos, &key, &i);) {
        int s = shard_of(d, key);
        if (!ok[s]) continue;
        uint32_t *r = rec(d, i);
        r[d->backup_col] = r[COL(d->shards[s].primary)];
    }
    return d->backup_interval;
}

/* A server is up again (its faults of one kind ended): a deposed primary rejoins as a
 * replica (or, without fencing, takes writes until its callers move on); a replica back
 * may be promoted where no one could be. */
static void server_back(struct database *d, int shard, int node)
{
    struct sim_component *self = &d->base;
    struct shard *sh = &d->shards[shard];
    if (!answers(d, shard, node)) return;
    if (node == sh->primary) {
        sim_story(self, "%s is back as the primary", server_name(d, shard, node).s);
    } else if (node == sim_failover_old_endpoint(&d->failover, shard) && !d->fencing) {
        sh->split = true;
        sim_story(self, "the deposed primary (%s) is back and, without fencing, takes the writes "
                        "of callers still on the old endpoint: a split brain",
                  server_name(d, shard, node).s);
    } else {
        sim_story(self, "%s is back as a replica of %s", server_name(d, shard, node).s,
                  server_name(d, shard, sh->primary).s);
    }
    const struct sim_failover_target *t = d->failover.on ? &d->failover.targets[shard] : NULL;
    if (t && t->declared && !t->takeover && node != sh->primary) plan_takeover(d, shard);
}

static void server_fault(struct database *d, int shard, int node, const struct sim_fault *f,
                         bool begins)
{
    struct sim_component *self = &d->base;
    struct server *x = server_of(d, shard, node);
    const struct shard *sh = &d->shards[shard];
    int step = begins ? 1 : -1;
    bool own = f->instance >= 0; /* this server's fault, not the node's */
    switch (f->kind) {
    case SIM_FAULT_CRASH:
        if (begins) {
            if (own) x->replaced = false;
            drop_server(d, shard, node, SIM_UNAVAILABLE);
            if (node == sh->primary) {
                orphan_writes(d, shard, SIM_UNAVAILABLE);
            } else {
                reconsider_acks(d, shard);
                if (own) sim_fault_detected(self, self, f->instance); /* routed around at once */
            }
        } else if (own && x->replaced) {
            x->replaced = false; /* the old machine is back: the new one carries on */
        } else {
            server_back(d, shard, node);
        }
        break;
    case SIM_FAULT_HANG:
        if (begins) {
            freeze_server(d, shard, node);
        } else if (own && x->replaced) {
            x->replaced = false;
        } else if (!server_hung(d, shard, node)) { /* the restart */
            drop_server(d, shard, node, SIM_FAILED);
            if (node == sh->primary) orphan_writes(d, shard, SIM_FAILED);
            server_back(d, shard, node);
        }
        break;
    case SIM_FAULT_DISK_FULL: x->disk_full += step; break;
    case SIM_FAULT_REPLICATION_PAUSED: x->paused += step; break;
    default: break; /* slow: service times; error: at dispatch */
    }
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
static void pool_admitted(struct sim_component *self, struct sim_conn *c)
{
    route((struct database *)self, job_of(c));
}

static void receive(struct sim_component *self, struct sim_call *call)
{
    struct database *d = (struct database *)self;
    sim_time now = sim_now(self);
    struct job *j = sim_pool_get(&d->jobs);
    *j = (struct job){.in = call, .arrived = now};
    call->callee_data = j;
    j->rec = sim_store_arrive(&d->fig, &d->vers, call, ACKED, &j->snapshot);
    sim_connpool_enter(&d->conns, &j->conn, now);
}


/* ---- configuration ---- */

/* key is refused unless cond holds; what names the setting it needs. */
static void only_with(struct sim_cfg *cfg, const char *key, bool cond, const char *what)
{
    if (!cond && sim_cfg_has(cfg, key)) sim_cfg_error(cfg, key, "only with %s", what);
}

static void configure_shards(struct database *d, struct sim_cfg *cfg);

/* "failover" (the heartbeat monitor, the promotion, the endpoint) and "backup". */
static void configure_recovery(struct database *d, struct sim_cfg *cfg)
{
    struct sim_cfg *f = sim_failover_configure(&d->failover, cfg, "failover");
    if (f) {
        d->fencing = sim_cfg_bool(f, "fencing", true);
        sim_cfg_end(f);
    }
    struct sim_cfg *b = sim_cfg_object(cfg, "backup", false);
    if (b) {
        d->backup = true;
        d->backup_interval = sim_cfg_duration(b, "interval", SIM_REQUIRED, SIM_MS, SIM_MAX_DURATION);
        d->restore = sim_cfg_dist(b, "restore", SIM_QTY_DURATION, NULL);
        sim_cfg_end(b);
        if (!f && !sim_cfg_failed(cfg))
            sim_cfg_error(cfg, "backup", "a restore begins when the heartbeat monitor declares the "
                                         "primary dead: add \"failover\"");
    }
}

static void configure_primary(struct database *d, struct sim_cfg *cfg)
{
    /* "mode" chose between this and the leaderless store, now a model of its own. */
    static const char *const modes[] = {"primary", "quorum", NULL};
    if (sim_cfg_choice(cfg, "mode", 0, modes) == 1)
        sim_cfg_error(cfg, "mode", "the leaderless quorum store is a model of its own: write "
                                   "\"type\": \"quorum\" instead of \"type\": \"database\" with "
                                   "\"mode\": \"quorum\"");
    /* The leaderless store's fields, named for whoever meant one. */
    static const char *const quorum_only[] = {"n", "w", "r", "replica_latency", "propagation",
                                              "anti_entropy", "read_repair", NULL};
    for (int i = 0; quorum_only[i]; i++) only_with(cfg, quorum_only[i], false, "\"type\": \"quorum\"");
    d->nreplicas = (int)sim_cfg_int(cfg, "replicas", 0, 0, MAX_REPLICAS);
    sim_server_configure(cfg, 1, &d->workers, &d->queue_limit);
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
    configure_recovery(d, cfg);
    /* Its servers are instances only to name them in faults: it sits in one zone. */
    if (sim_cfg_has(cfg, "zones"))
        sim_cfg_error(cfg, "zones", "a database sits in one zone: give its \"zone\"");
    d->backup_col = d->backup ? 2 + d->nreplicas : -1;
}

/* "shards": the count, the placement strategy and its settings, and the scatter operations. */
static void configure_shards(struct database *d, struct sim_cfg *cfg)
{
    struct sim_cfg *sh = sim_cfg_object(cfg, "shards", false);
    d->nshards = 1;
    if (!sh) return;
    d->nshards = (int)sim_cfg_int(sh, "count", 1, 1, MAX_SHARDS);
    sim_placement_configure(&d->placement, sh, d->nshards);
    only_with(sh, "directory", d->placement.strategy == SIM_PLACE_DIRECTORY,
              "strategy \"directory\"");
    if (d->placement.strategy == SIM_PLACE_DIRECTORY) sim_cfg_peer(sh, "directory", &d->directory, true);
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
    sim_cfg_end(sh);
}

static void configure(struct sim_component *self, struct sim_cfg *cfg)
{
    struct database *d = (struct database *)self;
    configure_primary(d, cfg);
    sim_connpool_configure(&d->conns, cfg, "pool");
    if (sim_cfg_failed(cfg)) return;

    int nservers = d->nshards * (1 + d->nreplicas);
    d->servers = sim_alloc((size_t)nservers * sizeof *d->servers);
    for (int k = 0; k < nservers; k++) {
        struct server *s = &d->servers[k];
        sim_server_init(&s->srv, self, d->workers, d->queue_limit, &s->busy_level, &s->queued,
                        begin_service);
        sim_hist_init(&d->servers[k].lag);
        sim_stream_init(&d->servers[k].in, self, apply_shipment);
    }
    d->shards = sim_alloc((size_t)d->nshards * sizeof *d->shards);
    for (int i = 0; i < d->nshards; i++) {
        struct shard *sh = &d->shards[i];
        sim_hist_init(&sh->latency);
        sh->next_node = 1 % (1 + d->nreplicas);
    }
    sim_versions_init(&d->vers, self, 2 + (size_t)d->nreplicas + d->backup);
    sim_pool_init(&d->jobs, sizeof(struct job));
    sim_pool_init(&d->writes, sizeof(struct write));
    sim_pool_init(&d->shipments, sizeof(struct shipment));
    d->service_rng = sim_rng(self, "service");
    d->lag_rng = sim_rng(self, "lag");
    d->route_rng = sim_rng(self, "route");
    sim_failover_init(&d->failover, self, d->nshards, &failover_ops);
    if (d->backup) d->backup_rng = sim_rng(self, "backup");
    sim_store_figures_init(&d->fig, self);
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
    sim_connpool_start(&d->conns, self, pool_admitted, pool_expired);
    for (int k = 0; k < server_count(d); k++) {
        sim_level_init(&d->servers[k].busy_level, 0, 0);
        sim_level_init(&d->servers[k].queued, 0, 0);
        sim_level_init(&d->servers[k].unreplicated, 0, 0);
    }
    /* Each shard's monitor beats at its own random phase; backups start at one. */
    sim_failover_start(&d->failover);
    if (d->backup) {
        sim_every(self, (sim_time)(sim_uniform(d->backup_rng) * (double)d->backup_interval),
                  backup_tick, NULL);
    }
}

/* ---- statistics and report ---- */

static void clear_stats(struct sim_component *self)
{
    struct database *d = (struct database *)self;
    sim_time now = sim_now(self);
    sim_store_figures_clear(&d->fig);
    d->redirects = d->directory_lookups = 0;
    sim_hist_clear(&d->all_lag);
    sim_hist_clear(&d->scatter_latency);
    sim_connpool_clear_stats(&d->conns);
    for (int i = 0; d->shards && i < d->nshards; i++) {
        d->shards[i].calls = 0;
        sim_hist_clear(&d->shards[i].latency);
    }
    for (int k = 0; k < server_count(d); k++) {
        struct server *s = &d->servers[k];
        sim_level_restart(&s->busy_level, now);
        sim_level_restart(&s->queued, now);
        sim_level_restart(&s->unreplicated, now);
        sim_hist_clear(&s->lag);
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
    snprintf(path, sizeof path, "%s.", name);
    sim_server_report(&s->srv, rep, path, d->workers);
    if (!replica) return;
    snprintf(path, sizeof path, "%s.lag", name);
    sim_report_hist(rep, path, &s->lag);
    snprintf(path, sizeof path, "%s.unreplicated_writes.mean", name);
    sim_report(rep, path, sim_level_mean(&s->unreplicated, now), SIM_UNIT_NUMBER | SIM_LOWER_BETTER);
    snprintf(path, sizeof path, "%s.unreplicated_writes.max", name);
    sim_report(rep, path, s->unreplicated.max, SIM_UNIT_COUNT | SIM_LOWER_BETTER);
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
        sim_report(rep, path, queued, SIM_UNIT_NUMBER | SIM_LOWER_BETTER);
        snprintf(path, sizeof path, "shards.%d.latency", i);
        sim_report_hist(rep, path, &sh->latency);
        snprintf(path, sizeof path, "shards.%d.primary", i);
        report_server(d, rep, path, &srv[0], false);
        for (int k = 0; k < d->nreplicas; k++) {
            snprintf(path, sizeof path, "shards.%d.replicas.%d", i, k);
            report_server(d, rep, path, &srv[1 + k], true);
        }
    }
    sim_report(rep, "hot_shard_share", total ? (double)most / (double)total : 0, SIM_UNIT_RATIO | SIM_LOWER_BETTER);
}

/* Failover and backups, over the whole run (warm-up included, as faults are). */
static void report_recovery(struct database *d, struct sim_report *rep)
{
    sim_failover_report(&d->failover, rep);
    if (d->failover.on) {
        if (d->nshards == 1)
            sim_report(rep, "failover.primary", d->shards[0].primary, SIM_UNIT_NUMBER);
        if (!d->fencing)
            sim_report(rep, "failover.split_brain_writes", (double)d->split_brain_writes,
                       SIM_UNIT_COUNT | SIM_LOWER_BETTER);
    }
    if (d->backup) {
        sim_report(rep, "backup.backups", (double)d->backups, SIM_UNIT_COUNT);
        sim_report(rep, "backup.restores", (double)d->restores, SIM_UNIT_COUNT);
    }
    if (d->failover.on || d->backup)
        sim_report(rep, "lost_writes", (double)d->lost_writes, SIM_UNIT_COUNT | SIM_LOWER_BETTER);
}

static void report(struct sim_component *self, struct sim_report *rep)
{
    struct database *d = (struct database *)self;
    sim_store_figures_report(&d->fig, rep, d->vers.count);
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
    report_recovery(d, rep);
    sim_connpool_report(&d->conns, rep);
}

static void sample(struct sim_component *self, struct sim_sampler *smp)
{
    struct database *d = (struct database *)self;
    double unreplicated = 0;
    for (int k = 0; k < server_count(d); k++)
        if (k % (1 + d->nreplicas) != d->shards[k / (1 + d->nreplicas)].primary &&
            d->servers[k].unreplicated.level > unreplicated)
            unreplicated = d->servers[k].unreplicated.level;
    sim_sample(smp, "unreplicated_writes", unreplicated);
    sim_connpool_sample(&d->conns, smp);
}

/* Async replication with a constant lag L: a read from a
 * replica is stale when its key was written in the last L, per key 1 - exp(-lambda_k L),
 * and a replica trails by lambda L acknowledged writes on average (Little's law). */
static void theory(struct sim_component *self, struct sim_report *pred)
{
    struct database *d = (struct database *)self;
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
    sim_connpool_describe(&d->conns, b, sizeof b);
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
                     sim_placement_name(d->placement.strategy), d->any_scatter ? ", scatter" : "");
    }
    if (d->failover.on) {
        size_t len = strlen(buf);
        if (len < n) sim_failover_describe(&d->failover, buf + len, n - len);
        len = strlen(buf);
        if (len < n && !d->fencing) snprintf(buf + len, n - len, ", no fencing");
    }
    if (d->backup) {
        size_t len = strlen(buf);
        sim_dist_describe(d->restore, a, sizeof a);
        if (len < n)
            snprintf(buf + len, n - len, "; backup every %.3gs, restore %s",
                     (double)d->backup_interval / SIM_S, a);
    }
}

/* ---- faults ---- */

/* The fault hits one server (f->instance) or every server of the node. */
static void fault(struct sim_component *self, const struct sim_fault *f, bool begins)
{
    struct database *d = (struct database *)self;
    int per = 1 + d->nreplicas, lo = f->instance < 0 ? 0 : f->instance,
        hi = f->instance < 0 ? server_count(d) : f->instance + 1;
    for (int i = lo; i < hi; i++) server_fault(d, i / per, i % per, f, begins);
    refresh_streams(d);
}

static int instances(struct sim_component *self)
{
    struct database *d = (struct database *)self;
    int n = server_count(d);
    return n ? n : 1;
}

/* A decimal index at *p, advanced past it; -1 when there is none. */
static int read_index(const char **p)
{
    long v = 0;
    const char *s = *p;
    if (*s < '0' || *s > '9') return -1;
    while (*s >= '0' && *s <= '9' && v < 100000) v = v * 10 + (*s++ - '0');
    *p = s;
    return (int)v;
}

/* "primary" and "replica.N" (unsharded); "shard.S.primary" and "shard.S.replica.N". */
static int instance_named(struct sim_component *self, const char *name)
{
    struct database *d = (struct database *)self;
    int shard = 0;
    const char *p = name;
    if (!strncmp(p, "shard.", 6)) {
        p += 6;
        shard = read_index(&p);
        if (shard < 0 || shard >= d->nshards || *p++ != '.') return -1;
    } else if (d->nshards > 1) {
        return -1;
    }
    if (!strcmp(p, "primary")) return instance_of(d, shard, 0);
    if (strncmp(p, "replica.", 8)) return -1;
    p += 8;
    int k = read_index(&p);
    return k >= 0 && k < d->nreplicas && !*p ? instance_of(d, shard, 1 + k) : -1;
}

static void fini(struct sim_component *self)
{
    struct database *d = (struct database *)self;
    for (int k = 0; k < server_count(d); k++) sim_server_fini(&d->servers[k].srv);
    sim_free(d->servers);
    sim_free(d->shards);
    sim_placement_fini(&d->placement);
    sim_versions_fini(&d->vers);
    sim_pool_fini(&d->jobs);
    sim_pool_fini(&d->writes);
    sim_pool_fini(&d->shipments);
    sim_failover_fini(&d->failover);
}

const struct sim_model database_model = {
    .name = "database",
    .summary = "a primary and replicas (sync, semi_sync, async), sharded or not, over real keys "
               "and versions",
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
    .fault_instances = instances, /* servers are fault targets; callers never name one */
    .fini = fini,
    .instance_named = instance_named,
    .fault = fault,
    .fault_kinds = SIM_FAULT_BIT(SIM_FAULT_DISK_FULL) | SIM_FAULT_BIT(SIM_FAULT_REPLICATION_PAUSED) |
                   SIM_FAULT_BIT(SIM_FAULT_SLOW),
};
