/* ratelimit.c: a node in front of another ("to") that admits or refuses each call, by a
 * token bucket, a leaky bucket, a fixed window, an exact sliding-window log or a weighted
 * sliding-window counter, for one global scope or one per client or per key. Admitted
 * calls are forwarded and their answers passed back unchanged; refused calls get
 * `rejected` (HTTP 429). With "delay" a call reserves the earliest moment it would be
 * admitted and is held until then, so held calls leave in arrival order. Per call: O(1),
 * no allocation once the scope table has grown to its working size (at most max_scopes). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sim.h"

enum algorithm { TOKEN_BUCKET, LEAKY_BUCKET, FIXED_WINDOW, SLIDING_WINDOW_LOG,
                 SLIDING_WINDOW_COUNTER };
static const char *const algorithm_names[] = {"token_bucket", "leaky_bucket", "fixed_window",
                                              "sliding_window_log", "sliding_window_counter",
                                              NULL};
enum scope_kind { GLOBAL, PER_CLIENT, PER_KEY };
static const char *const scope_names[] = {"global", "per_client", "per_key", NULL};
static const char *const action_names[] = {"reject", "delay", NULL};

/* The fields each algorithm takes, for a clear error when one is given to another. */
static const char *const algorithm_fields[][3] = {
    {"rate", "burst", NULL}, {"rate", "queue", NULL}, {"limit", "window", NULL},
    {"limit", "window", NULL}, {"limit", "window", NULL}};
static const char *const all_fields[] = {"rate", "burst", "queue", "limit", "window", NULL};

#define MAX_TIMESTAMPS ((int64_t)1 << 26) /* sliding_window_log: 512 MiB of ring at most */
#define NIL (-1)

/* One scope's limiter state (only the fields of the configured algorithm are used).
 * A scope "at rest" is in the same state as a fresh one, so forgetting it loses nothing. */
struct scope {
    uint64_t id;
    int32_t chain;        /* next in the hash bucket, or in the free list */
    int32_t older, newer; /* least-recently-used list */
    double tat;           /* buckets: theoretical arrival time (GCRA), ns */
    int64_t window;       /* windows: index of the current window (time / window) */
    int64_t count, prev;  /* windows: calls admitted in the current and previous window */
    uint32_t head, used;  /* log: the ring of admitted times, oldest at head */
};

/* Owned by the engine (allocated by model size); the arrays are its own. */
struct ratelimit {
    struct sim_component base;
    struct sim_component *to;
    enum algorithm algorithm;
    enum scope_kind scope;
    bool delay;          /* action "delay"; the leaky bucket always queues */
    double rate;         /* buckets: calls per second */
    double interval;     /* buckets: 1 / rate, ns */
    double tolerance;    /* token: (burst - 1) x interval; leaky: queue x interval */
    int64_t burst, queue, limit;
    sim_time window, max_delay;
    uint64_t clients;
    int32_t max_scopes;
    /* the scope table: chained hash on scope id, LRU list, slots grown up to max_scopes */
    struct scope *scopes;
    sim_time *rings; /* log: limit timestamps per slot */
    int32_t cap, used_slots, live, free_slot, oldest, newest;
    int32_t *buckets;
    uint64_t mask;
    /* measurement */
    uint64_t arrivals, admitted, throttled, delayed, evicted;
    struct sim_hist delays;
    struct sim_level held;
    uint64_t i_admitted, i_throttled;
    sim_time i_since;
};

static bool uses_field(enum algorithm a, const char *field)
{
    for (int i = 0; algorithm_fields[a][i]; i++)
        if (!strcmp(algorithm_fields[a][i], field)) return true;
    return false;
}

