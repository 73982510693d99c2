/* queue.c: a message broker holding one topic. A produce call appends a message to the
 * partition key % partitions and is answered (the broker's ack) after ack_time; a full
 * partition (or topic) rejects the produce or holds it until there is room. Each consumer
 * group reads every message; within a group a partition belongs to one consumer, which
 * takes batches in offset order and acknowledges a batch after processing it. Invariants:
 * per group and partition, acked <= next <= end, and [acked, next) is the batch in flight;
 * a message is retained until every group has acknowledged it, so a partition's retained
 * messages are exactly [base, end). Faults: the queue node is the broker; each consumer is
 * a fault instance (every group's consumers, numbered group after group). A group's
 * members share its partitions (partition p to member p % members); a member that stops
 * is dropped after the session timeout, and every change of members pauses the whole
 * group for a rebalance. A group's schedule changes its consumer count at given times (a
 * rebalance too): every consumer it ever has is allocated at configure, and consumers
 * 0..active-1 are in service. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

static const char *const on_full_names[] = {"reject", "block", NULL};
static const char *const scope_names[] = {"partition", "topic", NULL};

#define MAX_BATCH 1024
#define MAX_GROUPS 64

/* One retained message, stored inline in its partition's ring. */
struct msg {
    sim_time enqueued;
    uint64_t key, seq; /* seq: the topic-wide enqueue order */
    int32_t pending;   /* groups that have not acknowledged it */
    int32_t op;
};

/* A partition's log: offsets [base, end) are retained, at ring[offset & mask]. */
struct partition {
    struct msg *ring;
    uint64_t mask, base, end;
    struct sim_fifo blocked; /* produce calls waiting for room (on_full "block") */
};

/* A group's position in one partition. */
struct cursor {
    uint64_t acked, next;
    uint64_t last_done; /* seq of the last message processed here + 1, for the order check */
    uint64_t last_acked;
};

/* One consumer of a group; as the member in slot s of M it owns partitions s, s + M,
 * s + 2M... (without faults, slot = id and M = consumers). */
struct consumer {
    struct group *g;
    int id, rr;      /* rr: the partition index (among its own) served last */
    int slot;        /* its place among the group's members, -1 when it owns nothing */
    int part;        /* the partition of the batch in flight, -1 when idle */
    uint64_t pos;    /* the offset being processed */
    int attempt;
    uint8_t *outcome; /* per message of the batch: OUT_* */
    /* faults */
    bool member;     /* in the group (until its session times out) */
    bool revoked;    /* its batch was taken back: the step in progress ends it */
    int stopped;     /* crash and hang faults on it now */
    bool crashed;    /* a crash stopped it: it rejoins as a new member */
    double error_ratio; /* error faults on it now: the share of attempts failed */
    struct sim_event *session; /* its session timing out, while stopped */
};
enum { OUT_OK, OUT_DEAD_LETTER, OUT_DROPPED };

/* A change of a group's consumer count at a time (groups[i].schedule). */
struct consumer_step {
    struct group *g;
    sim_time at;
    int consumers;
};

struct group {
    char name[65];
    char column[80]; /* timeline column "lag.<name>" */
    int nconsumers;  /* allocated: the most it ever has (its schedule's included) */
    int active;      /* in service now: consumers 0..active-1 */
    int initial;     /* in service at the start */
    struct consumer_step *steps; /* the schedule, in time order */
    int nsteps;
    int batch_size;
    struct sim_dist *processing_time, *backoff;
    struct sim_component *to;
    double failure_probability, poison_ratio, crash_probability;
    int max_retries;
    bool dead_letter;
    struct cursor *cursors; /* per partition */
    struct consumer *consumers;
    struct sim_rng *work_rng, *fail_rng, *crash_rng, *backoff_rng, *fault_rng;
    int first;              /* the fault instance of its consumer 0 */
    sim_time rebalance, session_timeout;
    int *members, nmembers; /* consumer ids, by slot */
    bool paused;            /* a rebalance is on: no consumer takes a batch */
    sim_time paused_since;
    struct sim_event *resume;
    char members_column[80]; /* timeline column "consumers.<name>" */
    /* measurement */
    struct sim_level lag, busy, in_service;
    uint64_t consumed, dead_lettered, dropped, duplicates, retries, failures, crashes;
    uint64_t order_violations, rebalances;
    double paused_seconds;
    double age_sum, age_max;
    uint64_t age_samples;
    struct sim_hist latency;
};

struct queue {
    struct sim_component base;
    int npartitions;
    int64_t max_depth; /* -1: unbounded */
    bool topic_scope, block;
    struct sim_dist *ack_time;
    sim_time sample_interval;
    struct partition *parts;
    struct group *groups;
    int ngroups;
    uint64_t seq, depth; /* depth: retained messages in the topic */
    struct sim_fifo topic_blocked;
    struct sim_rng *ack_rng;
    bool durable;     /* a crash of the broker keeps the messages */
    int broker_down;  /* crash and hang faults on the broker now */
    int nconsumers;   /* every group's: the fault instances */
    /* measurement */
    struct sim_level depth_level, blocked_level;
    uint64_t arrivals, accepted, rejected, blocked;
    uint64_t lost; /* messages a crash of a non-durable broker lost (the whole run) */
};

static bool valid_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64) return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-'))
            return false;
    }
    return true;
}

