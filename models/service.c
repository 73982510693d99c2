/* service.c: a pool of instances x workers with a bounded FIFO queue per instance. A job
 * holds a worker for a service time, then makes its downstream calls in sequence (each
 * with a probability, a timeout and retries with backoff, jitter and a retry budget),
 * then answers. Blocking io keeps the worker through the calls; async io releases it.
 * Each call edge may have a circuit breaker, a bulkhead and hedged copies; an attempt has
 * at most 1 + MAX_HEDGE copies out, and its outcome is recorded once, by the breaker epoch
 * it was sent in. Arrivals may be shed by priority when the queue is long.
 * Autoscaling: every instance up to the largest max is allocated at configure; an instance
 * is stopped, booting, running or draining, and only running ones are dealt new calls
 * (run[] lists them, in the order round robin deals). Without autoscale all run. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

enum jitter { JITTER_FULL, JITTER_EQUAL, JITTER_NONE };
static const char *const jitter_names[] = {"full", "equal", "none", NULL};
static const char *const io_names[] = {"blocking", "async", NULL};
static const char *const on_error_names[] = {"propagate", "ignore", NULL};

struct retry_policy {
    int max;
    sim_time backoff, max_backoff;
    double multiplier;
    enum jitter jitter;
};

#define MAX_HEDGE 3

struct call_spec {
    struct sim_component *to;
    double probability;
    uint64_t ops; /* bit per operation this call is made for */
    int op;       /* the operation sent; -1: the incoming one */
    sim_time timeout; /* per attempt; 0 for none */
    struct retry_policy retry;
    bool ignore_errors;
    struct sim_breaker_cfg breaker;
    int max_concurrent;  /* bulkhead; 0: none */
    sim_time hedge_after;
    int hedge_max;       /* 0: no hedging */
};

/* A call edge's state and figures; one per entry of calls, owned by the service. */
struct edge {
    struct sim_breaker breaker;
    int in_flight; /* copies sent and neither answered nor abandoned */
    int next_instance;
    /* measurement */
    struct sim_level in_flight_level;
    uint64_t bulkhead_rejected, hedges, hedges_won;
};

/* A call being served; from the service's pool, owned by the service until it answers. */
struct job {
    struct sim_job sj;          /* its place on its instance, queued or in service */
    struct sim_call *in;
    sim_time arrived;
    int instance, step, attempt;
    bool probe;                 /* sent by a half-open breaker */
    uint32_t epoch;             /* the breaker's epoch when the attempt was sent */
    int nout, nsent;            /* copies of the attempt outstanding, and sent */
    struct sim_call *out[1 + MAX_HEDGE];
    int copy[1 + MAX_HEDGE];    /* out[k] is copy copy[k]: 0 the first, then the hedges */
    int first_instance;         /* hedging over instances: copy 0's */
    struct sim_event *timer;    /* the current attempt's timeout, or the backoff */
    struct sim_event *hedge_timer;
    struct sim_event *work;     /* the service time running, or NULL */
};

enum instance_state { STOPPED, BOOTING, RUNNING, DRAINING };

struct instance {
    struct sim_server srv; /* its workers, queue and the jobs a crash loses */
    enum instance_state state;
    struct sim_event *boot; /* while booting */
};

/* A capacity change at a time (autoscale.schedule). */
struct capacity_step {
    sim_time at;
    int min, max;
};

/* Target tracking (docs/scenario.md, `autoscale`); owned by the service. */
struct autoscale {
    bool on;
    int min, max, desired;
    bool by_utilisation; /* else requests per instance per evaluation period */
    double target;
    sim_time period, cooldown_out, cooldown_in;
    int periods;
    struct sim_dist *startup;
    struct capacity_step *steps;
    int nsteps;
    struct sim_rng *rng;
    /* state */
    int *run, *pos;         /* running instances in dealing order; pos[i]: index in run or -1 */
    uint8_t *replacing;     /* per instance: booting to replace a crashed one (its slot) */
    uint64_t replaced;
    int nrun, booting, draining, next_pick;
    int above, below;       /* consecutive periods beyond the target, each way */
    sim_time last_out, last_action; /* SIM_NEVER: none yet */
    sim_time episode_start; /* -1: no scale-out episode open */
    sim_time episode_end;   /* when its last instance came up (-1: none yet) */
    struct sim_level p_busy, p_serving; /* over the current evaluation period */
    uint64_t p_arrivals;
    /* measurement */
    struct sim_level billed, serving; /* booting + running + draining; running + draining */
    double billed_min;
    uint64_t outs, ins, episodes;
    double ttt_sum, ttt_max;
};

struct service {
    struct sim_component base;
    int ninstances, workers;
    int64_t queue_limit; /* per instance; -1: unbounded */
    bool async_io;
    struct sim_dist *service_time;
    struct sim_dist **service_time_by_op; /* indexed by op; NULL: the default */
    int nops;
    struct call_spec *calls;
    struct edge *edges;
    int ncalls;
    int8_t priority[SIM_MAX_OPS]; /* per operation: 0 most important */
    int64_t shed_above;           /* queue length from which to shed; -1: never */
    double shed_fraction;         /* as written, when given as a fraction of the queue */
    int shed_priority;            /* calls with a priority above it are shed */
    struct { double ratio, min_per_second, burst, tokens; sim_time since; bool on; } budget;
    struct instance *instances;
    int next_instance;
    struct autoscale as;
    struct sim_pool jobs;
    struct sim_rng *service_rng, *call_rng, *jitter_rng;
    /* measurement */
    struct sim_level busy, queued, in_system;
    uint64_t arrivals, ok, started, waited, rejected_full, departures, shed;
    uint64_t routed; /* arrivals whose instance the caller chose (a load balancer) */
    uint64_t shed_by_op[SIM_MAX_OPS];
    uint64_t errors[SIM_STATUS_COUNT], retries, retries_denied;
    uint64_t *op_arrivals; /* per operation, kept when service times differ by operation */
    double wait_sum, residence_sum;
    struct sim_hist latency;
    /* archsim theory: the closed network this node is part of (owned by the entry) */
    struct closed_net *net;
    int station;
};

static void read_retry(struct sim_cfg *cfg, const char *key, struct retry_policy *p)
{
    struct sim_cfg *r = sim_cfg_object(cfg, key, false);
    if (!r) return;
    p->max = (int)sim_cfg_int(r, "max", SIM_REQUIRED, 0, 100);
    p->backoff = sim_cfg_duration(r, "backoff", 0, 0, SIM_NEVER / 4);
    p->multiplier = sim_cfg_number(r, "multiplier", 2.0, 1.0, 100.0);
    p->max_backoff = sim_cfg_duration(r, "max_backoff", 30 * SIM_S, 0, SIM_NEVER / 4);
    p->jitter = (enum jitter)sim_cfg_choice(r, "jitter", JITTER_FULL, jitter_names);
}

/* breaker, max_concurrent and hedge, at service level (defaults) or on one call. */
static void read_resilience(struct sim_cfg *cfg, struct call_spec *spec)
{
    sim_breaker_configure(&spec->breaker, cfg);
    spec->max_concurrent = (int)sim_cfg_int(cfg, "max_concurrent", spec->max_concurrent, 1, 1000000000);
    struct sim_cfg *h = sim_cfg_object(cfg, "hedge", false);
    if (h) {
        spec->hedge_after = sim_cfg_duration(h, "after", SIM_REQUIRED, SIM_NS, SIM_MAX_DURATION);
        spec->hedge_max = (int)sim_cfg_int(h, "max", 1, 1, MAX_HEDGE);
    }
}

static void read_call(struct service *s, struct sim_cfg *c, struct call_spec *spec,
                      const struct call_spec *defaults)
{
    *spec = *defaults;
    sim_cfg_peer(c, "to", &spec->to, true);
    spec->probability = sim_cfg_number(c, "probability", 1.0, 0.0, 1.0);
    int nops = sim_cfg_array(c, "ops");
    spec->ops = nops ? 0 : ~(uint64_t)0;
    for (int i = 0; i < nops; i++) {
        const char *name = sim_cfg_string_item(c, "ops", i);
        if (name) spec->ops |= (uint64_t)1 << sim_cfg_op(c, name);
    }
    const char *op = sim_cfg_string(c, "op", "");
    spec->op = op[0] ? sim_cfg_op(c, op) : -1;
    spec->timeout = sim_cfg_duration(c, "timeout", defaults->timeout, 0, SIM_NEVER / 4);
    read_retry(c, "retries", &spec->retry);
    spec->ignore_errors = sim_cfg_choice(c, "on_error", 0, on_error_names) == 1;
    read_resilience(c, spec);
    (void)s;
}