static void configure(struct sim_component *self, struct sim_cfg *cfg)
{
    struct ratelimit *rl = (struct ratelimit *)self;
    sim_cfg_peer(cfg, "to", &rl->to, true);
    rl->algorithm = (enum algorithm)sim_cfg_choice(cfg, "algorithm", -1, algorithm_names);
    enum algorithm a = rl->algorithm;
    for (int i = 0; all_fields[i]; i++)
        if (!uses_field(a, all_fields[i]) && sim_cfg_has(cfg, all_fields[i]))
            sim_cfg_error(cfg, all_fields[i], "not a field of algorithm '%s' (it takes %s and %s)",
                          algorithm_names[a], algorithm_fields[a][0], algorithm_fields[a][1]);
    if (a == TOKEN_BUCKET || a == LEAKY_BUCKET) {
        rl->rate = sim_cfg_number(cfg, "rate", NAN, 1e-6, 1e9);
        rl->interval = 1e9 / rl->rate;
        if (a == TOKEN_BUCKET) {
            rl->burst = sim_cfg_int(cfg, "burst", SIM_REQUIRED, 1, 1000000000);
            rl->tolerance = (double)(rl->burst - 1) * rl->interval;
        } else {
            rl->queue = sim_cfg_int(cfg, "queue", SIM_REQUIRED, 0, 1000000000);
            rl->tolerance = (double)rl->queue * rl->interval;
            if (rl->tolerance > 1e15) /* the longest wait must fit the clock comfortably */
                sim_cfg_error(cfg, "queue", "queue / rate is the longest wait: expected at most "
                                            "1000000s, got %gs", rl->tolerance / 1e9);
        }
    } else {
        rl->limit = sim_cfg_int(cfg, "limit", SIM_REQUIRED, 1, 1000000000);
        rl->window = sim_cfg_duration(cfg, "window", SIM_REQUIRED, SIM_US, SIM_MAX_DURATION);
    }

    rl->scope = (enum scope_kind)sim_cfg_choice(cfg, "scope", GLOBAL, scope_names);
    if (rl->scope == PER_CLIENT)
        rl->clients = (uint64_t)sim_cfg_int(cfg, "clients", SIM_REQUIRED, 1, INT64_MAX);
    else if (sim_cfg_has(cfg, "clients"))
        sim_cfg_error(cfg, "clients", "only with \"scope\": \"per_client\"");
    if (rl->scope != GLOBAL) {
        int64_t fallback = rl->scope == PER_CLIENT && rl->clients < 100000 ? (int64_t)rl->clients
                                                                          : 100000;
        rl->max_scopes = (int32_t)sim_cfg_int(cfg, "max_scopes", fallback, 1, 10000000);
    } else {
        if (sim_cfg_has(cfg, "max_scopes"))
            sim_cfg_error(cfg, "max_scopes", "only with a per_client or per_key scope");
        rl->max_scopes = 1;
    }
    if (a == SLIDING_WINDOW_LOG && rl->limit * rl->max_scopes > MAX_TIMESTAMPS)
        sim_cfg_error(cfg, "limit",
                      "the log keeps limit x max_scopes timestamps: expected at most %lld, got "
                      "%lld x %d",
                      (long long)MAX_TIMESTAMPS, (long long)rl->limit, rl->max_scopes);

    if (a == LEAKY_BUCKET) {
        /* The leaky bucket's queue is its delay: calls wait for their turn or are refused. */
        if (sim_cfg_has(cfg, "action"))
            sim_cfg_error(cfg, "action", "not a field of algorithm 'leaky_bucket' (calls wait in "
                                         "its queue; a full queue rejects)");
        else if (sim_cfg_has(cfg, "max_delay"))
            sim_cfg_error(cfg, "max_delay", "not a field of algorithm 'leaky_bucket' (its "
                                            "'queue' bounds the wait)");
        rl->max_delay = SIM_NEVER;
    } else {
        rl->delay = sim_cfg_choice(cfg, "action", 0, action_names) == 1;
        if (rl->delay)
            rl->max_delay = sim_cfg_duration(cfg, "max_delay", SIM_REQUIRED, 0, SIM_MAX_DURATION);
        else if (sim_cfg_has(cfg, "max_delay"))
            sim_cfg_error(cfg, "max_delay", "only with \"action\": \"delay\"");
    }
    sim_hist_init(&rl->delays);
    rl->free_slot = rl->oldest = rl->newest = NIL;
}

/* ---- limiter state ---- */

static void fresh(struct ratelimit *rl, struct scope *s, sim_time now)
{
    s->tat = (double)now;
    s->window = rl->window ? now / rl->window : 0;
    s->count = s->prev = 0;
    s->head = s->used = 0;
}