static void read_group(struct queue *q, struct sim_cfg *c, struct group *g, int index)
{
    const char *name = sim_cfg_string(c, "name", NULL);
    if (name && !valid_name(name)) {
        sim_cfg_error(c, "name", "expected letters, digits, '_' or '-' (1 to 64), got \"%s\"", name);
        name = NULL;
    }
    for (int k = 0; name && k < index; k++)
        if (!strcmp(q->groups[k].name, name)) {
            sim_cfg_error(c, "name", "duplicate group name \"%s\"", name);
            name = NULL;
        }
    snprintf(g->name, sizeof g->name, "%s", name ? name : "?");
    snprintf(g->column, sizeof g->column, "lag.%s", g->name);
    snprintf(g->members_column, sizeof g->members_column, "consumers.%s", g->name);
    g->nconsumers = g->initial = (int)sim_cfg_int(c, "consumers", 1, 1, 100000);
    g->nsteps = sim_cfg_array(c, "schedule");
    g->steps = sim_alloc((size_t)(g->nsteps ? g->nsteps : 1) * sizeof *g->steps);
    for (int i = 0; i < g->nsteps; i++) {
        struct sim_cfg *s = sim_cfg_item(c, "schedule", i);
        if (!s) continue;
        struct consumer_step *st = &g->steps[i];
        st->g = g;
        st->at = sim_cfg_duration(s, "at", SIM_REQUIRED, 0, SIM_MAX_DURATION);
        st->consumers = (int)sim_cfg_int(s, "consumers", SIM_REQUIRED, 1, 100000);
        if (sim_cfg_failed(s)) continue;
        if (i > 0 && st->at <= g->steps[i - 1].at)
            sim_cfg_error(s, "at", "expected times in increasing order");
        else if (st->consumers > g->nconsumers)
            g->nconsumers = st->consumers;
    }
    g->active = g->initial;
    g->batch_size = (int)sim_cfg_int(c, "batch_size", 1, 1, MAX_BATCH);
    if (sim_cfg_has(c, "to")) sim_cfg_peer(c, "to", &g->to, false);
    g->processing_time = sim_cfg_dist(c, "processing_time", SIM_QTY_DURATION,
                                      sim_cfg_has(c, "to") ? "\"0s\"" : NULL);
    g->failure_probability = sim_cfg_number(c, "failure_probability", 0, 0, 1);
    g->poison_ratio = sim_cfg_number(c, "poison_ratio", 0, 0, 1);
    g->crash_probability = sim_cfg_number(c, "crash_probability", 0, 0, 0.99);
    struct sim_cfg *r = sim_cfg_object(c, "retries", false);
    if (r) {
        g->max_retries = (int)sim_cfg_int(r, "max", SIM_REQUIRED, 0, 100);
        g->backoff = sim_cfg_dist(r, "backoff", SIM_QTY_DURATION, "\"0s\"");
    } else {
        g->backoff = NULL;
    }
    g->dead_letter = sim_cfg_bool(c, "dead_letter", 1);
    g->session_timeout = sim_cfg_duration(c, "session_timeout", 10 * SIM_S, SIM_MS, 3600 * SIM_S);
    g->rebalance = sim_cfg_duration(c, "rebalance", 3 * SIM_S, 0, 3600 * SIM_S);
}

static void configure(struct sim_component *self, struct sim_cfg *cfg)
{
    struct queue *q = (struct queue *)self;
    q->npartitions = (int)sim_cfg_int(cfg, "partitions", 1, 1, 100000);
    q->max_depth = sim_cfg_int(cfg, "max_depth", -1, 1, INT32_MAX);
    bool bounded = sim_cfg_has(cfg, "max_depth");
    if (!bounded && sim_cfg_has(cfg, "on_full")) sim_cfg_error(cfg, "on_full", "only with max_depth");
    if (!bounded && sim_cfg_has(cfg, "depth_scope"))
        sim_cfg_error(cfg, "depth_scope", "only with max_depth");
    q->block = sim_cfg_choice(cfg, "on_full", 0, on_full_names) == 1;
    q->topic_scope = sim_cfg_choice(cfg, "depth_scope", 0, scope_names) == 1;
    q->ack_time = sim_cfg_dist(cfg, "ack_time", SIM_QTY_DURATION, "\"0s\"");
    q->durable = sim_cfg_bool(cfg, "durable", 1);
    q->sample_interval = sim_cfg_duration(cfg, "lag_sample_interval", 100 * SIM_MS, SIM_US,
                                          3600 * SIM_S);
    q->ngroups = sim_cfg_array(cfg, "groups");
    if (q->ngroups == 0 && !sim_cfg_failed(cfg))
        sim_cfg_error(cfg, "groups", "expected an array of 1 to %d consumer groups", MAX_GROUPS);
    if (q->ngroups > MAX_GROUPS) {
        sim_cfg_error(cfg, "groups", "at most %d consumer groups, got %d", MAX_GROUPS, q->ngroups);
        q->ngroups = 0;
    }
    q->groups = sim_alloc((size_t)(q->ngroups ? q->ngroups : 1) * sizeof *q->groups);
    for (int i = 0; i < q->ngroups; i++) {
        struct sim_cfg *c = sim_cfg_item(cfg, "groups", i);
        if (c) read_group(q, c, &q->groups[i], i);
    }
    if (sim_cfg_failed(cfg)) { /* nothing below is used: the run never starts */
        for (int i = 0; i < q->ngroups; i++) sim_free(q->groups[i].steps);
        q->ngroups = 0;
    }

    q->parts = sim_alloc((size_t)q->npartitions * sizeof *q->parts);
    for (int p = 0; p < q->npartitions; p++) {
        q->parts[p].ring = sim_alloc(16 * sizeof(struct msg));
        q->parts[p].mask = 15;
    }
    char purpose[96];
    for (int i = 0; i < q->ngroups; i++) {
        struct group *g = &q->groups[i];
        g->cursors = sim_alloc((size_t)q->npartitions * sizeof *g->cursors);
        g->consumers = sim_alloc((size_t)g->nconsumers * sizeof *g->consumers);
        g->members = sim_alloc((size_t)g->nconsumers * sizeof *g->members);
        g->nmembers = g->initial;
        g->first = q->nconsumers;
        q->nconsumers += g->nconsumers;
        for (int c = 0; c < g->nconsumers; c++) {
            struct consumer *k = &g->consumers[c];
            bool in = c < g->initial;
            *k = (struct consumer){.g = g, .id = c, .rr = -1, .slot = in ? c : -1, .part = -1,
                                   .member = in};
            k->outcome = sim_alloc((size_t)g->batch_size);
            if (in) g->members[c] = c;
        }
        snprintf(purpose, sizeof purpose, "%s/work", g->name);
        g->work_rng = sim_rng(self, purpose);
        snprintf(purpose, sizeof purpose, "%s/failures", g->name);
        g->fail_rng = sim_rng(self, purpose);
        snprintf(purpose, sizeof purpose, "%s/crashes", g->name);
        g->crash_rng = sim_rng(self, purpose);
        snprintf(purpose, sizeof purpose, "%s/backoff", g->name);
        g->backoff_rng = sim_rng(self, purpose);
        snprintf(purpose, sizeof purpose, "%s/faults", g->name);
        g->fault_rng = sim_rng(self, purpose);
        sim_hist_init(&g->latency);
    }
    q->ack_rng = sim_rng(self, "ack");
}