/* autoscale: the instances allocated become the largest max (its own or a schedule's). */
static void read_autoscale(struct service *s, struct sim_cfg *cfg)
{
    struct autoscale *as = &s->as;
    struct sim_cfg *a = sim_cfg_object(cfg, "autoscale", false);
    if (!a) return;
    as->on = true;
    as->min = (int)sim_cfg_int(a, "min", SIM_REQUIRED, 1, 100000);
    as->max = (int)sim_cfg_int(a, "max", SIM_REQUIRED, 1, 100000);
    if (!sim_cfg_failed(a) && as->max < as->min)
        sim_cfg_error(a, "max", "expected at least min (%d), got %d", as->min, as->max);
    as->desired = (int)sim_cfg_int(a, "desired", s->ninstances, 1, 100000);
    if (!sim_cfg_failed(a) && (as->desired < as->min || as->desired > as->max)) {
        if (sim_cfg_has(a, "desired"))
            sim_cfg_error(a, "desired", "expected from min to max (%d to %d), got %d", as->min,
                          as->max, as->desired);
        else
            sim_cfg_error(cfg, "instances", "the initial count with autoscale: expected from "
                          "autoscale.min to autoscale.max (%d to %d), got %d", as->min, as->max,
                          as->desired);
    }
    struct sim_cfg *t = sim_cfg_object(a, "target", true);
    if (t) {
        bool u = sim_cfg_has(t, "utilisation"), r = sim_cfg_has(t, "requests_per_instance");
        if (u == r)
            sim_cfg_error(t, NULL, "expected utilisation or requests_per_instance (one of the two)");
        else if (u)
            as->target = sim_cfg_number(t, "utilisation", NAN, 0.01, 1);
        else
            as->target = sim_cfg_number(t, "requests_per_instance", NAN, 1e-6, 1e12);
        as->by_utilisation = u;
    }
    as->period = sim_cfg_duration(a, "evaluation_period", 60 * SIM_S, SIM_MS, SIM_MAX_DURATION);
    as->periods = (int)sim_cfg_int(a, "periods", 1, 1, 1000);
    as->cooldown_out = sim_cfg_duration(a, "cooldown_out", 60 * SIM_S, 0, SIM_MAX_DURATION);
    as->cooldown_in = sim_cfg_duration(a, "cooldown_in", 300 * SIM_S, 0, SIM_MAX_DURATION);
    as->startup = sim_cfg_dist(a, "startup", SIM_QTY_DURATION, "\"0s\"");
    as->nsteps = sim_cfg_array(a, "schedule");
    as->steps = sim_alloc((size_t)(as->nsteps ? as->nsteps : 1) * sizeof *as->steps);
    int cap = as->max;
    for (int i = 0; i < as->nsteps; i++) {
        struct sim_cfg *c = sim_cfg_item(a, "schedule", i);
        if (!c) continue;
        struct capacity_step *st = &as->steps[i];
        st->at = sim_cfg_duration(c, "at", SIM_REQUIRED, 0, SIM_NEVER - 1);
        st->min = (int)sim_cfg_int(c, "min", SIM_REQUIRED, 1, 100000);
        st->max = (int)sim_cfg_int(c, "max", SIM_REQUIRED, 1, 100000);
        if (sim_cfg_failed(c)) continue;
        if (i > 0 && st->at <= as->steps[i - 1].at)
            sim_cfg_error(c, "at", "expected times in increasing order");
        else if (st->max < st->min)
            sim_cfg_error(c, "max", "expected at least min (%d), got %d", st->min, st->max);
        if (st->max > cap) cap = st->max;
    }
    s->ninstances = cap;
}

static void begin_service(struct sim_component *self, struct sim_job *sj);

static void configure(struct sim_component *self, struct sim_cfg *cfg)
{
    struct service *s = (struct service *)self;
    s->ninstances = (int)sim_cfg_int(cfg, "instances", 1, 1, 100000);
    /* A storage tier presets the service time and the workers; the node's own win. */
    struct sim_storage tier;
    bool storage = sim_storage_read(cfg, "storage", &tier);
    sim_server_configure(cfg, storage ? tier.workers : 1, &s->workers, &s->queue_limit);
    s->async_io = sim_cfg_choice(cfg, "io", 0, io_names) == 1;
    s->service_time = storage && !sim_cfg_has(cfg, "service_time")
                          ? tier.service_time
                          : sim_cfg_dist(cfg, "service_time", SIM_QTY_DURATION, NULL);
    read_autoscale(s, cfg);

    struct sim_cfg *by_op = sim_cfg_object(cfg, "service_time_by_op", false);
    int n = by_op ? sim_cfg_size(by_op) : 0;
    for (int i = 0; i < n; i++) {
        const char *name = sim_cfg_key_at(by_op, i);
        int op = sim_cfg_op(by_op, name);
        if (op >= s->nops) {
            s->service_time_by_op = sim_realloc(s->service_time_by_op,
                                                (size_t)(op + 1) * sizeof *s->service_time_by_op);
            for (int k = s->nops; k <= op; k++) s->service_time_by_op[k] = NULL;
            s->nops = op + 1;
        }
        s->service_time_by_op[op] = sim_cfg_dist(by_op, name, SIM_QTY_DURATION, NULL);
    }

    /* Load shedding: priorities per operation, and the queue length from which to shed. */
    memset(s->priority, 1, sizeof s->priority);
    struct sim_cfg *pr = sim_cfg_object(cfg, "priorities", false);
    int np = pr ? sim_cfg_size(pr) : 0;
    for (int i = 0; i < np; i++) {
        const char *name = sim_cfg_key_at(pr, i);
        int op = sim_cfg_op(pr, name);
        s->priority[op] = (int8_t)sim_cfg_int(pr, name, SIM_REQUIRED, 0, 100);
    }
    s->shed_above = -1;
    if (sim_cfg_type(cfg, "shed_above") == SIM_CFG_STRING) {
        const char *text = sim_cfg_string(cfg, "shed_above", NULL);
        char *end;
        double pct = strtod(text, &end);
        if (end == text || strcmp(end, "%") != 0 || !(pct > 0 && pct <= 100))
            sim_cfg_error(cfg, "shed_above", "expected a queue length or a percentage of the queue "
                                             "such as \"80%%\", got \"%s\"", text);
        else if (s->queue_limit < 0)
            sim_cfg_error(cfg, "shed_above", "a percentage needs a bounded queue");
        else
            s->shed_above = (int64_t)floor(pct / 100 * (double)s->queue_limit);
    } else if (sim_cfg_has(cfg, "shed_above")) {
        s->shed_above = sim_cfg_int(cfg, "shed_above", SIM_REQUIRED, 0, INT32_MAX);
    }
    s->shed_priority = (int)sim_cfg_int(cfg, "shed_priority", 0, 0, 100);
    if (s->shed_above < 0 && sim_cfg_has(cfg, "shed_priority"))
        sim_cfg_error(cfg, "shed_priority", "only with shed_above");

    struct call_spec defaults = {.probability = 1, .op = -1};
    defaults.timeout = sim_cfg_duration(cfg, "timeout", 0, 0, SIM_NEVER / 4);
    read_retry(cfg, "retries", &defaults.retry);
    read_resilience(cfg, &defaults);
    s->ncalls = sim_cfg_array(cfg, "calls");
    s->calls = sim_alloc((size_t)(s->ncalls ? s->ncalls : 1) * sizeof *s->calls);
    for (int i = 0; i < s->ncalls; i++) {
        struct sim_cfg *c = sim_cfg_item(cfg, "calls", i);
        if (c) read_call(s, c, &s->calls[i], &defaults);
    }
    struct sim_cfg *b = sim_cfg_object(cfg, "retry_budget", false);
    if (b) {
        s->budget.on = true;
        s->budget.ratio = sim_cfg_number(b, "ratio", NAN, 0, 100);
        s->budget.min_per_second = sim_cfg_number(b, "min_per_second", 10, 0, 1e9);
        s->budget.burst = sim_cfg_number(b, "burst", 10, 1, 1e9);
        s->budget.tokens = s->budget.burst;
    }

    s->edges = sim_alloc((size_t)(s->ncalls ? s->ncalls : 1) * sizeof *s->edges);
    for (int i = 0; i < s->ncalls; i++) sim_breaker_init(&s->edges[i].breaker, self, &s->calls[i].breaker);
    s->instances = sim_alloc((size_t)s->ninstances * sizeof *s->instances);
    for (int i = 0; i < s->ninstances; i++) {
        sim_server_init(&s->instances[i].srv, self, s->workers, s->queue_limit, &s->busy,
                        &s->queued, begin_service);
        s->instances[i].state = RUNNING;
    }
    if (s->as.on) {
        struct autoscale *as = &s->as;
        as->run = sim_alloc((size_t)s->ninstances * sizeof *as->run);
        as->pos = sim_alloc((size_t)s->ninstances * sizeof *as->pos);
        as->replacing = sim_alloc((size_t)s->ninstances);
        as->rng = sim_rng(self, "startup");
    }
    if (s->nops) s->op_arrivals = sim_alloc(SIM_MAX_OPS * sizeof *s->op_arrivals);
    sim_pool_init(&s->jobs, sizeof(struct job));
    s->service_rng = sim_rng(self, "service");
    s->call_rng = sim_rng(self, "calls");
    s->jitter_rng = sim_rng(self, "jitter");
    sim_hist_init(&s->latency);
}

