/* transaction.c: a distributed transaction's coordinator over participant nodes, by
 * two-phase commit (prepare to every participant, votes, then commit or abort to every
 * one; the request's key is locked from prepare until the last participant has the
 * decision) or by a saga (one step per participant in order; on a failure the completed
 * steps are compensated in reverse order; no locks, so readers see intermediate states).
 * A crashed coordinator instance leaves its two-phase transactions in doubt, their locks
 * held, until it recovers; its sagas are suspended and resume then. Invariants: a key has
 * a lock entry while a transaction holds it, waits for it or a saga is running on it. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sim.h"

#define MAX_PARTICIPANTS 16
#define MAX_INSTANCES 1000
#define STORY_COMPENSATIONS 3 /* sagas whose compensation the story tells, per run */

enum protocol { TWO_PC, SAGA };
static const char *const protocol_names[] = {"2pc", "saga", NULL};
enum phase { WAITING, PREPARING, DECIDING, READING, STEPPING, COMPENSATING };

struct txn;
/* One participant's side of a transaction: its outstanding call and timer. */
struct leg {
    struct txn *t;
    int p;
    struct sim_call *call;    /* outstanding, or NULL */
    struct sim_event *timer;  /* timeout of the call, or the pause before resending */
};

/* A request at the coordinator, from arrival to its last participant's answer; from the
 * coordinator's pool. */
struct txn {
    struct txn *prev, *next; /* the live list */
    struct sim_call *client; /* NULL once answered (or lost in a crash) */
    uint64_t key;
    bool read, commit, decided, in_doubt, waited;
    int instance, pending, step;
    enum phase phase;
    uint32_t holding; /* 2pc: participants holding the key's lock for it */
    sim_time arrived, locked_at, down_since;
    struct leg legs[MAX_PARTICIPANTS];
};

/* A key's state: the 2PC transaction holding it, those waiting (FIFO), sagas running. */
struct lock {
    uint64_t key;
    int32_t chain;
    struct txn *holder;
    int sagas;
    struct sim_fifo waiters;
};

/* Owned by the engine (allocated by model size); the tables and the pool are its own. */
struct transaction {
    struct sim_component base;
    enum protocol protocol;
    int nparts, ninstances, next_instance;
    struct sim_component *part[MAX_PARTICIPANTS];
    double vote_no, step_fail;
    sim_time timeout;
    int op_prepare, op_commit, op_abort, op_step, op_compensate;
    struct sim_rng *rng;
    struct sim_pool pool;
    struct txn *live;
    /* the lock table: chained hash on key, slots reused through a free list */
    struct lock *locks;
    int32_t *buckets, nlocks, cap, free_lock;
    uint64_t mask;
    int down;            /* coordinator instances crashed now */
    sim_time down_since; /* when the first of them crashed */
    /* measurement */
    uint64_t arrivals, commits, aborts, reads, compensations, inconsistent, resent, told;
    uint64_t in_doubt_total, lost, ok_down, ok_up;
    double blocked, down_time;
    struct sim_hist latency, lock_hold, lock_wait;
    struct sim_level in_doubt, locked;
};

/* ---- configuration ---- */