/* A key is poison for a group when its hash falls under the group's poison ratio: the
 * same keys every run, whatever the seed. */
static bool poison(const struct group *g, uint64_t key)
{
    if (!(g->poison_ratio > 0)) return false;
    double u = (double)(sim_hash64(key ^ 0x9e3779b97f4a7c15ULL) >> 11) * 0x1.0p-53;
    return u < g->poison_ratio;
}

static struct msg *at(struct partition *p, uint64_t offset)
{
    return &p->ring[offset & p->mask];
}

static void begin_batch(struct queue *q, struct consumer *k);
static void process(struct queue *q, struct consumer *k);

/* An idle consumer takes its next partition, round robin, that has messages to deliver;
 * not while it is stopped, its group rebalances or the broker is down. */
static void poll(struct queue *q, struct consumer *k)
{
    struct group *g = k->g;
    if (k->part >= 0 || k->slot < 0 || k->stopped || g->paused || q->broker_down) return;
    int owned = (q->npartitions - k->slot + g->nmembers - 1) / g->nmembers;
    for (int i = 1; i <= owned; i++) {
        int idx = (k->rr + i) % owned;
        if (idx < 0) idx += owned;
        int p = k->slot + idx * g->nmembers;
        struct cursor *cu = &g->cursors[p];
        if (cu->next < q->parts[p].end) {
            k->rr = idx;
            k->part = p;
            begin_batch(q, k);
            return;
        }
    }
}

static void begin_batch(struct queue *q, struct consumer *k)
{
    struct group *g = k->g;
    struct cursor *cu = &g->cursors[k->part];
    uint64_t avail = q->parts[k->part].end - cu->next;
    uint64_t n = avail < (uint64_t)g->batch_size ? avail : (uint64_t)g->batch_size;
    k->pos = cu->next;
    cu->next += n;
    k->attempt = 0;
    sim_level_add(&g->busy, sim_now(&q->base), 1);
    process(q, k);
}

static void finish_message(struct queue *q, struct consumer *k, bool ok);

/* Whether k's batch was taken back (a rebalance, a crash): then the step that just ended
 * ends the batch too, its work lost, and k takes a new one when it may. */
static bool revoked(struct queue *q, struct consumer *k)
{
    if (!k->revoked) return false;
    k->revoked = false;
    k->part = -1;
    sim_level_add(&k->g->busy, sim_now(&q->base), -1);
    poll(q, k);
    return true;
}

/* Whether an attempt succeeds: not poison, no transient failure, no error fault. */
static bool attempt_ok(const struct consumer *k, uint64_t key)
{
    const struct group *g = k->g;
    return !poison(g, key) &&
           !(g->failure_probability > 0 && sim_uniform(g->fail_rng) < g->failure_probability) &&
           !(k->error_ratio > 0 && sim_uniform(g->fault_rng) < k->error_ratio);
}

static void work_done(struct sim_component *self, void *arg)
{
    struct queue *q = (struct queue *)self;
    struct consumer *k = arg;
    struct group *g = k->g;
    if (revoked(q, k)) return;
    struct msg *m = at(&q->parts[k->part], k->pos);
    if (g->to) {
        struct sim_call *c = sim_call_new(self, g->to, NULL, m->op, m->key, SIM_NEVER);
        c->caller_data = k;
        c->attempt = k->attempt;
        sim_call_send(c);
        return;
    }
    finish_message(q, k, attempt_ok(k, m->key));
}

static void respond(struct sim_component *self, struct sim_call *call)
{
    struct queue *q = (struct queue *)self;
    struct consumer *k = call->caller_data;
    if (revoked(q, k)) return;
    bool ok = call->status == SIM_OK && attempt_ok(k, call->key);
    finish_message(q, k, ok);
}

static int instance_of(const struct consumer *k)
{
    return k->g->first + k->id;
}

/* Works on the message at k->pos (one attempt), under the consumer's slow faults. */
static void process(struct queue *q, struct consumer *k)
{
    struct group *g = k->g;
    sim_time t = sim_dist_draw_time(g->processing_time, g->work_rng);
    t = sim_fault_slowed(&q->base, instance_of(k), t);
    if (t == 0 && g->to) work_done(&q->base, k);
    else sim_schedule(&q->base, t, work_done, k);
}

static void retry_now(struct sim_component *self, void *arg)
{
    if (!revoked((struct queue *)self, arg)) process((struct queue *)self, arg);
}