/* ---- autoscaling ---- */

static void billed_add(struct service *s, double delta)
{
    struct autoscale *as = &s->as;
    sim_level_add(&as->billed, sim_now(&s->base), delta);
    if (as->billed.level < as->billed_min) as->billed_min = as->billed.level;
}

static void serving_add(struct service *s, double delta)
{
    sim_time now = sim_now(&s->base);
    sim_level_add(&s->as.serving, now, delta);
    sim_level_add(&s->as.p_serving, now, delta);
}

static void run_add(struct autoscale *as, int i)
{
    as->pos[i] = as->nrun;
    as->run[as->nrun++] = i;
}

/* Removes instance i from the dealing order (the last one takes its place). */
static void run_remove(struct autoscale *as, int i)
{
    int k = as->pos[i], last = as->run[--as->nrun];
    as->run[k] = last;
    as->pos[last] = k;
    as->pos[i] = -1;
    if (as->nrun && as->next_pick >= as->nrun) as->next_pick = 0;
}

/* An instance that finished booting: it takes calls from now on. */
static void booted(struct sim_component *self, void *arg)
{
    struct service *s = (struct service *)self;
    struct autoscale *as = &s->as;
    struct instance *in = arg;
    in->boot = NULL;
    int i = (int)(in - s->instances);
    /* A booted instance is a new machine: faults on the old one in this slot are over. */
    if (!sim_fault_replace(self, i)) {
        in->boot = sim_schedule(self, as->period, booted, in); /* still down: try again */
        return;
    }
    if (as->replacing[i]) sim_story(self, "replacement instance %d is up", i);
    as->replacing[i] = 0;
    in->state = RUNNING;
    as->booting--;
    run_add(as, i);
    serving_add(s, 1);
    if (as->episode_start >= 0 && as->booting == 0) as->episode_end = sim_now(self);
}

static void start_instance(struct service *s, int i)
{
    struct autoscale *as = &s->as;
    struct instance *in = &s->instances[i];
    if (in->state == DRAINING) { /* still warm: it takes calls again at once */
        in->state = RUNNING;
        as->draining--;
        run_add(as, i);
        return;
    }
    in->state = BOOTING;
    as->booting++;
    billed_add(s, 1);
    sim_time d = sim_dist_is_zero(as->startup) ? 0 : sim_dist_draw_time(as->startup, as->rng);
    if (d == 0) booted(&s->base, in);
    else in->boot = sim_schedule(&s->base, d, booted, in);
}

static void stop_if_drained(struct service *s, struct instance *in)
{
    if (in->state != DRAINING || sim_server_load(&in->srv)) return;
    in->state = STOPPED;
    s->as.draining--;
    billed_add(s, -1);
    serving_add(s, -1);
}

/* Instances taking calls or about to: running and booting. */
static int capacity(const struct autoscale *as)
{
    return as->nrun + as->booting;
}

/* Starts n instances: draining ones first (the highest index), then the lowest stopped. */
static void scale_out(struct service *s, int n)
{
    struct autoscale *as = &s->as;
    for (int i = s->ninstances - 1; i >= 0 && n > 0; i--)
        if (s->instances[i].state == DRAINING) { start_instance(s, i); n--; }
    for (int i = 0; i < s->ninstances && n > 0; i++)
        if (s->instances[i].state == STOPPED) { start_instance(s, i); n--; }
    sim_time now = sim_now(&s->base);
    as->last_out = as->last_action = now;
    if (sim_measuring(&s->base)) as->outs++;
}

/* Removes n instances: booting ones (highest index first), then idle running ones, which
 * stop at once, then busy running ones, which drain: no new calls, and they stop when
 * their last call leaves. Never below one running instance. */
static void scale_in(struct service *s, int n)
{
    struct autoscale *as = &s->as;
    for (int i = s->ninstances - 1; i >= 0 && n > 0; i--) {
        struct instance *in = &s->instances[i];
        if (in->state != BOOTING) continue;
        sim_cancel(in->boot);
        in->boot = NULL;
        in->state = STOPPED;
        as->booting--;
        billed_add(s, -1);
        n--;
    }
    for (int pass = 0; pass < 2; pass++) {
        for (int i = s->ninstances - 1; i >= 0 && n > 0 && as->nrun > 1; i--) {
            struct instance *in = &s->instances[i];
            bool idle = !sim_server_load(&in->srv);
            if (in->state != RUNNING || (pass == 0 && !idle)) continue;
            run_remove(as, i);
            in->state = DRAINING;
            as->draining++;
            stop_if_drained(s, in);
            n--;
        }
    }
    as->last_action = sim_now(&s->base);
    if (sim_measuring(&s->base)) as->ins++;
}

static void end_episode(struct service *s)
{
    struct autoscale *as = &s->as;
    if (as->episode_start < 0) return;
    if (as->episode_end >= 0 && sim_measuring(&s->base)) {
        double t = (double)(as->episode_end - as->episode_start) / SIM_S;
        as->episodes++;
        as->ttt_sum += t;
        if (t > as->ttt_max) as->ttt_max = t;
    }
    as->episode_start = as->episode_end = -1;
}

/* The current bounds: min and max, or the latest scheduled ones. */
static void bounds(const struct service *s, int *lo, int *hi)
{
    const struct autoscale *as = &s->as;
    sim_time now = sim_now(&s->base);
    *lo = as->min;
    *hi = as->max;
    for (int i = 0; i < as->nsteps && as->steps[i].at <= now; i++) {
        *lo = as->steps[i].min;
        *hi = as->steps[i].max;
    }
}

/* The platform's status check: a running instance found crashed leaves the rotation and a
 * new machine boots in its slot (the crashed one is terminated); a hang passes it. */
static void replace_crashed(struct service *s)
{
    struct autoscale *as = &s->as;
    for (int k = as->nrun - 1; k >= 0; k--) {
        int i = as->run[k];
        if (!sim_fault_down(&s->base, i)) continue;
        run_remove(as, i);
        serving_add(s, -1);
        billed_add(s, -1);
        s->instances[i].state = STOPPED;
        sim_fault_detected(&s->base, &s->base, i);
        sim_story(&s->base, "autoscaling finds instance %d crashed and replaces it", i);
        as->replacing[i] = 1;
        if (sim_measuring(&s->base)) as->replaced++;
        start_instance(s, i);
    }
}

/* Target tracking at the end of each evaluation period: desired = ceil(running x metric /
 * target), clamped; acts after `periods` periods in a row beyond it, cooldowns allowing. */
static sim_time evaluate(struct sim_component *self, void *arg)
{
    struct service *s = (struct service *)self;
    struct autoscale *as = &s->as;
    sim_time now = sim_now(self);
    (void)arg;
    replace_crashed(s);
    double serving = sim_level_mean(&as->p_serving, now);
    double metric = 0;
    if (serving > 0)
        metric = as->by_utilisation
                     ? sim_level_mean(&as->p_busy, now) / (serving * s->workers)
                     : (double)as->p_arrivals / serving;
    sim_level_restart(&as->p_busy, now);
    sim_level_restart(&as->p_serving, now);
    as->p_arrivals = 0;
    int lo, hi;
    bounds(s, &lo, &hi);
    double want = ceil((double)as->nrun * metric / as->target - 1e-9);
    int desired = want < lo ? lo : want > hi ? hi : (int)want;
    int have = capacity(as);
    if (desired > have) {
        if (as->episode_start < 0) {
            as->episode_start = now - as->period;
            as->episode_end = -1;
        }
        as->below = 0;
        if (++as->above >= as->periods &&
            (as->last_out == SIM_NEVER || now - as->last_out >= as->cooldown_out)) {
            scale_out(s, desired - have);
            as->above = 0;
        }
    } else if (desired < have) {
        end_episode(s);
        as->above = 0;
        if (++as->below >= as->periods && as->booting == 0 &&
            (as->last_action == SIM_NEVER || now - as->last_action >= as->cooldown_in)) {
            scale_in(s, have - desired);
            as->below = 0;
        }
    } else {
        if (as->booting == 0) end_episode(s);
        as->above = as->below = 0;
    }
    return as->period;
}