static void configure(struct sim_component *self, struct sim_cfg *cfg)
{
    struct transaction *x = (struct transaction *)self;
    x->protocol = (enum protocol)sim_cfg_choice(cfg, "protocol", -1, protocol_names);
    int n = sim_cfg_array(cfg, "participants");
    if (n < 1 || n > MAX_PARTICIPANTS)
        sim_cfg_error(cfg, "participants", "expected an array of 1 to %d node names, got %d",
                      MAX_PARTICIPANTS, n);
    x->nparts = n < MAX_PARTICIPANTS ? n : MAX_PARTICIPANTS;
    for (int i = 0; i < x->nparts; i++) {
        const char *name = sim_cfg_string_item(cfg, "participants", i);
        for (int j = 0; name && j < i; j++) {
            const char *other = sim_cfg_string_item(cfg, "participants", j);
            if (other && !strcmp(name, other))
                sim_cfg_error(cfg, "participants", "'%s' is named twice", name);
        }
        sim_cfg_peer_item(cfg, "participants", i, &x->part[i], true);
    }
    if (x->protocol == TWO_PC) {
        x->vote_no = sim_cfg_number(cfg, "vote_no", 0, 0, 1);
        if (sim_cfg_has(cfg, "step_fail"))
            sim_cfg_error(cfg, "step_fail", "only with \"protocol\": \"saga\" (2pc takes vote_no)");
    } else {
        x->step_fail = sim_cfg_number(cfg, "step_fail", 0, 0, 1);
        if (sim_cfg_has(cfg, "vote_no"))
            sim_cfg_error(cfg, "vote_no", "only with \"protocol\": \"2pc\" (a saga takes step_fail)");
    }
    x->timeout = sim_cfg_duration(cfg, "timeout", SIM_S, SIM_US, 86400 * SIM_S);
    x->ninstances = (int)sim_cfg_int(cfg, "instances", 1, 1, MAX_INSTANCES);
    x->op_prepare = sim_cfg_op(cfg, "prepare");
    x->op_commit = sim_cfg_op(cfg, "commit");
    x->op_abort = sim_cfg_op(cfg, "abort");
    x->op_step = sim_cfg_op(cfg, "step");
    x->op_compensate = sim_cfg_op(cfg, "compensate");
    x->rng = sim_rng(self, "outcome");
    sim_pool_init(&x->pool, sizeof(struct txn));
    sim_hist_init(&x->latency);
    sim_hist_init(&x->lock_hold);
    sim_hist_init(&x->lock_wait);
    x->free_lock = -1;
}

static int instances(struct sim_component *self)
{
    return ((struct transaction *)self)->ninstances;
}

/* ---- the lock table ---- */

static void rehash(struct transaction *x)
{
    size_t nb = 16;
    while (nb < (size_t)x->cap) nb *= 2;
    sim_free(x->buckets);
    x->buckets = sim_alloc(nb * sizeof *x->buckets);
    for (size_t b = 0; b < nb; b++) x->buckets[b] = -1;
    x->mask = nb - 1;
    for (int32_t i = 0; i < x->nlocks; i++)
        if (x->locks[i].chain != -2) { /* -2: on the free list */
            int32_t *b = &x->buckets[sim_hash64(x->locks[i].key) & x->mask];
            x->locks[i].chain = *b;
            *b = i;
        }
}

/* The entry of key; created empty when create is set, else NULL when it has none. */
static struct lock *lock_of(struct transaction *x, uint64_t key, bool create)
{
    if (x->buckets)
        for (int32_t i = x->buckets[sim_hash64(key) & x->mask]; i >= 0; i = x->locks[i].chain)
            if (x->locks[i].key == key) return &x->locks[i];
    if (!create) return NULL;
    int32_t i;
    if (x->free_lock >= 0) {
        i = x->free_lock;
        x->free_lock = (int32_t)x->locks[i].sagas; /* the free list runs through `sagas` */
    } else {
        if (x->nlocks == x->cap) { /* grows to the keys busy at once, then stays */
            x->cap = x->cap ? 2 * x->cap : 16;
            x->locks = sim_realloc(x->locks, (size_t)x->cap * sizeof *x->locks);
            memset(x->locks + x->nlocks, 0, (size_t)(x->cap - x->nlocks) * sizeof *x->locks);
            rehash(x);
        }
        i = x->nlocks++;
    }
    struct lock *l = &x->locks[i];
    l->key = key;
    l->holder = NULL;
    l->sagas = 0;
    int32_t *b = &x->buckets[sim_hash64(key) & x->mask];
    l->chain = *b;
    *b = i;
    return l;
}

/* Forgets the entry once nothing holds, waits for or runs on its key (keeps its FIFO). */
static void lock_tidy(struct transaction *x, struct lock *l)
{
    if (l->holder || l->sagas || l->waiters.count) return;
    int32_t i = (int32_t)(l - x->locks);
    int32_t *p = &x->buckets[sim_hash64(l->key) & x->mask];
    while (*p != i) p = &x->locks[*p].chain;
    *p = l->chain;
    l->chain = -2;
    l->sagas = x->free_lock;
    x->free_lock = i;
}