static sim_time *ring_of(struct ratelimit *rl, const struct scope *s)
{
    return rl->rings + (size_t)(s - rl->scopes) * (size_t)rl->limit;
}

static bool at_rest(struct ratelimit *rl, struct scope *s, sim_time now)
{
    int64_t k = now / (rl->window ? rl->window : 1);
    switch (rl->algorithm) {
    case TOKEN_BUCKET:
    case LEAKY_BUCKET: return s->tat <= (double)now;
    case FIXED_WINDOW: return s->window < k;
    case SLIDING_WINDOW_LOG:
        return s->used == 0 ||
               ring_of(rl, s)[(s->head + s->used - 1) % (uint32_t)rl->limit] <= now - rl->window;
    case SLIDING_WINDOW_COUNTER: return s->window < k - 1 || (s->window < k && s->count == 0);
    }
    return false;
}

/* Moves a window algorithm's state forward to window k (never backward). */
static void roll(struct ratelimit *rl, struct scope *s, int64_t k)
{
    if (s->window >= k) return;
    s->prev = rl->algorithm == SLIDING_WINDOW_COUNTER && s->window == k - 1 ? s->count : 0;
    s->count = 0;
    s->window = k;
}

static sim_time ceil_time(double t)
{
    return (sim_time)ceil(t);
}

/* The earliest time, from now on, at which the scope admits one more call: now when it
 * admits at once, SIM_NEVER when it cannot (a full leaky-bucket queue). Changes nothing. */
static sim_time earliest(struct ratelimit *rl, const struct scope *s, sim_time now)
{
    switch (rl->algorithm) {
    case TOKEN_BUCKET: {
        /* GCRA: a token is free when at most burst - 1 intervals of credit are in use. */
        double x = s->tat - rl->tolerance;
        return x <= (double)now ? now : ceil_time(x);
    }
    case LEAKY_BUCKET:
        if (s->tat - (double)now > rl->tolerance) return SIM_NEVER;
        return s->tat <= (double)now ? now : ceil_time(s->tat);
    case FIXED_WINDOW: {
        struct scope c = *s;
        roll(rl, &c, now / rl->window);
        if (c.count < rl->limit) return now > c.window * rl->window ? now : c.window * rl->window;
        return (c.window + 1) * rl->window;
    }
    case SLIDING_WINDOW_LOG: {
        if (s->used < (uint32_t)rl->limit) return now;
        sim_time free_at = ring_of(rl, s)[s->head] + rl->window; /* the oldest leaves */
        return free_at > now ? free_at : now;
    }
    case SLIDING_WINDOW_COUNTER: {
        /* Admit when prev x (W - e) / W + count + 1 <= limit, e the time into the window.
         * Two windows on, the estimate is 0: the loop runs at most three times. */
        struct scope c = *s;
        const sim_time w = rl->window;
        roll(rl, &c, now / w);
        for (;;) {
            sim_time start = c.window * w, t0 = now > start ? now : start;
            int64_t room = rl->limit - 1 - c.count;
            if (room >= 0) {
                if (c.prev == 0) return t0;
                __int128 keep = (__int128)room * w / c.prev; /* largest W - e allowed */
                sim_time e_min = keep >= w ? 0 : w - (sim_time)keep;
                if (start + e_min <= t0) return t0;
                if (e_min < w) return start + e_min;
            }
            roll(rl, &c, c.window + 1);
        }
    }
    }
    return SIM_NEVER;
}

/* Records one call admitted at `when` (>= now), reserving its place. */
static void commit(struct ratelimit *rl, struct scope *s, sim_time now, sim_time when)
{
    switch (rl->algorithm) {
    case TOKEN_BUCKET:
    case LEAKY_BUCKET:
        /* From the arrival time, not `when`, so rounding never drifts the rate. */
        s->tat = (s->tat > (double)now ? s->tat : (double)now) + rl->interval;
        break;
    case FIXED_WINDOW:
    case SLIDING_WINDOW_COUNTER:
        roll(rl, s, when / rl->window);
        s->count++;
        break;
    case SLIDING_WINDOW_LOG: {
        sim_time *ring = ring_of(rl, s);
        uint32_t limit = (uint32_t)rl->limit;
        if (s->used < limit) {
            ring[(s->head + s->used) % limit] = when;
            s->used++;
        } else {
            ring[s->head] = when;
            s->head = (s->head + 1) % limit;
        }
        break;
    }
    }
}