static void ack_batch(struct queue *q, struct consumer *k);

static void finish_message(struct queue *q, struct consumer *k, bool ok)
{
    struct group *g = k->g;
    struct sim_component *self = &q->base;
    bool measuring = sim_measuring(self);
    struct cursor *cu = &g->cursors[k->part];
    struct msg *m = at(&q->parts[k->part], k->pos);
    uint64_t index = k->pos - cu->acked;
    if (!ok) {
        if (measuring) g->failures++;
        if (k->attempt < g->max_retries) {
            k->attempt++;
            if (measuring) g->retries++;
            sim_schedule(self, sim_dist_draw_time(g->backoff, g->backoff_rng), retry_now, k);
            return;
        }
        k->outcome[index] = g->dead_letter ? OUT_DEAD_LETTER : OUT_DROPPED;
    } else {
        k->outcome[index] = OUT_OK;
        /* Order per partition (hence per key): each message is processed after the one
         * before it, unless a crash sent the batch back. */
        if (m->seq + 1 <= cu->last_done) {
            if (measuring) g->order_violations++;
        } else {
            cu->last_done = m->seq + 1;
        }
    }
    k->pos++;
    k->attempt = 0;
    if (k->pos < cu->next) {
        process(q, k);
        return;
    }
    ack_batch(q, k);
}

static void enqueue(struct queue *q, struct sim_call *call);

/* Frees the messages of partition p that every group acknowledged, and lets blocked
 * producers in while there is room. */
static void release(struct queue *q, int p)
{
    struct partition *pt = &q->parts[p];
    sim_time now = sim_now(&q->base);
    while (pt->base < pt->end && at(pt, pt->base)->pending == 0) {
        pt->base++;
        q->depth--;
        sim_level_add(&q->depth_level, now, -1);
    }
    struct sim_fifo *wait = q->topic_scope ? &q->topic_blocked : &pt->blocked;
    while (wait->count) {
        uint64_t used = q->topic_scope ? q->depth : pt->end - pt->base;
        if ((int64_t)used >= q->max_depth) break;
        sim_level_add(&q->blocked_level, now, -1);
        enqueue(q, sim_fifo_pop(wait));
    }
}

static void ack_batch(struct queue *q, struct consumer *k)
{
    struct group *g = k->g;
    struct sim_component *self = &q->base;
    sim_time now = sim_now(self);
    bool measuring = sim_measuring(self);
    int p = k->part;
    struct cursor *cu = &g->cursors[p];
    struct partition *pt = &q->parts[p];
    uint64_t n = cu->next - cu->acked;
    if (g->crash_probability > 0 && sim_uniform(g->crash_rng) < g->crash_probability) {
        /* The consumer died before acknowledging: the whole batch is delivered again. */
        if (measuring) {
            g->crashes++;
            g->duplicates += n;
        }
        cu->next = cu->acked;
        cu->last_done = cu->last_acked;
    } else {
        for (uint64_t i = 0; i < n; i++) {
            struct msg *m = at(pt, cu->acked + i);
            if (measuring) {
                if (k->outcome[i] == OUT_OK) {
                    g->consumed++;
                    sim_hist_record(&g->latency, now - m->enqueued);
                } else if (k->outcome[i] == OUT_DEAD_LETTER) {
                    g->dead_lettered++;
                } else {
                    g->dropped++;
                }
            }
            cu->last_acked = m->seq + 1;
            m->pending--;
        }
        cu->acked = cu->next;
        sim_level_add(&g->lag, now, -(double)n);
    }
    sim_level_add(&g->busy, now, -1);
    k->part = -1;
    if (n && cu->acked == cu->next) release(q, p);
    poll(q, k);
}

static void answer_ack(struct sim_component *self, void *arg)
{
    (void)self;
    sim_respond(arg, SIM_OK);
}

/* Appends the produce call's message to its partition and acknowledges it. */
static void enqueue(struct queue *q, struct sim_call *call)
{
    struct sim_component *self = &q->base;
    sim_time now = sim_now(self);
    int p = (int)(call->key % (uint64_t)q->npartitions);
    struct partition *pt = &q->parts[p];
    if (pt->end - pt->base > pt->mask) {
        /* The ring is full: double it, keeping each offset's slot at offset & mask. */
        uint64_t cap = (pt->mask + 1) * 2;
        struct msg *ring = sim_alloc(cap * sizeof *ring);
        sim_memory_charge((cap / 2) * sizeof *ring);
        for (uint64_t o = pt->base; o < pt->end; o++) ring[o & (cap - 1)] = *at(pt, o);
        sim_free(pt->ring);
        pt->ring = ring;
        pt->mask = cap - 1;
    }
    *at(pt, pt->end) = (struct msg){.enqueued = now, .key = call->key, .seq = q->seq++,
                                    .pending = q->ngroups, .op = call->op};
    pt->end++;
    q->depth++;
    sim_level_add(&q->depth_level, now, 1);
    if (sim_measuring(self)) q->accepted++;
    for (int i = 0; i < q->ngroups; i++) {
        struct group *g = &q->groups[i];
        sim_level_add(&g->lag, now, 1);
        if (g->nmembers) poll(q, &g->consumers[g->members[p % g->nmembers]]);
    }
    bool zero = sim_dist_is_zero(q->ack_time);
    sim_time t = sim_fault_slowed(self, -1, zero ? 0 : sim_dist_draw_time(q->ack_time, q->ack_rng));
    if (zero && t == 0) sim_respond(call, SIM_OK);
    else sim_schedule(self, t, answer_ack, call);
}