/* ---- calls to participants ---- */

static void on_timeout(struct sim_component *self, void *arg);
static void leg_done(struct transaction *x, struct leg *g, bool ok);

static void send(struct transaction *x, struct txn *t, int p, int op)
{
    struct sim_component *self = &x->base;
    struct leg *g = &t->legs[p];
    sim_time now = sim_now(self);
    g->call = sim_call_new(self, x->part[p], t->client, op, t->key, now + x->timeout);
    g->call->caller_data = g;
    sim_call_send(g->call);
    g->timer = sim_schedule(self, x->timeout, on_timeout, g);
}

static void on_timeout(struct sim_component *self, void *arg)
{
    struct leg *g = arg;
    g->timer = NULL;
    sim_call_abandon(g->call);
    g->call = NULL;
    leg_done((struct transaction *)self, g, false);
}

static void respond(struct sim_component *self, struct sim_call *call)
{
    struct leg *g = call->caller_data;
    sim_cancel(g->timer);
    g->timer = NULL;
    g->call = NULL;
    leg_done((struct transaction *)self, g, call->status == SIM_OK);
}

/* A decision or a compensation must reach its participant: resent after a pause. */
static void resend(struct sim_component *self, void *arg)
{
    struct leg *g = arg;
    struct transaction *x = (struct transaction *)self;
    struct txn *t = g->t;
    g->timer = NULL;
    int op = t->phase == COMPENSATING ? x->op_compensate : t->commit ? x->op_commit : x->op_abort;
    send(x, t, g->p, op);
}

static void retry_later(struct transaction *x, struct leg *g)
{
    if (sim_measuring(&x->base)) x->resent++;
    g->timer = sim_schedule(&x->base, x->timeout, resend, g);
}

/* ---- a request's life ---- */

static void answer(struct transaction *x, struct txn *t, enum sim_status status)
{
    if (!t->client) return;
    sim_time now = sim_now(&x->base);
    if (sim_measuring(&x->base)) {
        sim_hist_record(&x->latency, now - t->arrived);
        if (status == SIM_OK) {
            if (x->down) x->ok_down++;
            else x->ok_up++;
        }
    }
    sim_respond(t->client, status);
    t->client = NULL;
}

static void finish(struct transaction *x, struct txn *t)
{
    if (t->prev) t->prev->next = t->next;
    else x->live = t->next;
    if (t->next) t->next->prev = t->prev;
    sim_pool_put(&x->pool, t);
}

static void start_txn(struct transaction *x, struct txn *t);

/* The key's next waiters start: reads until a transaction, which takes the lock. */
static void release(struct transaction *x, struct lock *l)
{
    sim_time now = sim_now(&x->base);
    struct txn *t;
    while (!l->holder && (t = sim_fifo_pop(&l->waiters))) {
        if (t->client && t->client->deadline <= now) {
            answer(x, t, SIM_TIMEOUT); /* its client has left: no work for nobody */
            finish(x, t);
            continue;
        }
        start_txn(x, t);
    }
    lock_tidy(x, l);
}

static void unlock(struct transaction *x, struct txn *t)
{
    sim_time now = sim_now(&x->base);
    if (sim_measuring(&x->base)) sim_hist_record(&x->lock_hold, now - t->locked_at);
    sim_level_add(&x->locked, now, -1);
    struct lock *l = lock_of(x, t->key, false);
    SIM_ASSERT(&x->base, l && l->holder == t);
    l->holder = NULL;
    release(x, l);
}

static void send_all(struct transaction *x, struct txn *t, int op)
{
    t->pending = x->nparts;
    for (int p = 0; p < x->nparts; p++) send(x, t, p, op);
}