/* ---- the scope table ---- */

static void lru_unlink(struct ratelimit *rl, int32_t i)
{
    struct scope *s = &rl->scopes[i];
    if (s->older != NIL) rl->scopes[s->older].newer = s->newer;
    else rl->oldest = s->newer;
    if (s->newer != NIL) rl->scopes[s->newer].older = s->older;
    else rl->newest = s->older;
}

static void lru_push(struct ratelimit *rl, int32_t i)
{
    struct scope *s = &rl->scopes[i];
    s->older = rl->newest;
    s->newer = NIL;
    if (rl->newest != NIL) rl->scopes[rl->newest].newer = i;
    else rl->oldest = i;
    rl->newest = i;
}

static void hash_insert(struct ratelimit *rl, int32_t i)
{
    int32_t *b = &rl->buckets[sim_hash64(rl->scopes[i].id) & rl->mask];
    rl->scopes[i].chain = *b;
    *b = i;
}

static void forget(struct ratelimit *rl, int32_t i)
{
    int32_t *p = &rl->buckets[sim_hash64(rl->scopes[i].id) & rl->mask];
    while (*p != i) p = &rl->scopes[*p].chain;
    *p = rl->scopes[i].chain;
    lru_unlink(rl, i);
    rl->scopes[i].chain = rl->free_slot;
    rl->free_slot = i;
    rl->live--;
}

/* Doubles the slots (up to max_scopes) and rebuilds the buckets, at least as many as slots. */
static void grow(struct ratelimit *rl)
{
    int32_t cap = rl->cap ? rl->cap * 2 : 16;
    if (cap > rl->max_scopes) cap = rl->max_scopes;
    rl->scopes = sim_realloc(rl->scopes, (size_t)cap * sizeof *rl->scopes);
    if (rl->algorithm == SLIDING_WINDOW_LOG)
        rl->rings = sim_realloc(rl->rings, (size_t)cap * (size_t)rl->limit * sizeof *rl->rings);
    rl->cap = cap;
    size_t nb = 16;
    while (nb < (size_t)cap) nb *= 2;
    if (nb - 1 != rl->mask || !rl->buckets) {
        sim_free(rl->buckets);
        rl->buckets = sim_alloc(nb * sizeof *rl->buckets);
        for (size_t b = 0; b < nb; b++) rl->buckets[b] = NIL;
        rl->mask = nb - 1;
        for (int32_t i = rl->oldest; i != NIL; i = rl->scopes[i].newer) hash_insert(rl, i);
    }
}

/* The state of scope id, created fresh when it is not tracked. Forgets up to two scopes
 * at rest first (so the table holds about the active scopes), and when the table is full,
 * the least recently used scope (counted in scopes_evicted when it was not at rest). */
static struct scope *lookup(struct ratelimit *rl, uint64_t id, sim_time now)
{
    if (rl->scope == GLOBAL) {
        if (!rl->live) {
            grow(rl);
            rl->live = rl->used_slots = 1;
            fresh(rl, &rl->scopes[0], now);
        }
        return &rl->scopes[0];
    }
    for (int n = 0; n < 2 && rl->oldest != NIL && at_rest(rl, &rl->scopes[rl->oldest], now); n++)
        forget(rl, rl->oldest);
    if (rl->buckets)
        for (int32_t i = rl->buckets[sim_hash64(id) & rl->mask]; i != NIL; i = rl->scopes[i].chain)
            if (rl->scopes[i].id == id) {
                lru_unlink(rl, i);
                lru_push(rl, i);
                return &rl->scopes[i];
            }
    if (rl->live == rl->max_scopes) {
        if (!at_rest(rl, &rl->scopes[rl->oldest], now) && sim_measuring(&rl->base)) rl->evicted++;
        forget(rl, rl->oldest);
    }
    int32_t i;
    if (rl->free_slot != NIL) {
        i = rl->free_slot;
        rl->free_slot = rl->scopes[i].chain;
    } else {
        if (rl->used_slots == rl->cap) grow(rl);
        i = rl->used_slots++;
    }
    struct scope *s = &rl->scopes[i];
    s->id = id;
    fresh(rl, s, now);
    hash_insert(rl, i);
    lru_push(rl, i);
    rl->live++;
    return s;
}