static void receive(struct sim_component *self, struct sim_call *call)
{
    struct queue *q = (struct queue *)self;
    bool measuring = sim_measuring(self);
    if (measuring) q->arrivals++;
    if (q->max_depth >= 0) {
        struct partition *pt = &q->parts[call->key % (uint64_t)q->npartitions];
        struct sim_fifo *wait = q->topic_scope ? &q->topic_blocked : &pt->blocked;
        uint64_t used = q->topic_scope ? q->depth : pt->end - pt->base;
        if ((int64_t)used >= q->max_depth || wait->count) {
            if (!q->block) {
                if (measuring) q->rejected++;
                sim_respond(call, SIM_REJECTED);
                return;
            }
            if (measuring) q->blocked++;
            sim_fifo_push(wait, call);
            sim_level_add(&q->blocked_level, sim_now(self), 1);
            return;
        }
    }
    enqueue(q, call);
}

/* ---- faults ---- */

/* Takes k's batch back: it is delivered again from its first message (those already
 * processed count as duplicates), and k's step in progress ends it. */
static void revoke(struct queue *q, struct consumer *k)
{
    if (k->part < 0 || k->revoked) return;
    struct cursor *cu = &k->g->cursors[k->part];
    if (sim_measuring(&q->base)) k->g->duplicates += k->pos - cu->acked;
    cu->next = cu->acked;
    cu->last_done = cu->last_acked;
    k->revoked = true;
}

/* The rebalance is over: the members share the partitions again, and take batches. */
static void rebalance_end(struct sim_component *self, void *arg)
{
    struct queue *q = (struct queue *)self;
    struct group *g = arg;
    g->resume = NULL;
    g->paused = false;
    if (sim_measuring(self)) g->paused_seconds += sim_seconds(sim_now(self) - g->paused_since);
    g->nmembers = 0;
    for (int c = 0; c < g->nconsumers; c++) {
        struct consumer *k = &g->consumers[c];
        k->rr = -1;
        k->slot = k->member ? g->nmembers : -1;
        if (k->member) g->members[g->nmembers++] = c;
    }
    sim_story(self, "group %s resumes: %d of %d consumers share the %d partitions", g->name,
              g->nmembers, g->active, q->npartitions);
    if (g->nmembers && !q->broker_down)
        for (int c = 0; c < g->nconsumers; c++)
            if (!g->consumers[c].member) sim_fault_restored(self, self, instance_of(&g->consumers[c]));
    for (int i = 0; i < g->nmembers; i++) poll(q, &g->consumers[g->members[i]]);
}

/* The members changed: the whole group stops (every batch in flight taken back) and
 * resumes after `rebalance`; a change during a rebalance starts it over. */
static void rebalance(struct queue *q, struct group *g, const char *why)
{
    struct sim_component *self = &q->base;
    if (g->resume) {
        sim_cancel(g->resume);
    } else {
        g->paused = true;
        g->paused_since = sim_now(self);
        for (int c = 0; c < g->nconsumers; c++) revoke(q, &g->consumers[c]);
    }
    if (sim_measuring(self)) g->rebalances++;
    sim_story(self, "group %s rebalances (%s): every consumer pauses for %.3gs", g->name, why,
              sim_seconds(g->rebalance));
    g->resume = sim_schedule(self, g->rebalance, rebalance_end, g);
}

static void session_expired(struct sim_component *self, void *arg)
{
    struct queue *q = (struct queue *)self;
    struct consumer *k = arg;
    k->session = NULL;
    k->member = false;
    if (!q->broker_down) sim_fault_detected(self, self, instance_of(k));
    rebalance(q, k->g, "a consumer's session timed out");
}

/* A crash or a hang stops k: its batch goes back, and its partitions wait until the group
 * drops it after the session timeout. */
static void consumer_stops(struct queue *q, struct consumer *k, bool crash)
{
    k->crashed |= crash;
    if (k->stopped++) return;
    revoke(q, k);
    if (k->member)
        k->session = sim_schedule(&q->base, k->g->session_timeout, session_expired, k);
}

/* Back: a crashed consumer (or one the group dropped) joins as a new member, which
 * rebalances the group; a hung one still a member takes batches again; one the schedule
 * took out of service stays out. */
static void consumer_starts(struct queue *q, struct consumer *k)
{
    if (--k->stopped) return;
    if (k->session) {
        sim_cancel(k->session);
        k->session = NULL;
    }
    if (k->id >= k->g->active) { /* out of service by the schedule: nothing to rejoin */
        k->crashed = false;
        return;
    }
    bool join = !k->member || k->crashed;
    k->crashed = false;
    k->member = true;
    if (join) rebalance(q, k->g, "a consumer joined");
    else poll(q, k);
}

/* A scheduled change of the group's consumer count: consumers beyond the new count leave
 * the group, new ones join (one stopped by a fault joins when it is back), and the group
 * rebalances. */
static void apply_step(struct sim_component *self, void *arg)
{
    struct queue *q = (struct queue *)self;
    const struct consumer_step *st = arg;
    struct group *g = st->g;
    int from = g->active, to = st->consumers;
    if (to == from) return;
    g->active = to;
    sim_level_add(&g->in_service, sim_now(self), to - from);
    for (int c = to; c < from; c++) {
        struct consumer *k = &g->consumers[c];
        sim_cancel(k->session);
        k->session = NULL;
        k->member = false;
    }
    for (int c = from; c < to; c++) {
        struct consumer *k = &g->consumers[c];
        k->member = !k->stopped;
        k->crashed = false;
    }
    sim_story(self, "group %s: the schedule sets %d consumers (from %d)", g->name, to, from);
    rebalance(q, g, to > from ? "consumers added" : "consumers removed");
}