static void decide(struct transaction *x, struct txn *t)
{
    t->phase = DECIDING;
    t->decided = true;
    if (sim_measuring(&x->base)) {
        if (t->commit) x->commits++;
        else x->aborts++;
    }
    t->pending = 0;
    for (int p = 0; p < x->nparts; p++)
        if (t->holding & (1u << p)) {
            t->pending++;
            send(x, t, p, t->commit ? x->op_commit : x->op_abort);
        }
    if (!t->pending) { /* every participant voted no: nothing left to tell */
        answer(x, t, SIM_FAILED);
        unlock(x, t);
        finish(x, t);
    }
}

static void saga_end(struct transaction *x, struct txn *t, bool done)
{
    if (sim_measuring(&x->base)) {
        if (done) x->commits++;
        else x->aborts++;
    }
    answer(x, t, done ? SIM_OK : SIM_FAILED);
    struct lock *l = lock_of(x, t->key, false);
    SIM_ASSERT(&x->base, l && l->sagas > 0);
    l->sagas--;
    lock_tidy(x, l);
    finish(x, t);
}

/* Compensates the step before t->step, or ends the saga when none is left. */
static void compensate_next(struct transaction *x, struct txn *t)
{
    if (--t->step < 0) {
        saga_end(x, t, false);
        return;
    }
    if (sim_measuring(&x->base)) x->compensations++;
    t->pending = 1;
    send(x, t, t->step, x->op_compensate);
}

static void step_failed(struct transaction *x, struct txn *t)
{
    t->phase = COMPENSATING;
    if (t->step > 0 && x->told < STORY_COMPENSATIONS && sim_story_on(&x->base)) {
        char order[512] = "";
        size_t len = 0;
        for (int p = t->step - 1; p >= 0 && len < sizeof order; p--)
            len += (size_t)snprintf(order + len, sizeof order - len, "%s%s", x->part[p]->name,
                                    p ? ", then " : "");
        sim_story(&x->base, "saga on key %llu: step %d (%s) failed; compensating %s",
                  (unsigned long long)t->key, t->step + 1, x->part[t->step]->name, order);
        x->told++;
    }
    compensate_next(x, t);
}

static void leg_done(struct transaction *x, struct leg *g, bool ok)
{
    struct txn *t = g->t;
    int p = g->p;
    switch (t->phase) {
    case PREPARING:
        /* A participant votes no (or fails to answer) and aborts its side at once. */
        if (!ok || sim_uniform(x->rng) < x->vote_no) {
            t->commit = false;
            t->holding &= ~(1u << p);
        }
        if (--t->pending == 0) decide(x, t);
        return;
    case DECIDING:
        if (!ok) {
            retry_later(x, g);
            return;
        }
        t->holding &= ~(1u << p);
        if (--t->pending) return;
        answer(x, t, t->commit ? SIM_OK : SIM_FAILED);
        unlock(x, t);
        finish(x, t);
        return;
    case READING:
        if (!ok) t->commit = false;
        if (--t->pending) return;
        answer(x, t, t->commit ? SIM_OK : SIM_FAILED);
        finish(x, t);
        return;
    case STEPPING:
        if (!ok || sim_uniform(x->rng) < x->step_fail) {
            step_failed(x, t);
            return;
        }
        if (++t->step == x->nparts) {
            saga_end(x, t, true);
            return;
        }
        send(x, t, t->step, x->op_step);
        return;
    case COMPENSATING:
        if (!ok) {
            retry_later(x, g);
            return;
        }
        compensate_next(x, t);
        return;
    case WAITING: break;
    }
    SIM_ASSERT(&x->base, !"an answer to a transaction waiting for its lock");
}

/* Starts the protocol: the key is free for it (2pc) or it needs no lock (reads, sagas). */
static void start_txn(struct transaction *x, struct txn *t)
{
    sim_time now = sim_now(&x->base);
    if (sim_measuring(&x->base) && x->protocol == TWO_PC) sim_hist_record(&x->lock_wait, now - t->arrived);
    t->commit = true;
    if (t->read) {
        t->phase = READING;
        send_all(x, t, SIM_OP_READ);
        return;
    }
    if (x->protocol == SAGA) {
        t->phase = STEPPING;
        t->step = 0;
        lock_of(x, t->key, true)->sagas++;
        send(x, t, 0, x->op_step);
        return;
    }
    struct lock *l = lock_of(x, t->key, true);
    l->holder = t;
    t->locked_at = now;
    sim_level_add(&x->locked, now, 1);
    t->phase = PREPARING;
    t->holding = (1u << x->nparts) - 1;
    send_all(x, t, x->op_prepare);
}