/* A scheduled capacity change: the count is brought inside the new bounds at once. */
static void apply_step(struct sim_component *self, void *arg)
{
    struct service *s = (struct service *)self;
    const struct capacity_step *st = arg;
    int have = capacity(&s->as);
    if (have < st->min) scale_out(s, st->min - have);
    else if (have > st->max) scale_in(s, have - st->max);
}

static void autoscale_start(struct service *s)
{
    struct autoscale *as = &s->as;
    for (int i = 0; i < s->ninstances; i++) {
        as->pos[i] = -1;
        s->instances[i].state = STOPPED;
    }
    for (int i = 0; i < as->desired; i++) {
        s->instances[i].state = RUNNING;
        run_add(as, i);
    }
    as->last_out = as->last_action = SIM_NEVER;
    as->episode_start = as->episode_end = -1;
    sim_level_init(&as->billed, 0, as->desired);
    sim_level_init(&as->serving, 0, as->desired);
    sim_level_init(&as->p_serving, 0, as->desired);
    sim_level_init(&as->p_busy, 0, 0);
    as->billed_min = as->desired;
    sim_every(&s->base, as->period, evaluate, NULL);
    for (int i = 0; i < as->nsteps; i++)
        sim_schedule(&s->base, as->steps[i].at, apply_step, &as->steps[i]);
}

static void start(struct sim_component *self)
{
    struct service *s = (struct service *)self;
    sim_level_init(&s->busy, 0, 0);
    sim_level_init(&s->queued, 0, 0);
    sim_level_init(&s->in_system, 0, 0);
    for (int i = 0; i < s->ncalls; i++) sim_level_init(&s->edges[i].in_flight_level, 0, 0);
    if (s->as.on) autoscale_start(s);
}

static void next_call(struct service *s, struct job *j);

/* The job's worker goes to the instance's next waiter (nothing when it holds none). */
static void release_worker(struct service *s, struct job *j)
{
    if (!j->sj.serving) return;
    if (s->as.on) sim_level_add(&s->as.p_busy, sim_now(&s->base), -1);
    sim_server_release(&j->sj, false);
    if (s->as.on) stop_if_drained(s, &s->instances[j->instance]);
}

/* The job leaves the instance: its worker, its place in the live list, its memory. */
static void leave(struct service *s, struct job *j)
{
    sim_level_add(&s->in_system, sim_now(&s->base), -1);
    sim_server_leave(&j->sj, false);
    sim_pool_put(&s->jobs, j);
}

static void answer(struct service *s, struct job *j, enum sim_status status)
{
    struct sim_component *self = &s->base;
    sim_time now = sim_now(self);
    release_worker(s, j);
    if (sim_measuring(self)) {
        s->departures++;
        s->residence_sum += (double)(now - j->arrived);
        if (status == SIM_OK) {
            s->ok++;
            sim_hist_record(&s->latency, now - j->arrived);
        } else {
            s->errors[status]++;
        }
    }
    sim_respond(j->in, status);
    leave(s, j);
}

static void service_done(struct sim_component *self, void *arg)
{
    struct service *s = (struct service *)self;
    struct job *j = arg;
    j->work = NULL;
    j->step = 0;
    j->attempt = 0;
    next_call(s, j);
}

/* A worker of the job's instance takes it: its wait ends, its service time begins. */
static void begin_service(struct sim_component *self, struct sim_job *sj)
{
    struct service *s = (struct service *)self;
    struct job *j = SIM_CONTAINER(sj, struct job, sj);
    sim_time now = sim_now(self);
    if (s->as.on) sim_level_add(&s->as.p_busy, now, 1);
    if (sim_measuring(self)) {
        s->started++;
        if (now > j->arrived) s->waited++;
        s->wait_sum += (double)(now - j->arrived);
    }
    int op = j->in->op;
    const struct sim_dist *d =
        op < s->nops && s->service_time_by_op[op] ? s->service_time_by_op[op] : s->service_time;
    sim_time t = sim_fault_slowed(self, j->instance, sim_dist_draw_time(d, s->service_rng));
    j->work = sim_schedule(self, t, service_done, j);
}

static void receive(struct sim_component *self, struct sim_call *call)
{
    struct service *s = (struct service *)self;
    sim_time now = sim_now(self);
    if (sim_measuring(self)) {
        s->arrivals++;
        if (s->op_arrivals) s->op_arrivals[call->op]++;
    }
    /* A caller that picked an instance (a load balancer) gets it; others are dealt round robin. */
    int instance = call->instance;
    if (instance >= 0 && instance < s->ninstances && sim_measuring(self)) s->routed++;
    if (s->as.on) {
        /* Autoscaled: a call naming an instance that is not running is dealt like any other. */
        s->as.p_arrivals++;
        if (instance < 0 || instance >= s->ninstances || s->instances[instance].state != RUNNING) {
            if (!s->as.nrun) { /* every instance crashed and their replacements boot */
                sim_respond(call, SIM_UNAVAILABLE);
                return;
            }
            instance = s->as.run[s->as.next_pick];
            s->as.next_pick = (s->as.next_pick + 1) % s->as.nrun;
        }
    } else if (instance < 0 || instance >= s->ninstances) {
        instance = s->next_instance;
        s->next_instance = (s->next_instance + 1) % s->ninstances;
    }
    /* The engine met the faults of an instance the caller named; this one was dealt here. */
    if (instance != call->instance && sim_fault_takes(self, call, instance)) return;
    sim_level_add(&s->in_system, now, 1);
    struct instance *in = &s->instances[instance];
    /* Field by field: out[] and copy[] are read only below nout, so they stay as they are
     * (zeroing the whole job cost a 144-byte store per request). */
    struct job *j = sim_pool_get(&s->jobs);
    j->in = call;
    j->arrived = now;
    j->instance = instance;
    j->step = j->attempt = 0;
    j->sj.server = NULL; /* not on the instance until sim_server_arrive */
    j->sj.serving = j->probe = false;
    j->epoch = 0;
    j->nout = j->nsent = 0;
    j->first_instance = 0;
    j->timer = j->hedge_timer = j->work = NULL;
    call->callee_data = j;

    /* Shedding: a call that would wait behind shed_above others is refused when its
     * operation's priority is above shed_priority (less important). */
    if (s->shed_above >= 0 && in->srv.busy >= s->workers &&
        (int64_t)in->srv.queue.count >= s->shed_above && s->priority[call->op] > s->shed_priority) {
        if (sim_measuring(self)) {
            s->shed++;
            s->shed_by_op[call->op]++;
        }
        answer(s, j, SIM_REJECTED);
        return;
    }
    if (sim_server_arrive(&in->srv, &j->sj, false) == SIM_SERVER_FULL) {
        if (sim_measuring(self)) s->rejected_full++;
        answer(s, j, SIM_REJECTED);
    }
}

static void on_timeout(struct sim_component *self, void *arg);
static void on_hedge(struct sim_component *self, void *arg);
static void handle_error(struct service *s, struct job *j, enum sim_status status);

/* ---- attempts and their copies ---- */

static void copy_sent(struct service *s, struct edge *e, int delta)
{
    e->in_flight += delta;
    sim_level_add(&e->in_flight_level, sim_now(&s->base), delta);
}

/* Sends copy number j->nsent of the current attempt. With hedging over a callee of several
 * instances, copy k goes to the instance after copy k-1's. */
static void send_copy(struct service *s, struct job *j)
{
    struct sim_component *self = &s->base;
    const struct call_spec *spec = &s->calls[j->step];
    struct edge *e = &s->edges[j->step];
    int op = spec->op >= 0 ? spec->op : j->in->op;
    struct sim_call *c = sim_call_new(self, spec->to, j->in, op, j->in->key, j->in->deadline);
    c->attempt = j->attempt;
    c->caller_data = j;
    if (spec->hedge_max) {
        int n = sim_instances(spec->to);
        if (n > 1) {
            if (j->nsent == 0) {
                j->first_instance = e->next_instance;
                e->next_instance = (e->next_instance + 1) % n;
            }
            c->instance = (j->first_instance + j->nsent) % n;
        }
    }
    j->out[j->nout] = c;
    j->copy[j->nout] = j->nsent;
    j->nout++;
    j->nsent++;
    copy_sent(s, e, 1);
    sim_call_send(c);
}