/* A non-durable broker's crash: every retained message is gone, acknowledged or not. */
static void lose_messages(struct queue *q)
{
    struct sim_component *self = &q->base;
    sim_time now = sim_now(self), oldest = SIM_NEVER;
    uint64_t lost = 0;
    for (int p = 0; p < q->npartitions; p++) {
        struct partition *pt = &q->parts[p];
        if (pt->end == pt->base) continue;
        if (at(pt, pt->base)->enqueued < oldest) oldest = at(pt, pt->base)->enqueued;
        lost += pt->end - pt->base;
        for (int i = 0; i < q->ngroups; i++) {
            struct group *g = &q->groups[i];
            struct cursor *cu = &g->cursors[p];
            sim_level_add(&g->lag, now, -(double)(pt->end - cu->acked));
            cu->acked = cu->next = pt->end;
            cu->last_done = cu->last_acked = q->seq; /* every later message is newer */
        }
        pt->base = pt->end;
    }
    q->depth -= lost;
    sim_level_add(&q->depth_level, now, -(double)lost);
    q->lost += lost;
    sim_story(self, "the broker was not durable: %llu retained messages are lost",
              (unsigned long long)lost);
    sim_fault_lost_writes(self, -1, lost, oldest);
}

/* Producers waiting for room (on_full "block") lose their connections to a crashed broker. */
static void refuse_blocked(struct queue *q, struct sim_fifo *wait)
{
    struct sim_call *call;
    while ((call = sim_fifo_pop(wait))) {
        sim_level_add(&q->blocked_level, sim_now(&q->base), -1);
        sim_respond(call, SIM_UNAVAILABLE);
    }
}

/* A crash or a hang of the broker (the engine refuses or holds produces): consumers can
 * neither fetch nor commit, so every batch in flight goes back and they idle. */
static void broker_stops(struct queue *q, bool crash)
{
    if (!q->broker_down++)
        for (int i = 0; i < q->ngroups; i++)
            for (int c = 0; c < q->groups[i].nconsumers; c++) revoke(q, &q->groups[i].consumers[c]);
    if (!crash) return;
    refuse_blocked(q, &q->topic_blocked);
    for (int p = 0; p < q->npartitions; p++) refuse_blocked(q, &q->parts[p].blocked);
    if (!q->durable) lose_messages(q);
}

static void broker_starts(struct queue *q)
{
    if (--q->broker_down) return;
    for (int i = 0; i < q->ngroups; i++) {
        struct group *g = &q->groups[i];
        for (int m = 0; m < g->nmembers; m++) poll(q, &g->consumers[g->members[m]]);
    }
}

static struct consumer *consumer_of(struct queue *q, int instance)
{
    for (int i = 0; i < q->ngroups; i++) {
        struct group *g = &q->groups[i];
        if (instance < g->first + g->nconsumers) return &g->consumers[instance - g->first];
    }
    SIM_ASSERT(&q->base, false);
    return NULL;
}

/* The broker (instance -1) takes crash and hang here, slow in its acks, error through the
 * engine (produces failed). A consumer takes all four. */
static void fault(struct sim_component *self, const struct sim_fault *f, bool begins)
{
    struct queue *q = (struct queue *)self;
    bool stops = f->kind == SIM_FAULT_CRASH || f->kind == SIM_FAULT_HANG;
    if (f->instance < 0) {
        if (stops && begins) broker_stops(q, f->kind == SIM_FAULT_CRASH);
        else if (stops) broker_starts(q);
        return;
    }
    struct consumer *k = consumer_of(q, f->instance);
    if (f->kind == SIM_FAULT_ERROR) {
        k->error_ratio += begins ? f->ratio : -f->ratio;
        if (fabs(k->error_ratio) < 1e-12) k->error_ratio = 0;
    } else if (stops && begins) {
        consumer_stops(q, k, f->kind == SIM_FAULT_CRASH);
    } else if (stops) {
        consumer_starts(q, k);
    }
}

static int fault_instances(struct sim_component *self)
{
    return ((struct queue *)self)->nconsumers;
}

/* "<group>.N": consumer N of that group; "consumer.N": of the only group. */
static int instance_named(struct sim_component *self, const char *name)
{
    struct queue *q = (struct queue *)self;
    const char *dot = strrchr(name, '.');
    if (!dot || !dot[1]) return -1;
    char *end;
    long n = strtol(dot + 1, &end, 10);
    if (*end || n < 0) return -1;
    size_t len = (size_t)(dot - name);
    for (int i = 0; i < q->ngroups; i++) {
        struct group *g = &q->groups[i];
        bool named = strlen(g->name) == len && !strncmp(g->name, name, len);
        bool only = q->ngroups == 1 && len == 8 && !strncmp(name, "consumer", 8);
        if ((named || only) && n < g->nconsumers) return g->first + (int)n;
    }
    return -1;
}

/* The age of each group's oldest unacknowledged message, sampled. */
static sim_time sample_age(struct sim_component *self, void *arg)
{
    (void)arg;
    struct queue *q = (struct queue *)self;
    if (!sim_measuring(self)) return q->sample_interval;
    sim_time now = sim_now(self);
    for (int i = 0; i < q->ngroups; i++) {
        struct group *g = &q->groups[i];
        double age = 0;
        for (int p = 0; p < q->npartitions; p++) {
            struct partition *pt = &q->parts[p];
            uint64_t o = g->cursors[p].acked;
            if (o < pt->end) {
                double a = (double)(now - at(pt, o)->enqueued) / SIM_S;
                if (a > age) age = a;
            }
        }
        g->age_sum += age;
        g->age_samples++;
        if (age > g->age_max) g->age_max = age;
    }
    return q->sample_interval;
}