/* ---- calls ---- */

static void forward(struct ratelimit *rl, struct sim_call *in)
{
    struct sim_call *out = sim_call_new(&rl->base, rl->to, in, in->op, in->key, in->deadline);
    out->attempt = in->attempt;
    out->caller_data = in;
    sim_call_send(out);
}

static void release(struct sim_component *self, void *arg)
{
    struct ratelimit *rl = (struct ratelimit *)self;
    sim_level_add(&rl->held, sim_now(self), -1);
    forward(rl, arg);
}

static void receive(struct sim_component *self, struct sim_call *call)
{
    struct ratelimit *rl = (struct ratelimit *)self;
    sim_time now = sim_now(self);
    bool measuring = sim_measuring(self);
    uint64_t id = rl->scope == PER_KEY ? call->key : rl->scope == PER_CLIENT ? call->key % rl->clients : 0;
    struct scope *s = lookup(rl, id, now);
    sim_time when = earliest(rl, s, now);
    if (measuring) rl->arrivals++;
    if (when == SIM_NEVER || when - now > rl->max_delay) {
        if (measuring) rl->throttled++;
        rl->i_throttled++;
        sim_respond(call, SIM_REJECTED);
        return;
    }
    commit(rl, s, now, when);
    rl->i_admitted++;
    if (measuring) {
        rl->admitted++;
        if (when > now) rl->delayed++;
        sim_hist_record(&rl->delays, when - now);
    }
    if (when == now) {
        forward(rl, call);
        return;
    }
    sim_level_add(&rl->held, now, 1);
    sim_schedule(self, when - now, release, call);
}

/* The answer from `to` goes back unchanged. */
static void respond(struct sim_component *self, struct sim_call *call)
{
    (void)self;
    sim_respond(call->caller_data, call->status);
}

/* ---- figures ---- */

static void start(struct sim_component *self)
{
    struct ratelimit *rl = (struct ratelimit *)self;
    sim_level_init(&rl->held, 0, 0);
}

static void clear_stats(struct sim_component *self)
{
    struct ratelimit *rl = (struct ratelimit *)self;
    rl->arrivals = rl->admitted = rl->throttled = rl->delayed = rl->evicted = 0;
    sim_hist_clear(&rl->delays);
    sim_level_restart(&rl->held, sim_now(self));
}

static bool can_delay(const struct ratelimit *rl)
{
    return rl->delay || rl->algorithm == LEAKY_BUCKET;
}

static void report(struct sim_component *self, struct sim_report *rep)
{
    struct ratelimit *rl = (struct ratelimit *)self;
    double window = sim_window_seconds(self), arrivals = (double)rl->arrivals;
    sim_report(rep, "arrivals", arrivals / window, SIM_UNIT_RATE);
    sim_report(rep, "admitted", (double)rl->admitted, SIM_UNIT_COUNT);
    sim_report(rep, "admitted_rate", (double)rl->admitted / window, SIM_UNIT_RATE);
    sim_report(rep, "throttled", (double)rl->throttled, SIM_UNIT_COUNT);
    sim_report(rep, "throttled_ratio", arrivals ? (double)rl->throttled / arrivals : 0,
               SIM_UNIT_RATIO);
    if (can_delay(rl)) {
        sim_report(rep, "delayed", (double)rl->delayed, SIM_UNIT_COUNT);
        sim_report_hist(rep, "delay", &rl->delays);
        sim_report(rep, "held.mean", sim_level_mean(&rl->held, sim_now(self)), SIM_UNIT_NUMBER);
        sim_report(rep, "held.max", rl->held.max, SIM_UNIT_COUNT);
    }
    sim_report(rep, "scopes_tracked", (double)rl->live, SIM_UNIT_COUNT);
    sim_report(rep, "scopes_evicted", (double)rl->evicted, SIM_UNIT_COUNT);
}