/* The coordinator instance for a new request: the one named, else the next one up. */
static int pick_instance(struct transaction *x, const struct sim_call *call)
{
    if (call->instance >= 0 && call->instance < x->ninstances) return call->instance;
    for (int k = 0; k < x->ninstances; k++) {
        int i = x->next_instance;
        x->next_instance = (x->next_instance + 1) % x->ninstances;
        if (!sim_fault_down(&x->base, i)) return i;
    }
    return 0; /* all down: sim_fault_takes refuses it */
}

static void receive(struct sim_component *self, struct sim_call *call)
{
    struct transaction *x = (struct transaction *)self;
    int i = pick_instance(x, call);
    call->instance = i;
    if (sim_fault_takes(self, call, i)) return;
    sim_time now = sim_now(self);
    struct txn *t = sim_pool_get(&x->pool);
    memset(t, 0, sizeof *t);
    for (int p = 0; p < MAX_PARTICIPANTS; p++) {
        t->legs[p].t = t;
        t->legs[p].p = p;
    }
    t->client = call;
    t->key = call->key;
    t->read = call->op == SIM_OP_READ;
    t->instance = i;
    t->arrived = now;
    t->next = x->live;
    if (x->live) x->live->prev = t;
    x->live = t;
    if (sim_measuring(self)) {
        x->arrivals++;
        if (t->read) x->reads++;
    }
    struct lock *l = lock_of(x, t->key, false);
    if (x->protocol == SAGA) {
        if (t->read && l && l->sagas && sim_measuring(self)) x->inconsistent++;
    } else if (l && (l->holder || l->waiters.count)) {
        t->phase = WAITING;
        t->waited = true;
        sim_fifo_push(&l->waiters, t);
        return;
    }
    start_txn(x, t);
}

/* ---- coordinator crashes ---- */

/* A crash loses the instance's memory: its clients are answered `unavailable`, its calls
 * forgotten. Two-phase transactions past prepare stay in doubt, holding their locks;
 * sagas (their log is durable) are suspended; waiters and reads are dropped. */
static void crash(struct transaction *x, int instance)
{
    struct sim_component *self = &x->base;
    sim_time now = sim_now(self);
    int doubt = 0, dropped = 0;
    for (struct txn *t = x->live, *next; t; t = next) {
        next = t->next;
        if (instance >= 0 && t->instance != instance) continue;
        if (t->phase == WAITING) continue; /* dropped below, from its key's queue */
        answer(x, t, SIM_UNAVAILABLE);
        for (int p = 0; p < x->nparts; p++) {
            struct leg *g = &t->legs[p];
            if (g->call) sim_call_abandon(g->call);
            if (g->timer) sim_cancel(g->timer);
            g->call = NULL;
            g->timer = NULL;
        }
        if (t->phase == READING) {
            finish(x, t);
            continue;
        }
        t->in_doubt = true;
        t->down_since = now;
        doubt++;
        sim_level_add(&x->in_doubt, now, 1);
        if (sim_measuring(self)) x->in_doubt_total++;
    }
    /* Requests waiting for a lock at this instance are lost with it. */
    for (int32_t i = 0; i < x->nlocks; i++) {
        struct lock *l = &x->locks[i];
        if (l->chain == -2 || !l->waiters.count) continue;
        size_t n = l->waiters.count;
        for (size_t k = 0; k < n; k++) {
            struct txn *t = sim_fifo_pop(&l->waiters);
            if (instance >= 0 && t->instance != instance) {
                sim_fifo_push(&l->waiters, t);
                continue;
            }
            answer(x, t, SIM_UNAVAILABLE);
            finish(x, t);
            dropped++;
        }
    }
    if (sim_measuring(self)) x->lost += (uint64_t)dropped;
    if (x->protocol == TWO_PC)
        sim_story(self, "coordinator crashed: %d transactions in doubt, their participants "
                  "holding the locks; %d waiting requests lost", doubt, dropped);
    else
        sim_story(self, "coordinator crashed: %d sagas suspended mid-way (no locks held); "
                  "%d waiting requests lost", doubt, dropped);
}