/* Abandons every copy still out and stops the attempt's timers. */
static void end_attempt(struct service *s, struct job *j)
{
    struct edge *e = &s->edges[j->step];
    for (int k = 0; k < j->nout; k++) sim_call_abandon(j->out[k]);
    if (j->nout) copy_sent(s, e, -j->nout);
    j->nout = 0;
    sim_cancel(j->timer);
    sim_cancel(j->hedge_timer);
    j->timer = j->hedge_timer = NULL;
}

/* A call refused by the caller itself (circuit open, bulkhead full): not retried. */
static void local_reject(struct service *s, struct job *j)
{
    if (s->calls[j->step].ignore_errors) {
        j->step++;
        next_call(s, j);
        return;
    }
    answer(s, j, SIM_REJECTED);
}

static void send_attempt(struct service *s, struct job *j)
{
    struct sim_component *self = &s->base;
    const struct call_spec *spec = &s->calls[j->step];
    struct edge *e = &s->edges[j->step];
    if (!sim_breaker_admits(&e->breaker, &j->probe)) {
        local_reject(s, j);
        return;
    }
    if (spec->max_concurrent && e->in_flight >= spec->max_concurrent) {
        if (j->probe) sim_breaker_unprobe(&e->breaker); /* the probe was not made */
        if (sim_measuring(self)) e->bulkhead_rejected++;
        local_reject(s, j);
        return;
    }
    j->epoch = e->breaker.epoch;
    j->nout = j->nsent = 0;
    send_copy(s, j);
    j->timer = spec->timeout ? sim_schedule(self, spec->timeout, on_timeout, j) : NULL;
    j->hedge_timer = spec->hedge_max ? sim_schedule(self, spec->hedge_after, on_hedge, j) : NULL;
}

static void on_hedge(struct sim_component *self, void *arg)
{
    struct service *s = (struct service *)self;
    struct job *j = arg;
    const struct call_spec *spec = &s->calls[j->step];
    struct edge *e = &s->edges[j->step];
    j->hedge_timer = NULL;
    /* A hedge is a call like any other: the bulkhead may refuse it (it is then not sent). */
    if (!spec->max_concurrent || e->in_flight < spec->max_concurrent) {
        if (sim_measuring(self)) e->hedges++;
        send_copy(s, j);
    }
    if (j->nsent <= spec->hedge_max)
        j->hedge_timer = sim_schedule(self, spec->hedge_after, on_hedge, j);
}

static void retry_now(struct sim_component *self, void *arg)
{
    struct job *j = arg;
    j->timer = NULL;
    send_attempt((struct service *)self, j);
}

/* Makes the next downstream call whose operation and probability say so, or answers. */
static void next_call(struct service *s, struct job *j)
{
    for (; j->step < s->ncalls; j->step++) {
        const struct call_spec *spec = &s->calls[j->step];
        if (!(spec->ops >> j->in->op & 1)) continue;
        if (spec->probability < 1 && sim_uniform(s->call_rng) >= spec->probability) continue;
        if (s->async_io) release_worker(s, j);
        j->attempt = 0;
        if (s->budget.on) s->budget.tokens += s->budget.ratio;
        send_attempt(s, j);
        return;
    }
    answer(s, j, SIM_OK);
}

/* A copy's answer: the first success wins and the other copies are abandoned (their work
 * goes on downstream); an error only ends the attempt when no other copy is out. */
static void respond(struct sim_component *self, struct sim_call *call)
{
    struct service *s = (struct service *)self;
    struct job *j = call->caller_data;
    struct edge *e = &s->edges[j->step];
    int k = 0;
    while (k < j->nout && j->out[k] != call) k++;
    SIM_ASSERT(self, k < j->nout);
    int copy = j->copy[k];
    for (; k + 1 < j->nout; k++) {
        j->out[k] = j->out[k + 1];
        j->copy[k] = j->copy[k + 1];
    }
    j->nout--;
    copy_sent(s, e, -1);
    if (call->status == SIM_OK) {
        if (copy > 0 && sim_measuring(self)) e->hedges_won++;
        end_attempt(s, j);
        sim_breaker_record(&e->breaker, j->epoch, true);
        j->step++;
        next_call(s, j);
        return;
    }
    if (j->nout > 0) return; /* another copy may still succeed */
    end_attempt(s, j);
    sim_breaker_record(&e->breaker, j->epoch, false);
    handle_error(s, j, call->status);
}

static void on_timeout(struct sim_component *self, void *arg)
{
    struct service *s = (struct service *)self;
    struct job *j = arg;
    j->timer = NULL;
    end_attempt(s, j);
    sim_breaker_record(&s->edges[j->step].breaker, j->epoch, false);
    handle_error(s, j, SIM_TIMEOUT);
}

static bool budget_allows(struct service *s)
{
    if (!s->budget.on) return true;
    sim_time now = sim_now(&s->base);
    s->budget.tokens += s->budget.min_per_second * (double)(now - s->budget.since) / SIM_S;
    s->budget.since = now;
    if (s->budget.tokens > s->budget.burst) s->budget.tokens = s->budget.burst;
    /* Ten deposits of 0.1 add up to 0.9999999999999999: a retry must not wait for an 11th. */
    if (s->budget.tokens < 1 - 1e-9) return false;
    s->budget.tokens -= 1;
    return true;
}

static sim_time backoff(struct service *s, const struct retry_policy *p, int attempt)
{
    double b = (double)p->backoff * pow(p->multiplier, attempt - 1);
    if (b > (double)p->max_backoff) b = (double)p->max_backoff;
    if (p->jitter == JITTER_FULL) b *= sim_uniform(s->jitter_rng);
    else if (p->jitter == JITTER_EQUAL) b = b / 2 + b / 2 * sim_uniform(s->jitter_rng);
    return (sim_time)llround(b);
}

static void handle_error(struct service *s, struct job *j, enum sim_status status)
{
    struct sim_component *self = &s->base;
    const struct call_spec *spec = &s->calls[j->step];
    if (j->attempt < spec->retry.max) {
        if (budget_allows(s)) {
            j->attempt++;
            if (sim_measuring(self)) s->retries++;
            j->timer = sim_schedule(self, backoff(s, &spec->retry, j->attempt), retry_now, j);
            return;
        }
        if (sim_measuring(self)) s->retries_denied++;
    }
    if (spec->ignore_errors) {
        j->step++;
        next_call(s, j);
        return;
    }
    answer(s, j, status);
}

/* ---- faults ---- */

/* Stops everything a job has running: its service time, its timers, its calls out. */
static void freeze(struct service *s, struct job *j)
{
    if (j->nout) end_attempt(s, j);
    sim_cancel(j->timer);
    sim_cancel(j->hedge_timer);
    sim_cancel(j->work);
    j->timer = j->hedge_timer = j->work = NULL;
}

/* A crash, or the restart that ends a hang, loses the instance's work: every job on it,
 * queued or not, is answered with status (the connection reset), or, when the machine is
 * gone (a silent crash), never answered. */
static void drop_instance(struct service *s, int i, enum sim_status status, bool silent)
{
    struct instance *in = &s->instances[i];
    int busy = in->srv.busy;
    struct sim_job *list = sim_server_drop(&in->srv);
    if (s->as.on && busy) sim_level_add(&s->as.p_busy, sim_now(&s->base), -busy);
    uint64_t lost = 0;
    for (; list; lost++) {
        struct job *j = SIM_CONTAINER(list, struct job, sj);
        list = list->next;
        freeze(s, j);
        if (silent) leave(s, j);
        else answer(s, j, status);
    }
    if (s->as.on) stop_if_drained(s, in);
    if (lost) sim_story(&s->base, "instance %d loses %llu requests in progress", i,
                        (unsigned long long)lost);
}

static void fault(struct sim_component *self, const struct sim_fault *f, bool begins)
{
    struct service *s = (struct service *)self;
    if (f->kind != SIM_FAULT_CRASH && f->kind != SIM_FAULT_HANG) return;
    int lo = f->instance < 0 ? 0 : f->instance, hi = f->instance < 0 ? s->ninstances : lo + 1;
    for (int i = lo; i < hi; i++) {
        struct instance *in = &s->instances[i];
        if (f->kind == SIM_FAULT_CRASH) {
            if (begins) drop_instance(s, i, SIM_UNAVAILABLE, f->silent);
            continue;
        }
        /* A hang deadlocks the instance: nothing on it moves until the restart. */
        if (begins) {
            for (struct sim_job *x = in->srv.live; x; x = x->next)
                freeze(s, SIM_CONTAINER(x, struct job, sj));
        } else {
            drop_instance(s, i, SIM_FAILED, false);
        }
    }
}

