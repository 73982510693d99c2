/* service.c: a pool of instances x workers with a bounded FIFO queue per instance. A job
 * holds a worker for a service time, then makes its downstream calls in sequence (each
 * with a probability, a timeout and retries with backoff, jitter and a retry budget),
 * then answers. Blocking io keeps the worker through the calls; async io releases it. */
#include <math.h>
#include <stdio.h>
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

struct call_spec {
    struct sim_component *to;
    double probability;
    uint64_t ops; /* bit per operation this call is made for */
    int op;       /* the operation sent; -1: the incoming one */
    sim_time timeout; /* per attempt; 0 for none */
    struct retry_policy retry;
    bool ignore_errors;
};

/* A call being served; from the service's pool, owned by the service until it answers. */
struct job {
    struct sim_call *in;
    sim_time arrived;
    int instance, step, attempt;
    bool holding_worker;
    struct sim_call *out;
    struct sim_event *timer; /* the current attempt's timeout, or the backoff */
};

struct instance {
    int busy;
    struct sim_fifo queue; /* of struct job */
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
    int ncalls;
    struct { double ratio, min_per_second, burst, tokens; sim_time since; bool on; } budget;
    struct instance *instances;
    int next_instance;
    struct sim_pool jobs;
    struct sim_rng *service_rng, *call_rng, *jitter_rng;
    /* measurement */
    struct sim_level busy, queued, in_system;
    uint64_t arrivals, ok, started, waited, rejected_full, departures;
    uint64_t errors[SIM_STATUS_COUNT], retries, retries_denied;
    uint64_t *op_arrivals; /* per operation, kept when service times differ by operation */
    double wait_sum, residence_sum;
    struct sim_hist latency;
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
    (void)s;
}

static void configure(struct sim_component *self, struct sim_cfg *cfg)
{
    struct service *s = (struct service *)self;
    s->ninstances = (int)sim_cfg_int(cfg, "instances", 1, 1, 100000);
    s->workers = (int)sim_cfg_int(cfg, "workers", 1, 1, 1000000);
    if (sim_cfg_type(cfg, "queue") == SIM_CFG_STRING) {
        static const char *const unbounded[] = {"unbounded", NULL};
        sim_cfg_choice(cfg, "queue", -1, unbounded);
        s->queue_limit = -1;
    } else {
        s->queue_limit = sim_cfg_int(cfg, "queue", -1, 0, INT32_MAX);
    }
    s->async_io = sim_cfg_choice(cfg, "io", 0, io_names) == 1;
    s->service_time = sim_cfg_dist(cfg, "service_time", SIM_QTY_DURATION, NULL);

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

    struct call_spec defaults = {.probability = 1, .op = -1};
    defaults.timeout = sim_cfg_duration(cfg, "timeout", 0, 0, SIM_NEVER / 4);
    read_retry(cfg, "retries", &defaults.retry);
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

    s->instances = sim_alloc((size_t)s->ninstances * sizeof *s->instances);
    if (s->nops) s->op_arrivals = sim_alloc(SIM_MAX_OPS * sizeof *s->op_arrivals);
    sim_pool_init(&s->jobs, sizeof(struct job));
    s->service_rng = sim_rng(self, "service");
    s->call_rng = sim_rng(self, "calls");
    s->jitter_rng = sim_rng(self, "jitter");
    sim_hist_init(&s->latency);
}

static void start(struct sim_component *self)
{
    struct service *s = (struct service *)self;
    sim_level_init(&s->busy, 0, 0);
    sim_level_init(&s->queued, 0, 0);
    sim_level_init(&s->in_system, 0, 0);
}

static void begin_service(struct service *s, struct job *j);
static void next_call(struct service *s, struct job *j);

static void release_worker(struct service *s, struct job *j)
{
    if (!j->holding_worker) return;
    j->holding_worker = false;
    struct instance *in = &s->instances[j->instance];
    in->busy--;
    sim_level_add(&s->busy, sim_now(&s->base), -1);
    if (in->queue.count) {
        struct job *next = sim_fifo_pop(&in->queue);
        sim_level_add(&s->queued, sim_now(&s->base), -1);
        begin_service(s, next);
    }
}