static void start(struct sim_component *self)
{
    struct queue *q = (struct queue *)self;
    sim_level_init(&q->depth_level, 0, 0);
    sim_level_init(&q->blocked_level, 0, 0);
    for (int i = 0; i < q->ngroups; i++) {
        struct group *g = &q->groups[i];
        sim_level_init(&g->lag, 0, 0);
        sim_level_init(&g->busy, 0, 0);
        sim_level_init(&g->in_service, 0, g->initial);
        for (int k = 0; k < g->nsteps; k++) sim_schedule(self, g->steps[k].at, apply_step, &g->steps[k]);
    }
    sim_every(self, q->sample_interval, sample_age, NULL);
}

static void clear_stats(struct sim_component *self)
{
    struct queue *q = (struct queue *)self;
    sim_time now = sim_now(self);
    sim_level_restart(&q->depth_level, now);
    sim_level_restart(&q->blocked_level, now);
    q->arrivals = q->accepted = q->rejected = q->blocked = 0;
    for (int i = 0; i < q->ngroups; i++) {
        struct group *g = &q->groups[i];
        sim_level_restart(&g->lag, now);
        sim_level_restart(&g->busy, now);
        sim_level_restart(&g->in_service, now);
        g->consumed = g->dead_lettered = g->dropped = g->duplicates = 0;
        g->retries = g->failures = g->crashes = g->order_violations = g->rebalances = 0;
        g->paused_seconds = 0;
        g->age_sum = g->age_max = 0;
        g->age_samples = 0;
        sim_hist_clear(&g->latency);
    }
}

static void report(struct sim_component *self, struct sim_report *rep)
{
    struct queue *q = (struct queue *)self;
    sim_time now = sim_now(self);
    double window = sim_window_seconds(self);
    sim_report(rep, "arrivals", (double)q->arrivals / window, SIM_UNIT_RATE);
    sim_report(rep, "produced", (double)q->accepted / window, SIM_UNIT_RATE);
    sim_report(rep, "rejected", (double)q->rejected, SIM_UNIT_COUNT | SIM_LOWER_BETTER);
    sim_report(rep, "blocked", (double)q->blocked, SIM_UNIT_COUNT | SIM_LOWER_BETTER);
    sim_report(rep, "blocked_producers.mean", sim_level_mean(&q->blocked_level, now),
               SIM_UNIT_NUMBER | SIM_LOWER_BETTER);
    sim_report(rep, "depth.mean", sim_level_mean(&q->depth_level, now), SIM_UNIT_NUMBER);
    sim_report(rep, "depth.max", q->depth_level.max, SIM_UNIT_COUNT);
    sim_report(rep, "lost", (double)q->lost, SIM_UNIT_COUNT | SIM_LOWER_BETTER);
    for (int i = 0; i < q->ngroups; i++) {
        struct group *g = &q->groups[i];
        char path[160];
#define GROUP_FIGURE(field, value, unit)                                                        \
    do {                                                                                        \
        snprintf(path, sizeof path, "groups.%s.%s", g->name, field);                            \
        sim_report(rep, path, value, unit);                                                     \
    } while (0)
        double lag = sim_level_mean(&g->lag, now);
        GROUP_FIGURE("consumed", (double)g->consumed / window, SIM_UNIT_RATE);
        GROUP_FIGURE("lag.mean", lag, SIM_UNIT_NUMBER | SIM_LOWER_BETTER);
        GROUP_FIGURE("lag.max", g->lag.max, SIM_UNIT_COUNT | SIM_LOWER_BETTER);
        GROUP_FIGURE("lag.per_partition", lag / q->npartitions, SIM_UNIT_NUMBER | SIM_LOWER_BETTER);
        GROUP_FIGURE("lag_seconds.mean", g->age_samples ? g->age_sum / (double)g->age_samples : 0,
                     SIM_UNIT_SECONDS | SIM_LOWER_BETTER);
        GROUP_FIGURE("lag_seconds.max", g->age_max, SIM_UNIT_SECONDS | SIM_LOWER_BETTER);
        GROUP_FIGURE("dead_lettered", (double)g->dead_lettered, SIM_UNIT_COUNT | SIM_LOWER_BETTER);
        GROUP_FIGURE("dropped", (double)g->dropped, SIM_UNIT_COUNT | SIM_LOWER_BETTER);
        GROUP_FIGURE("duplicates", (double)g->duplicates, SIM_UNIT_COUNT | SIM_LOWER_BETTER);
        GROUP_FIGURE("crashes", (double)g->crashes, SIM_UNIT_COUNT);
        GROUP_FIGURE("failures", (double)g->failures, SIM_UNIT_COUNT | SIM_LOWER_BETTER);
        GROUP_FIGURE("retries", (double)g->retries, SIM_UNIT_COUNT | SIM_LOWER_BETTER);
        GROUP_FIGURE("order_violations", (double)g->order_violations, SIM_UNIT_COUNT | SIM_LOWER_BETTER);
        double in_service = sim_level_mean(&g->in_service, now);
        GROUP_FIGURE("utilisation", in_service > 0 ? sim_level_mean(&g->busy, now) / in_service : 0,
                     SIM_UNIT_RATIO);
        if (g->nsteps) GROUP_FIGURE("consumers.mean", in_service, SIM_UNIT_NUMBER);
        GROUP_FIGURE("rebalances", (double)g->rebalances, SIM_UNIT_COUNT);
        GROUP_FIGURE("rebalance_pause", g->paused_seconds, SIM_UNIT_SECONDS | SIM_LOWER_BETTER);
#undef GROUP_FIGURE
        snprintf(path, sizeof path, "groups.%s.latency", g->name);
        sim_report_hist(rep, path, &g->latency);
    }
}