static void clear_stats(struct sim_component *self)
{
    struct service *s = (struct service *)self;
    sim_time now = sim_now(self);
    sim_level_restart(&s->busy, now);
    sim_level_restart(&s->queued, now);
    sim_level_restart(&s->in_system, now);
    for (int i = 0; i < s->ncalls; i++) {
        struct edge *e = &s->edges[i];
        sim_level_restart(&e->in_flight_level, now);
        sim_breaker_clear_stats(&e->breaker);
        e->bulkhead_rejected = e->hedges = e->hedges_won = 0;
    }
    s->shed = 0;
    memset(s->shed_by_op, 0, sizeof s->shed_by_op);
    s->arrivals = s->ok = s->started = s->waited = s->rejected_full = s->departures = s->routed = 0;
    s->retries = s->retries_denied = 0;
    memset(s->errors, 0, sizeof s->errors);
    if (s->op_arrivals) memset(s->op_arrivals, 0, SIM_MAX_OPS * sizeof *s->op_arrivals);
    s->wait_sum = s->residence_sum = 0;
    sim_hist_clear(&s->latency);
    if (s->as.on) {
        struct autoscale *as = &s->as;
        sim_level_restart(&as->billed, now);
        sim_level_restart(&as->serving, now);
        as->billed.max = as->billed_min = as->billed.level;
        as->outs = as->ins = as->episodes = as->replaced = 0;
        as->ttt_sum = as->ttt_max = 0;
    }
}

/* An edge's resilience figures under calls.<i>., for the mechanisms it has. */
static void report_edge(struct service *s, int i, struct sim_report *rep)
{
    const struct call_spec *spec = &s->calls[i];
    const struct edge *e = &s->edges[i];
    sim_time now = sim_now(&s->base);
    char path[96];
#define EDGE_FIGURE(name, value, unit)                                  \
    do {                                                                \
        snprintf(path, sizeof path, "calls.%d.%s", i, name);            \
        sim_report(rep, path, value, unit);                             \
    } while (0)
    snprintf(path, sizeof path, "calls.%d.", i);
    sim_breaker_report(&e->breaker, rep, path);
    if (spec->max_concurrent) {
        EDGE_FIGURE("bulkhead_rejected", (double)e->bulkhead_rejected, SIM_UNIT_COUNT | SIM_LOWER_BETTER);
        EDGE_FIGURE("in_flight.mean", sim_level_mean(&e->in_flight_level, now), SIM_UNIT_NUMBER);
        EDGE_FIGURE("in_flight.max", e->in_flight_level.max, SIM_UNIT_COUNT);
    }
    if (spec->hedge_max) {
        EDGE_FIGURE("hedges", (double)e->hedges, SIM_UNIT_COUNT);
        EDGE_FIGURE("hedges_won", (double)e->hedges_won, SIM_UNIT_COUNT);
    }
#undef EDGE_FIGURE
}

static void report(struct sim_component *self, struct sim_report *rep)
{
    struct service *s = (struct service *)self;
    sim_time now = sim_now(self);
    double window = sim_window_seconds(self);
    double arrivals = (double)s->arrivals;
    sim_report(rep, "arrivals", arrivals / window, SIM_UNIT_RATE);
    for (int op = 0; op < s->nops; op++) {
        if (!s->service_time_by_op[op]) continue;
        char path[96];
        snprintf(path, sizeof path, "arrivals_by_op.%s", sim_op_name(self, op));
        sim_report(rep, path, arrivals ? (double)s->op_arrivals[op] / arrivals : 0, SIM_UNIT_RATIO);
    }
    if (s->ninstances > 1 && !s->as.on) /* theory() needs to know how instances were chosen */
        sim_report(rep, "routed_ratio", arrivals ? (double)s->routed / arrivals : 0, SIM_UNIT_RATIO);
    sim_report(rep, "throughput", (double)s->ok / window, SIM_UNIT_RATE);
    double serving = s->as.on ? sim_level_mean(&s->as.serving, now) : s->ninstances;
    sim_server_report(&s->instances[0].srv, rep, "", serving * s->workers); /* shared levels */
    sim_report(rep, "in_system.mean", sim_level_mean(&s->in_system, now), SIM_UNIT_NUMBER);
    sim_report(rep, "residence.mean",
               s->departures ? s->residence_sum / (double)s->departures / SIM_S : 0, SIM_UNIT_SECONDS | SIM_LOWER_BETTER);
    sim_report(rep, "wait.mean", s->started ? s->wait_sum / (double)s->started / SIM_S : 0,
               SIM_UNIT_SECONDS | SIM_LOWER_BETTER);
    sim_report(rep, "wait.probability", s->started ? (double)s->waited / (double)s->started : 0,
               SIM_UNIT_RATIO | SIM_LOWER_BETTER);
    sim_report(rep, "rejection_ratio", arrivals ? (double)s->rejected_full / arrivals : 0,
               SIM_UNIT_RATIO | SIM_LOWER_BETTER);
    sim_report_errors(rep, s->errors, SIM_UNIT_COUNT | SIM_LOWER_BETTER);
    sim_report(rep, "retries", (double)s->retries, SIM_UNIT_COUNT | SIM_LOWER_BETTER);
    sim_report(rep, "retries_denied", (double)s->retries_denied, SIM_UNIT_COUNT);
    sim_report_hist(rep, "latency", &s->latency);
    if (s->shed_above >= 0) {
        sim_report(rep, "shed", (double)s->shed, SIM_UNIT_COUNT | SIM_LOWER_BETTER);
        sim_report(rep, "shed_ratio", arrivals ? (double)s->shed / arrivals : 0, SIM_UNIT_RATIO | SIM_LOWER_BETTER);
        for (int op = 0; op < sim_op_count(self); op++) {
            char p[96];
            snprintf(p, sizeof p, "shed_by_op.%s", sim_op_name(self, op));
            sim_report(rep, p, (double)s->shed_by_op[op], SIM_UNIT_COUNT | SIM_LOWER_BETTER);
        }
    }
    for (int i = 0; i < s->ncalls; i++) report_edge(s, i, rep);
    if (s->as.on) {
        const struct autoscale *as = &s->as;
        double mean = sim_level_mean(&as->billed, now);
        sim_report(rep, "instances.mean", mean, SIM_UNIT_NUMBER);
        sim_report(rep, "instances.min", as->billed_min, SIM_UNIT_COUNT);
        sim_report(rep, "instances.max", as->billed.max, SIM_UNIT_COUNT);
        sim_report(rep, "instance_hours", mean * window / 3600, SIM_UNIT_NUMBER | SIM_LOWER_BETTER);
        sim_report(rep, "scale_out_events", (double)as->outs, SIM_UNIT_COUNT);
        sim_report(rep, "replaced", (double)as->replaced, SIM_UNIT_COUNT);
        sim_report(rep, "scale_in_events", (double)as->ins, SIM_UNIT_COUNT);
        sim_report(rep, "time_to_target.count", (double)as->episodes, SIM_UNIT_COUNT);
        sim_report(rep, "time_to_target.mean", as->episodes ? as->ttt_sum / (double)as->episodes : 0,
                   SIM_UNIT_SECONDS | SIM_LOWER_BETTER);
        sim_report(rep, "time_to_target.max", as->ttt_max, SIM_UNIT_SECONDS | SIM_LOWER_BETTER);
    }
}

static void sample(struct sim_component *self, struct sim_sampler *smp)
{
    struct service *s = (struct service *)self;
    sim_sample(smp, "busy", s->busy.level);
    sim_sample(smp, "queue", s->queued.level);
    sim_sample(smp, "in_system", s->in_system.level);
    if (s->as.on) sim_sample(smp, "instances", s->as.billed.level);
    for (int i = 0; i < s->ncalls; i++) {
        if (!s->calls[i].breaker.on) continue;
        char column[64];
        snprintf(column, sizeof column, "calls.%d.breaker_open", i);
        sim_sample(smp, column, sim_breaker_openness(&s->edges[i].breaker));
    }
}