/* The instance is back: it reads its log and finishes what was in doubt. A transaction
 * with no decision logged aborts (presumed abort); a decided one resends its decision. */
static void recover(struct transaction *x, int instance)
{
    struct sim_component *self = &x->base;
    sim_time now = sim_now(self);
    int n = 0, committed = 0;
    double blocked = 0;
    for (struct txn *t = x->live, *next; t; t = next) {
        next = t->next;
        if (!t->in_doubt || (instance >= 0 && t->instance != instance)) continue;
        if (instance < 0 && sim_fault_down(self, t->instance)) continue;
        t->in_doubt = false;
        n++;
        sim_level_add(&x->in_doubt, now, -1);
        if (x->protocol == SAGA) {
            /* Resume the step that was in progress (steps are idempotent), or go on
             * compensating. */
            if (t->phase == STEPPING) send(x, t, t->step, x->op_step);
            else {
                t->pending = 1;
                send(x, t, t->step, x->op_compensate);
            }
            continue;
        }
        int holders = __builtin_popcount(t->holding);
        blocked += holders * ((double)(now - t->down_since) / SIM_S);
        if (!t->decided) t->commit = false;
        if (t->decided && t->commit) committed++;
        bool counted = t->decided;
        t->decided = true;
        if (!counted && sim_measuring(self)) x->aborts++;
        t->phase = DECIDING;
        t->pending = 0;
        for (int p = 0; p < x->nparts; p++)
            if (t->holding & (1u << p)) {
                t->pending++;
                send(x, t, p, t->commit ? x->op_commit : x->op_abort);
            }
        if (!t->pending) {
            unlock(x, t);
            finish(x, t);
        }
    }
    if (sim_measuring(self)) x->blocked += blocked;
    if (x->protocol == TWO_PC)
        sim_story(self, "coordinator recovered: %d in-doubt transactions resolved (%d committed, "
                  "%d aborted), their participants blocked %.1f participant-seconds", n, committed,
                  n - committed, blocked);
    else
        sim_story(self, "coordinator recovered: %d suspended sagas resume", n);
}

static void fault(struct sim_component *self, const struct sim_fault *f, bool begins)
{
    struct transaction *x = (struct transaction *)self;
    if (f->kind != SIM_FAULT_CRASH) return;
    sim_time now = sim_now(self);
    if (begins) {
        if (x->down++ == 0) x->down_since = now;
        crash(x, f->instance);
    } else {
        if (--x->down == 0 && sim_measuring(self)) {
            sim_time from = x->down_since;
            x->down_time += (double)(now - from) / SIM_S;
        }
        recover(x, f->instance);
    }
}

/* ---- figures ---- */

static void start(struct sim_component *self)
{
    struct transaction *x = (struct transaction *)self;
    sim_level_init(&x->in_doubt, 0, 0);
    sim_level_init(&x->locked, 0, 0);
}

static void clear_stats(struct sim_component *self)
{
    struct transaction *x = (struct transaction *)self;
    sim_time now = sim_now(self);
    x->arrivals = x->commits = x->aborts = x->reads = x->compensations = x->inconsistent = 0;
    x->resent = x->in_doubt_total = x->lost = x->ok_down = x->ok_up = 0;
    x->blocked = x->down_time = 0;
    if (x->down) x->down_since = now;
    sim_hist_clear(&x->latency);
    sim_hist_clear(&x->lock_hold);
    sim_hist_clear(&x->lock_wait);
    sim_level_restart(&x->in_doubt, now);
    x->in_doubt.max = x->in_doubt.level;
    sim_level_restart(&x->locked, now);
}