static void sample(struct sim_component *self, struct sim_sampler *smp)
{
    struct ratelimit *rl = (struct ratelimit *)self;
    sim_time now = sim_now(self);
    double span = (double)(now - rl->i_since) / SIM_S;
    if (span <= 0) span = 1;
    sim_sample(smp, "admitted", (double)rl->i_admitted / span);
    sim_sample(smp, "throttled", (double)rl->i_throttled / span);
    sim_sample(smp, "held", rl->held.level);
    sim_sample(smp, "scopes", (double)rl->live);
    rl->i_admitted = rl->i_throttled = 0;
    rl->i_since = now;
}

static void describe(struct sim_component *self, char *buf, size_t n)
{
    struct ratelimit *rl = (struct ratelimit *)self;
    char how[96], scope[64], action[64];
    switch (rl->algorithm) {
    case TOKEN_BUCKET:
        snprintf(how, sizeof how, "rate %g/s, burst %lld", rl->rate, (long long)rl->burst);
        break;
    case LEAKY_BUCKET:
        snprintf(how, sizeof how, "rate %g/s, queue %lld", rl->rate, (long long)rl->queue);
        break;
    default:
        snprintf(how, sizeof how, "limit %lld per %gs", (long long)rl->limit,
                 (double)rl->window / SIM_S);
    }
    if (rl->scope == GLOBAL) snprintf(scope, sizeof scope, "global");
    else if (rl->scope == PER_KEY) snprintf(scope, sizeof scope, "per key (at most %d)", rl->max_scopes);
    else
        snprintf(scope, sizeof scope, "per client of %llu (at most %d)",
                 (unsigned long long)rl->clients, rl->max_scopes);
    if (rl->algorithm == LEAKY_BUCKET) snprintf(action, sizeof action, "queue, else reject");
    else if (rl->delay)
        snprintf(action, sizeof action, "delay up to %gs, else reject", (double)rl->max_delay / SIM_S);
    else snprintf(action, sizeof action, "reject");
    snprintf(buf, n, "%s %s, %s, %s; to %s", algorithm_names[rl->algorithm], how, scope, action,
             rl->to ? rl->to->name : "?");
}

/* A global token bucket that rejects is a queue in disguise: the credit in use drains at
 * rate 1 and each admitted call adds 1/rate, so it refuses exactly the arrivals that an
 * M/D/1/K queue with service 1/rate and K = burst would block (Poisson arrivals). */
static void theory(struct sim_component *self, struct sim_report *pred)
{
    struct ratelimit *rl = (struct ratelimit *)self;
    if (rl->algorithm != TOKEN_BUCKET) {
        sim_theory_note(pred, "%s: no closed form here", algorithm_names[rl->algorithm]);
        return;
    }
    if (rl->scope != GLOBAL || rl->delay) {
        sim_theory_note(pred, "the formula is for one global bucket that rejects (not %s)",
                        rl->delay ? "delays" : "a bucket per scope");
        return;
    }
    if (rl->burst > SIM_MD1K_MAX) {
        sim_theory_note(pred, "burst over %d: the M/D/1/K sums are not computed", SIM_MD1K_MAX);
        return;
    }
    double lambda = sim_simulated(pred, "arrivals");
    if (!(lambda > 0)) return;
    double blocked = sim_md1k_blocking(lambda / rl->rate, (int)rl->burst);
    sim_report(pred, "admitted_rate", lambda * (1 - blocked), SIM_UNIT_RATE);
    sim_report(pred, "throttled_ratio", blocked, SIM_UNIT_RATIO);
}

static void fini(struct sim_component *self)
{
    struct ratelimit *rl = (struct ratelimit *)self;
    sim_free(rl->scopes);
    sim_free(rl->rings);
    sim_free(rl->buckets);
}

const struct sim_model ratelimit_model = {
    .name = "ratelimit",
    .summary = "admits or refuses (HTTP 429) or delays calls to a node: token or leaky bucket, "
               "fixed or sliding window",
    .size = sizeof(struct ratelimit),
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