static void describe(struct sim_component *self, char *buf, size_t n)
{
    struct service *s = (struct service *)self;
    char st[96], q[32];
    sim_dist_describe(s->service_time, st, sizeof st);
    if (s->queue_limit < 0) snprintf(q, sizeof q, "unbounded");
    else snprintf(q, sizeof q, "%lld", (long long)s->queue_limit);
    int len = snprintf(buf, n, "%d x %d workers, queue %s, %s io, service %s", s->ninstances,
                       s->workers, q, s->async_io ? "async" : "blocking", st);
    for (int i = 0; i < s->ncalls && len > 0 && (size_t)len < n; i++)
        len += snprintf(buf + len, n - (size_t)len, "%s%s%s", i ? ", " : "; calls ",
                        s->calls[i].to ? s->calls[i].to->name : "?",
                        s->calls[i].probability < 1 ? " (sometimes)" : "");
    if (s->as.on && len > 0 && (size_t)len < n)
        snprintf(buf + len, n - (size_t)len, "; autoscale %d..%d from %d on %s %g", s->as.min,
                 s->as.max, s->as.desired,
                 s->as.by_utilisation ? "utilisation" : "requests_per_instance", s->as.target);
}

/* Calls queued on every instance; capacity counts the service time alone (a blocking
 * service that waits downstream completes fewer). */
static void backlog(struct sim_component *self, uint64_t *waiting, double *capacity)
{
    struct service *s = (struct service *)self;
    uint64_t n = 0;
    for (int i = 0; i < s->ninstances; i++) n += s->instances[i].srv.queue.count;
    *waiting = n;
    double mean = sim_dist_mean(s->service_time);
    int running = s->as.on ? s->as.nrun : s->ninstances;
    *capacity = mean > 0 ? running * s->workers / mean : 0;
}

extern const struct sim_model service_model;

/* The closed network closed-loop users run through, for theory(): every service their calls
 * reach, in an order where callers come before callees (the entry first), solved once by
 * mean value analysis when it is product form; built by the first of its nodes asked and
 * owned by the entry. */
struct closed_net {
    int n;
    struct service **node;
    double *visits;    /* calls per user cycle */
    double *residence; /* per call: own wait and service, then the downstream calls */
    struct sim_mva_station *st;
    double x; /* the users' cycle rate X(N) */
    bool exact;
    char why[200]; /* not empty: no product-form solution here, and why */
    char approx[200]; /* not empty: solved, with an approximation at a node named here */
};

/* What keeps node s out of a product-form network, in words; NULL when nothing does. */
static const char *not_product_form(const struct service *s, char *buf, size_t n)
{
    double mean = sim_dist_mean(s->service_time), var = sim_dist_variance(s->service_time);
    if (s->as.on) return "it autoscales";
    if (s->queue_limit >= 0) return "its bounded queue refuses calls";
    if (s->shed_above >= 0) return "it sheds load";
    for (int op = 0; op < s->nops; op++)
        if (s->service_time_by_op[op]) return "its service time differs by operation";
    if (!(fabs(var / (mean * mean) - 1) < 1e-9)) return "its service time is not exponential";
    if (s->ncalls && !s->async_io)
        return "blocking io holds a worker through its downstream calls";
    for (int i = 0; i < s->ncalls; i++) {
        const struct call_spec *c = &s->calls[i];
        const char *what = c->to->model != &service_model ? "is not a service"
                           : c->ops != ~(uint64_t)0       ? "is made for some operations only"
                           : c->timeout                    ? "has a timeout"
                           : c->hedge_max                  ? "is hedged"
                           : c->max_concurrent             ? "has a bulkhead"
                           : c->breaker.on                 ? "has a circuit breaker"
                                                           : NULL;
        if (what) {
            snprintf(buf, n, "its call to %s %s", c->to->name, what);
            return buf;
        }
    }
    return NULL;
}

/* Visit ratios by pushing each node's visits down its calls in topological order (Kahn's),
 * then the residence per call back up; false on a cycle. */
static bool closed_net_order(struct closed_net *net)
{
    int *indegree = sim_alloc((size_t)net->n * sizeof *indegree), *order = sim_alloc((size_t)net->n * sizeof *order);
    for (int i = 0; i < net->n; i++)
        for (int k = 0; k < net->node[i]->ncalls; k++)
            indegree[((struct service *)net->node[i]->calls[k].to)->station]++;
    int done = 0, end = 0;
    if (!indegree[0]) order[end++] = 0;
    net->visits[0] = 1;
    while (done < end) {
        const struct service *u = net->node[order[done++]];
        for (int k = 0; k < u->ncalls; k++) {
            int t = ((struct service *)u->calls[k].to)->station;
            net->visits[t] += net->visits[u->station] * u->calls[k].probability;
            if (!--indegree[t]) order[end++] = t;
        }
    }
    bool acyclic = end == net->n;
    if (acyclic) { /* callees first: a node's residence needs its callees' */
        for (int i = net->n - 1; i >= 0; i--) {
            const struct service *u = net->node[order[i]];
            const struct sim_mva_station *st = &net->st[u->station];
            double v = net->visits[u->station];
            double t = v > 0 ? st->copies * st->response / v : sim_dist_mean(u->service_time);
            for (int k = 0; k < u->ncalls; k++)
                t += u->calls[k].probability * net->residence[((struct service *)u->calls[k].to)->station];
            net->residence[u->station] = t;
        }
    }
    sim_free(indegree);
    sim_free(order);
    return acyclic;
}

static struct closed_net *closed_net(struct service *entry, int64_t users, double think)
{
    if (entry->net) return entry->net;
    struct closed_net *net = entry->net = sim_alloc(sizeof *net);
    int cap = 8;
    net->node = sim_alloc((size_t)cap * sizeof *net->node);
    net->node[net->n++] = entry;
    entry->station = 0;
    char buf[160];
    /* every service reached joins, so that each says why when one node spoils the rest */
    for (int i = 0; i < net->n; i++) {
        const struct service *s = net->node[i];
        const char *why = net->why[0] ? NULL : not_product_form(s, buf, sizeof buf);
        if (why) snprintf(net->why, sizeof net->why, "at %s, %s", s->base.name, why);
        for (int k = 0; k < s->ncalls; k++) {
            struct service *t = (struct service *)s->calls[k].to;
            if (t->base.model != &service_model || t->net == net) continue;
            if (net->n == cap) net->node = sim_realloc(net->node, (size_t)(cap *= 2) * sizeof *net->node);
            t->net = net;
            t->station = net->n;
            net->node[net->n++] = t;
        }
    }
    if (net->why[0]) return net;
    net->visits = sim_alloc((size_t)net->n * 2 * sizeof *net->visits);
    net->residence = net->visits + net->n;
    net->st = sim_alloc((size_t)net->n * sizeof *net->st);
    /* the visits first (the residences computed then are overwritten below) */
    if (!closed_net_order(net)) {
        snprintf(net->why, sizeof net->why, "the calls form a cycle");
        return net;
    }
    for (int i = 0; i < net->n; i++) {
        const struct service *s = net->node[i];
        net->st[i] = (struct sim_mva_station){
            .demand = net->visits[i] * sim_dist_mean(s->service_time) / s->ninstances,
            .servers = s->workers,
            .copies = s->ninstances,
        };
    }
    net->x = sim_mva(net->st, net->n, users, think, &net->exact);
    if (isnan(net->x)) {
        snprintf(net->why, sizeof net->why, "%lld users x the workers of %d node%s is beyond the "
                 "%.0e steps this solves in", (long long)users, net->n, net->n == 1 ? "" : "s",
                 SIM_MVA_MAX_WORK);
        return net;
    }
    for (int i = 0; i < net->n; i++) net->visits[i] = 0;
    closed_net_order(net);
    for (int i = 0; i < net->n && !net->approx[0]; i++) {
        const struct service *s = net->node[i];
        if (s->ninstances > 1)
            snprintf(net->approx, sizeof net->approx, "%s's %d instances as separate queues",
                     s->base.name, s->ninstances);
        else if (!net->exact && s->workers > 1)
            snprintf(net->approx, sizeof net->approx, "Seidmann's approximation at %s", s->base.name);
    }
    return net;
}

static void closed_net_free(struct closed_net *net)
{
    sim_free(net->node);
    sim_free(net->visits);
    sim_free(net->st);
    sim_free(net);
}

/* This node's figures from the solved network: X_k = X v_k, and per call its own wait and
 * service (time per cycle at its instances over its visits), then its calls' residences. */