/* The job answers its caller and leaves the service. */
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
    sim_level_add(&s->in_system, now, -1);
    sim_respond(j->in, status);
    sim_pool_put(&s->jobs, j);
}

static void service_done(struct sim_component *self, void *arg)
{
    struct service *s = (struct service *)self;
    struct job *j = arg;
    j->step = 0;
    j->attempt = 0;
    next_call(s, j);
}

static void begin_service(struct service *s, struct job *j)
{
    struct sim_component *self = &s->base;
    struct instance *in = &s->instances[j->instance];
    sim_time now = sim_now(self);
    in->busy++;
    j->holding_worker = true;
    sim_level_add(&s->busy, now, 1);
    if (sim_measuring(self)) {
        s->started++;
        if (now > j->arrived) s->waited++;
        s->wait_sum += (double)(now - j->arrived);
    }
    int op = j->in->op;
    const struct sim_dist *d =
        op < s->nops && s->service_time_by_op[op] ? s->service_time_by_op[op] : s->service_time;
    sim_schedule(self, sim_dist_draw_time(d, s->service_rng), service_done, j);
}

static void receive(struct sim_component *self, struct sim_call *call)
{
    struct service *s = (struct service *)self;
    sim_time now = sim_now(self);
    if (sim_measuring(self)) {
        s->arrivals++;
        if (s->op_arrivals) s->op_arrivals[call->op]++;
    }
    sim_level_add(&s->in_system, now, 1);

    struct job *j = sim_pool_get(&s->jobs);
    /* A caller that picked an instance (a load balancer) gets it; others are dealt round robin. */
    int instance = call->instance;
    if (instance < 0 || instance >= s->ninstances) {
        instance = s->next_instance;
        s->next_instance = (s->next_instance + 1) % s->ninstances;
    }
    *j = (struct job){.in = call, .arrived = now, .instance = instance};
    call->callee_data = j;

    struct instance *in = &s->instances[j->instance];
    if (in->busy < s->workers) {
        begin_service(s, j);
        return;
    }
    if (s->queue_limit >= 0 && (int64_t)in->queue.count >= s->queue_limit) {
        if (sim_measuring(self)) s->rejected_full++;
        answer(s, j, SIM_REJECTED);
        return;
    }
    sim_fifo_push(&in->queue, j);
    sim_level_add(&s->queued, now, 1);
}

static void on_timeout(struct sim_component *self, void *arg);
static void handle_error(struct service *s, struct job *j, enum sim_status status);