static void sample(struct sim_component *self, struct sim_sampler *smp)
{
    struct queue *q = (struct queue *)self;
    sim_sample(smp, "depth", (double)q->depth);
    for (int i = 0; i < q->ngroups; i++) {
        struct group *g = &q->groups[i];
        sim_sample(smp, g->column, g->lag.level);
        int taking = 0;
        for (int m = 0; m < g->nmembers && m < q->npartitions && !g->paused && !q->broker_down; m++)
            taking += !g->consumers[g->members[m]].stopped; /* members beyond partitions idle */
        sim_sample(smp, g->members_column, taking);
    }
}

static void describe(struct sim_component *self, char *buf, size_t n)
{
    struct queue *q = (struct queue *)self;
    char depth[64];
    if (q->max_depth < 0) snprintf(depth, sizeof depth, "unbounded");
    else snprintf(depth, sizeof depth, "max %lld per %s, %s when full", (long long)q->max_depth,
                  q->topic_scope ? "topic" : "partition", q->block ? "block" : "reject");
    int len = snprintf(buf, n, "%d partitions, depth %s", q->npartitions, depth);
    for (int i = 0; i < q->ngroups && len > 0 && (size_t)len < n; i++)
        len += snprintf(buf + len, n - (size_t)len, "%s%s (%d x batch %d%s%s%s)", i ? ", " : "; groups ",
                        q->groups[i].name, q->groups[i].initial, q->groups[i].batch_size,
                        q->groups[i].to ? " -> " : "", q->groups[i].to ? q->groups[i].to->name : "",
                        q->groups[i].nsteps ? ", scheduled" : "");
}

/* Per consumer, its partitions' arrivals form one M/G/1 queue: a consumer is busy whenever
 * one of its partitions has a message, and by the conservation law the mean wait does not
 * depend on the order it serves them in when all share one service distribution. */
static void theory(struct sim_component *self, struct sim_report *pred)
{
    struct queue *q = (struct queue *)self;
    double lambda = sim_simulated(pred, "produced");
    if (!(lambda > 0)) return;
    if (q->max_depth >= 0)
        sim_theory_note(pred, "a bounded topic holds messages back: the formulas assume no bound");
    for (int i = 0; i < q->ngroups; i++) {
        struct group *g = &q->groups[i];
        if (g->nsteps) {
            sim_theory_note(pred, "group %s: its consumer count changes on a schedule: no steady state",
                            g->name);
            continue;
        }
        if (g->to || g->batch_size != 1 || g->failure_probability > 0 || g->poison_ratio > 0 ||
            g->crash_probability > 0) {
            sim_theory_note(pred, "group %s: the formulas need batch_size 1, no \"to\", no failures "
                                  "and no crashes", g->name);
            continue;
        }
        double s = sim_dist_mean(g->processing_time), v = sim_dist_variance(g->processing_time);
        if (!isfinite(v)) continue;
        double lag = 0, util = 0;
        bool stable = true;
        for (int c = 0; c < g->nconsumers && c < q->npartitions; c++) {
            int owned = (q->npartitions - c + g->nconsumers - 1) / g->nconsumers;
            double lc = lambda * owned / q->npartitions, rho = lc * s;
            if (rho >= 1) stable = false;
            double wq = lc * (v + s * s) / (2 * (1 - rho));
            lag += lc * (wq + s);
            util += rho;
        }
        char path[160];
        snprintf(path, sizeof path, "groups.%s.utilisation", g->name);
        sim_report(pred, path, util / g->nconsumers, SIM_UNIT_RATIO);
        if (!stable) {
            sim_theory_note(pred, "group %s: a consumer is offered more than it can process: the lag "
                                  "grows without bound", g->name);
            continue;
        }
        snprintf(path, sizeof path, "groups.%s.consumed", g->name);
        sim_report(pred, path, lambda, SIM_UNIT_RATE);
        snprintf(path, sizeof path, "groups.%s.lag.mean", g->name);
        sim_report(pred, path, lag, SIM_UNIT_NUMBER);
        snprintf(path, sizeof path, "groups.%s.lag.per_partition", g->name);
        sim_report(pred, path, lag / q->npartitions, SIM_UNIT_NUMBER);
        snprintf(path, sizeof path, "groups.%s.latency.mean", g->name);
        sim_report(pred, path, lag / lambda, SIM_UNIT_SECONDS);
        if (q->npartitions % g->nconsumers && g->nconsumers < q->npartitions)
            sim_theory_note(pred, "group %s: the latency mean assumes keys spread evenly over "
                                  "partitions", g->name);
    }
}

static void fini(struct sim_component *self)
{
    struct queue *q = (struct queue *)self;
    for (int p = 0; q->parts && p < q->npartitions; p++) {
        sim_free(q->parts[p].ring);
        sim_fifo_fini(&q->parts[p].blocked);
    }
    sim_free(q->parts);
    sim_fifo_fini(&q->topic_blocked);
    for (int i = 0; q->groups && i < q->ngroups; i++) {
        struct group *g = &q->groups[i];
        for (int c = 0; g->consumers && c < g->nconsumers; c++) sim_free(g->consumers[c].outcome);
        sim_free(g->consumers);
        sim_free(g->members);
        sim_free(g->cursors);
        sim_free(g->steps);
    }
    sim_free(q->groups);
}

/* Messages retained and not yet consumed by every group; the consumers' rate is not
 * known in one figure, so no capacity. */
static void backlog(struct sim_component *self, uint64_t *waiting, double *capacity)
{
    struct queue *q = (struct queue *)self;
    *waiting = (uint64_t)q->depth;
    *capacity = 0;
}

const struct sim_model queue_model = {
    .name = "queue",
    .summary = "a broker topic: partitions, consumer groups, batches, retries, dead letters",
    .size = sizeof(struct queue),
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
    .fault_instances = fault_instances,
    .backlog = backlog,
    .fault_kinds = SIM_FAULT_BIT(SIM_FAULT_SLOW),
};