static void closed_theory(struct service *s, const struct closed_net *net, int64_t users,
                          double think, struct sim_report *pred)
{
    bool entry = s->station == 0;
    if (net->why[0]) {
        sim_theory_note(pred, "closed-loop users: not solved by mean value analysis (%s)%s",
                        net->why, entry ? "" : ", and open formulas do not apply");
        return;
    }
    const struct sim_mva_station *st = &net->st[s->station];
    double v = net->visits[s->station], service = sim_dist_mean(s->service_time);
    if (!(v > 0)) return;
    double xk = net->x * v, own = st->copies * st->response / v, t = net->residence[s->station];
    if (entry)
        sim_theory_note(pred, "closed-loop users through %d node%s, solved by mean value analysis: "
                              "%lld users thinking %.6g ms cycle at X(N) = %.6g/s, response N/X - Z "
                              "= %.6g ms", net->n, net->n == 1 ? "" : "s", (long long)users,
                        1e3 * think, net->x, 1e3 * ((double)users / net->x - think));
    bool here = s->ninstances > 1 || (!net->exact && s->workers > 1);
    if (net->approx[0] && !here)
        sim_theory_note(pred, "an approximation elsewhere in the closed network (%s) moves every "
                              "node's figures", net->approx);
    if (s->ninstances > 1)
        sim_theory_note(pred, "%d instances taken as %d separate queues each given 1/%d of the calls: "
                              "exact for a random choice; round robin evens out each one's arrivals, "
                              "so the wait is an approximation (likely too high)",
                        s->ninstances, s->ninstances, s->ninstances);
    if (!net->exact && s->workers > 1)
        sim_theory_note(pred, "more than one multi-worker queue in the network: this one is Seidmann's "
                              "approximation (one server %d times as fast, then a delay)", s->workers);
    sim_report(pred, "throughput", xk, SIM_UNIT_RATE);
    sim_report(pred, "utilisation", st->utilisation, SIM_UNIT_RATIO);
    if (!isnan(st->wait_probability)) sim_report(pred, "wait.probability", st->wait_probability, SIM_UNIT_RATIO);
    sim_report(pred, "wait.mean", own - service, SIM_UNIT_SECONDS);
    sim_report(pred, "queue.mean", xk * (own - service), SIM_UNIT_NUMBER);
    sim_report(pred, "residence.mean", t, SIM_UNIT_SECONDS);
    sim_report(pred, "in_system.mean", xk * t, SIM_UNIT_NUMBER);
    sim_report(pred, "latency.mean", t, SIM_UNIT_SECONDS);
}

/* Per instance, with its share of the arrivals. Dealt round robin, an instance of n sees
 * every n-th arrival: Erlang-n gaps, not Poisson. One worker with exponential service is
 * then GI/M/1, solved exactly; Poisson arrivals (one instance) give M/M/c and M/M/c/K
 * exactly and M/G/1 by Pollaczek-Khinchine; closed-loop users calling this node give the
 * finite-source M/M/c//N exactly; anything else is the Allen-Cunneen approximation, and
 * says so. */
static void theory(struct sim_component *self, struct sim_report *pred)
{
    struct service *s = (struct service *)self;
    int c = s->workers;
    double lambda = sim_simulated(pred, "arrivals");
    /* With per-operation service times, the service time is their mixture, weighted by the
     * share of each such operation this node saw; every other operation takes the default. */
    double mean = 0, second = 0, seen = 0;
    for (int op = 0; op <= s->nops; op++) {
        const struct sim_dist *d = op < s->nops ? s->service_time_by_op[op] : s->service_time;
        double share;
        if (op < s->nops) {
            if (!d) continue;
            char path[96];
            snprintf(path, sizeof path, "arrivals_by_op.%s", sim_op_name(self, op));
            share = sim_simulated(pred, path);
        } else {
            share = 1 - seen;
        }
        if (!(share > 0)) continue;
        double m = sim_dist_mean(d);
        mean += share * m;
        second += share * (sim_dist_variance(d) + m * m);
        seen += share;
    }
    if (!(seen > 0) || !(lambda > 0)) return;
    if (s->as.on) {
        sim_theory_note(pred, "autoscaled: the instance count changes over time, no closed form here");
        return;
    }
    int64_t users;
    double think;
    const struct sim_component *entry;
    if (sim_workload_users(self, &users, &think, &entry) && entry->model == &service_model) {
        /* Users wait for their answers: a closed network, not open queues. */
        struct closed_net *net = closed_net((struct service *)entry, users, think);
        if (s->net == net) {
            closed_theory(s, net, users, think, pred);
            return;
        }
    }
    mean /= seen;
    second /= seen;
    double var = second - mean * mean;
    double li = lambda / s->ninstances, a = li * mean, scv = var / (mean * mean);
    if (fabs(scv - 1) < 1e-12) scv = 1;
    int64_t k = s->queue_limit < 0 ? -1 : c + s->queue_limit;
    if (s->ncalls && !s->async_io) {
        sim_theory_note(pred, "blocking io holds a worker through downstream calls, whose time has no "
                              "closed form here");
        return;
    }
    if (k < 0 && a >= c) {
        sim_theory_note(pred, "offered load %.3g erlangs >= %d workers: no steady state, the queue grows "
                              "without bound", a, c);
        sim_report(pred, "utilisation", 1, SIM_UNIT_RATIO);
        return;
    }
    /* Erlang order of each instance's gaps: n when the service deals every arrival itself. */
    int gaps = 1;
    if (s->ninstances > 1) {
        double routed = sim_simulated(pred, "routed_ratio");
        if (routed > 0)
            sim_theory_note(pred, "a caller (a load balancer) chose the instance of %.0f%% of the "
                                  "arrivals: the formulas take each instance's arrivals as Poisson, "
                                  "exact only for a random choice, an approximation otherwise",
                            100 * routed);
        else gaps = s->ninstances;
    }
    double blocked = k < 0 ? 0 : sim_mmck_blocking(c, k, a);
    double wq = sim_mmck_wait(c, k, a, mean), pwait = k < 0 ? sim_erlang_c(c, a) : NAN;
    if (gaps > 1 && c == 1 && k < 0 && scv == 1) {
        double sigma = sim_gim1_sigma_erlang(gaps, a);
        pwait = sigma;
        wq = sigma * mean / (1 - sigma);
    } else if (gaps > 1 || scv != 1) {
        if (!isfinite(scv)) return;
        wq *= (1.0 / gaps + scv) / 2;
        pwait = NAN;
        if (gaps > 1)
            sim_theory_note(pred, "dealt round robin, each instance sees Erlang-%d gaps: the wait "
                                  "is the Allen-Cunneen approximation%s", gaps,
                            k >= 0 ? ", and the blocking that of Poisson arrivals (also an "
                                     "approximation)" : "");
        else if (c > 1 || k >= 0)
            sim_theory_note(pred, "service times are not exponential: the wait is the Allen-Cunneen "
                                  "approximation");
    }
    sim_report(pred, "utilisation", a * (1 - blocked) / c, SIM_UNIT_RATIO);
    sim_report(pred, "rejection_ratio", blocked, SIM_UNIT_RATIO);
    if (!isnan(pwait)) sim_report(pred, "wait.probability", pwait, SIM_UNIT_RATIO);
    sim_report(pred, "wait.mean", wq, SIM_UNIT_SECONDS);
    sim_report(pred, "queue.mean", lambda * (1 - blocked) * wq, SIM_UNIT_NUMBER);
    if (s->ncalls) {
        sim_theory_note(pred, "the residence time includes downstream calls: only the queue is predicted");
        return;
    }
    /* Rejected calls leave at once: they count in the residence mean with zero time. */
    double w = (1 - blocked) * (wq + mean);
    sim_report(pred, "residence.mean", w, SIM_UNIT_SECONDS);
    sim_report(pred, "in_system.mean", lambda * w, SIM_UNIT_NUMBER);
    if (k < 0) sim_report(pred, "latency.mean", wq + mean, SIM_UNIT_SECONDS);
}

static int instances(struct sim_component *self)
{
    return ((struct service *)self)->ninstances;
}

static void fini(struct sim_component *self)
{
    struct service *s = (struct service *)self;
    for (int i = 0; i < s->ninstances; i++) sim_server_fini(&s->instances[i].srv);
    sim_free(s->instances);
    sim_free(s->calls);
    sim_free(s->edges);
    sim_free(s->service_time_by_op);
    sim_free(s->op_arrivals);
    sim_free(s->as.steps);
    sim_free(s->as.run);
    sim_free(s->as.pos);
    sim_free(s->as.replacing);
    sim_pool_fini(&s->jobs);
    if (s->net && s->station == 0 && s->net->node[0] == s) closed_net_free(s->net);
}

const struct sim_model service_model = {
    .name = "service",
    .summary = "instances x workers with a FIFO queue, service times, downstream calls, retries",
    .size = sizeof(struct service),
    .configure = configure,
    .start = start,
    .receive = receive,
    .respond = respond,
    .clear_stats = clear_stats,
    .report = report,
    .sample = sample,
    .describe = describe,
    .theory = theory,
    .instances = instances,
    .backlog = backlog,
    .fini = fini,
    .fault = fault,
    .fault_kinds = SIM_FAULT_BIT(SIM_FAULT_SLOW),
};