static void report(struct sim_component *self, struct sim_report *rep)
{
    struct transaction *x = (struct transaction *)self;
    sim_time now = sim_now(self);
    double window = sim_window_seconds(self);
    double down = x->down_time + (x->down ? (double)(now - x->down_since) / SIM_S : 0);
    sim_report(rep, "arrivals", (double)x->arrivals / window, SIM_UNIT_RATE);
    sim_report(rep, "commits", (double)x->commits, SIM_UNIT_COUNT);
    sim_report(rep, "aborts", (double)x->aborts, SIM_UNIT_COUNT | SIM_LOWER_BETTER);
    sim_report(rep, "reads", (double)x->reads, SIM_UNIT_COUNT);
    sim_report_hist(rep, "latency", &x->latency);
    if (x->protocol == TWO_PC) {
        sim_report_hist(rep, "lock_hold", &x->lock_hold);
        sim_report_hist(rep, "lock_wait", &x->lock_wait);
        sim_report(rep, "locked.mean", sim_level_mean(&x->locked, now), SIM_UNIT_NUMBER);
        sim_report(rep, "blocked_time", x->blocked, SIM_UNIT_SECONDS | SIM_LOWER_BETTER);
    } else {
        sim_report(rep, "compensations", (double)x->compensations, SIM_UNIT_COUNT);
        sim_report(rep, "inconsistent_reads", (double)x->inconsistent, SIM_UNIT_COUNT | SIM_LOWER_BETTER);
    }
    sim_report(rep, "in_doubt.count", (double)x->in_doubt_total, SIM_UNIT_COUNT | SIM_LOWER_BETTER);
    sim_report(rep, "in_doubt.max", x->in_doubt.max, SIM_UNIT_COUNT | SIM_LOWER_BETTER);
    sim_report(rep, "lost_waiting", (double)x->lost, SIM_UNIT_COUNT | SIM_LOWER_BETTER);
    sim_report(rep, "resent", (double)x->resent, SIM_UNIT_COUNT);
    sim_report(rep, "down_time", down, SIM_UNIT_SECONDS | SIM_LOWER_BETTER);
    sim_report(rep, "goodput.during_fault", down > 0 ? (double)x->ok_down / down : 0, SIM_UNIT_NUMBER | SIM_HIGHER_BETTER);
    sim_report(rep, "goodput.otherwise", window > down ? (double)x->ok_up / (window - down) : 0,
               SIM_UNIT_NUMBER | SIM_HIGHER_BETTER);
}

static void sample(struct sim_component *self, struct sim_sampler *s)
{
    struct transaction *x = (struct transaction *)self;
    sim_sample(s, "in_doubt", x->in_doubt.level);
    sim_sample(s, "locked", x->locked.level);
}

static void describe(struct sim_component *self, char *buf, size_t n)
{
    struct transaction *x = (struct transaction *)self;
    char parts[256] = "";
    size_t len = 0;
    for (int p = 0; p < x->nparts && len < sizeof parts; p++)
        len += (size_t)snprintf(parts + len, sizeof parts - len, "%s%s", p ? ", " : "",
                                x->part[p] ? x->part[p]->name : "?");
    if (x->protocol == TWO_PC)
        snprintf(buf, n, "2pc coordinator over %s, vote_no %g, timeout %gs", parts, x->vote_no,
                 (double)x->timeout / SIM_S);
    else
        snprintf(buf, n, "saga over %s, step_fail %g, timeout %gs", parts, x->step_fail,
                 (double)x->timeout / SIM_S);
}

static void fini(struct sim_component *self)
{
    struct transaction *x = (struct transaction *)self;
    for (int32_t i = 0; i < x->cap; i++) sim_fifo_fini(&x->locks[i].waiters);
    sim_free(x->locks);
    sim_free(x->buckets);
    sim_pool_fini(&x->pool);
}

const struct sim_model transaction_model = {
    .name = "transaction",
    .summary = "a distributed transaction's coordinator: two-phase commit with locks, or a saga "
               "with compensations",
    .size = sizeof(struct transaction),
    .configure = configure,
    .start = start,
    .receive = receive,
    .respond = respond,
    .clear_stats = clear_stats,
    .report = report,
    .sample = sample,
    .describe = describe,
    .instances = instances,
    .fini = fini,
    .fault = fault,
};