static void send_attempt(struct service *s, struct job *j)
{
    struct sim_component *self = &s->base;
    const struct call_spec *spec = &s->calls[j->step];
    int op = spec->op >= 0 ? spec->op : j->in->op;
    j->out = sim_call_new(self, spec->to, j->in, op, j->in->key, j->in->deadline);
    j->out->attempt = j->attempt;
    j->out->caller_data = j;
    j->timer = spec->timeout ? sim_schedule(self, spec->timeout, on_timeout, j) : NULL;
    sim_call_send(j->out);
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

static void respond(struct sim_component *self, struct sim_call *call)
{
    struct service *s = (struct service *)self;
    struct job *j = call->caller_data;
    sim_cancel(j->timer);
    j->timer = NULL;
    j->out = NULL;
    if (call->status == SIM_OK) {
        j->step++;
        next_call(s, j);
    } else {
        handle_error(s, j, call->status);
    }
}

static void on_timeout(struct sim_component *self, void *arg)
{
    struct job *j = arg;
    j->timer = NULL;
    sim_call_abandon(j->out);
    j->out = NULL;
    handle_error((struct service *)self, j, SIM_TIMEOUT);
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

static void clear_stats(struct sim_component *self)
{
    struct service *s = (struct service *)self;
    sim_time now = sim_now(self);
    sim_level_restart(&s->busy, now);
    sim_level_restart(&s->queued, now);
    sim_level_restart(&s->in_system, now);
    s->arrivals = s->ok = s->started = s->waited = s->rejected_full = s->departures = 0;
    s->retries = s->retries_denied = 0;
    memset(s->errors, 0, sizeof s->errors);
    if (s->op_arrivals) memset(s->op_arrivals, 0, SIM_MAX_OPS * sizeof *s->op_arrivals);
    s->wait_sum = s->residence_sum = 0;
    sim_hist_init(&s->latency);
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
    sim_report(rep, "throughput", (double)s->ok / window, SIM_UNIT_RATE);
    sim_report(rep, "utilisation",
               sim_level_mean(&s->busy, now) / ((double)s->ninstances * s->workers), SIM_UNIT_RATIO);
    sim_report(rep, "queue.mean", sim_level_mean(&s->queued, now), SIM_UNIT_NUMBER);
    sim_report(rep, "queue.max", s->queued.max, SIM_UNIT_COUNT);
    sim_report(rep, "in_system.mean", sim_level_mean(&s->in_system, now), SIM_UNIT_NUMBER);
    sim_report(rep, "residence.mean",
               s->departures ? s->residence_sum / (double)s->departures / SIM_S : 0, SIM_UNIT_SECONDS);
    sim_report(rep, "wait.mean", s->started ? s->wait_sum / (double)s->started / SIM_S : 0,
               SIM_UNIT_SECONDS);
    sim_report(rep, "wait.probability", s->started ? (double)s->waited / (double)s->started : 0,
               SIM_UNIT_RATIO);
    sim_report(rep, "rejection_ratio", arrivals ? (double)s->rejected_full / arrivals : 0,
               SIM_UNIT_RATIO);
    for (int k = SIM_OK + 1; k < SIM_STATUS_COUNT; k++) {
        char path[64];
        snprintf(path, sizeof path, "errors.%s", sim_status_name((enum sim_status)k));
        sim_report(rep, path, (double)s->errors[k], SIM_UNIT_COUNT);
    }
    sim_report(rep, "retries", (double)s->retries, SIM_UNIT_COUNT);
    sim_report(rep, "retries_denied", (double)s->retries_denied, SIM_UNIT_COUNT);
    sim_report_hist(rep, "latency", &s->latency);
}

static void sample(struct sim_component *self, struct sim_sampler *smp)
{
    struct service *s = (struct service *)self;
    sim_sample(smp, "busy", s->busy.level);
    sim_sample(smp, "queue", s->queued.level);
    sim_sample(smp, "in_system", s->in_system.level);
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
}

/* M/M/c, M/M/c/K, or M/G/c by Allen-Cunneen (exact for c = 1: Pollaczek-Khinchine), per
 * instance with its share of the arrivals (round robin splits them evenly). */
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
    double blocked = k < 0 ? 0 : sim_mmck_blocking(c, k, a);
    double wq = sim_mmck_wait(c, k, a, mean);
    if (scv != 1) {
        if (!isfinite(scv)) return;
        wq *= (1 + scv) / 2;
        if (c > 1 || k >= 0)
            sim_theory_note(pred, "service times are not exponential: the wait is the Allen-Cunneen "
                                  "approximation");
    }
    sim_report(pred, "utilisation", a * (1 - blocked) / c, SIM_UNIT_RATIO);
    sim_report(pred, "rejection_ratio", blocked, SIM_UNIT_RATIO);
    if (k < 0 && scv == 1) sim_report(pred, "wait.probability", sim_erlang_c(c, a), SIM_UNIT_RATIO);
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
    for (int i = 0; i < s->ninstances; i++) sim_fifo_fini(&s->instances[i].queue);
    sim_free(s->instances);
    sim_free(s->calls);
    sim_free(s->service_time_by_op);
    sim_free(s->op_arrivals);
    sim_pool_fini(&s->jobs);
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
    .fini = fini,
};
