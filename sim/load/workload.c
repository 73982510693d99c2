/* workload.c: the clients. Open-loop arrivals (Poisson or constant, with a rate
 * schedule, a process whose rate varies by itself: arrivals.c, or a request log replayed:
 * trace.c) or closed-loop users
 * with think times; each request gets an operation from
 * the mix, a key and a deadline, and is sent to the entry node. The headline figures
 * (offered load, throughput, goodput, errors by kind, end-to-end latency) are measured
 * here, where a user would see them. */
#include <math.h>

#include "arrivals.h"
#include "kernel/internal.h"
#include "loader.h"
#include "trace.h"

enum process { POISSON, CONSTANT, CURVE, SINUSOID, MMPP, TRACE }; /* CURVE..MMPP: arrivals.c */

struct step {
    sim_time at;
    double rate;
};

/* One request in flight; from the workload's pool. */
struct request {
    struct sim_event *deadline_timer;
    struct sim_call *call;
};

struct workload {
    struct sim_component base;
    struct sim_component *entry;
    bool closed;
    /* open loop */
    enum process process;
    double rate;
    struct sim__arrivals varying; /* CURVE, SINUSOID, MMPP */
    struct sim__trace trace;
    struct sim__trace_line pending; /* TRACE: the request of the next arrival */
    struct step *schedule;
    int nsteps;
    struct sim_event *next_arrival;
    /* closed loop */
    int64_t users;
    struct sim_dist *think;
    /* every request */
    int nmix;
    int mix_op[SIM_MAX_OPS];
    double mix_cum[SIM_MAX_OPS];
    struct sim_keys *keys;
    sim_time deadline;
    /* clients' zones: one, or a share each (drawn per request); nzones 0: unplaced */
    int nzones;
    int *zone;
    double *zone_cum;
    struct sim_rng *arrival_rng, *mix_rng, *key_rng, *think_rng, *zone_rng;
    struct sim_pool requests;
    /* measurement window */
    uint64_t offered, finished, ok, errors[SIM_STATUS_COUNT];
    struct sim_hist latency;
    struct sim_hist *by_region; /* per region, with placed clients; NULL: none */
    bool *client_region;        /* whether clients may be drawn in the region */
    /* the current timeline interval */
    uint64_t i_offered, i_finished, i_ok;
    struct sim_hist i_latency;
    sim_time i_since;
};

static const char *const process_names[] = {"poisson", "constant", "curve", "sinusoid", "mmpp", "trace", NULL};

static void configure_arrivals(struct workload *wl, struct sim_cfg *cfg)
{
    struct sim_cfg *a = sim_cfg_object(cfg, "arrivals", false);
    if (!a) return;
    wl->process = (enum process)sim_cfg_choice(a, "process", POISSON, process_names);
    if (wl->process >= CURVE) {
        if (wl->process == TRACE) sim__trace_configure(&wl->trace, a);
        else sim__arrivals_configure(&wl->varying, a, (enum sim__arrival_kind)(wl->process - CURVE));
        if (sim_cfg_has(cfg, "schedule"))
            sim_cfg_error(cfg, "schedule", "a rate schedule needs \"poisson\" or \"constant\" arrivals (a %s "
                          "process sets its own rates)", process_names[wl->process]);
        return;
    }
    wl->rate = sim_cfg_number(a, "rate", NAN, 0, 1e9);
    int n = sim_cfg_array(cfg, "schedule");
    wl->schedule = sim_alloc((size_t)(n ? n : 1) * sizeof *wl->schedule);
    for (int i = 0; i < n; i++) {
        struct sim_cfg *s = sim_cfg_item(cfg, "schedule", i);
        if (!s) break;
        wl->schedule[i].at = sim_cfg_duration(s, "at", SIM_REQUIRED, 0, SIM_NEVER - 1);
        wl->schedule[i].rate = sim_cfg_number(s, "rate", NAN, 0, 1e9);
        if (i > 0 && wl->schedule[i].at <= wl->schedule[i - 1].at)
            sim_cfg_error(s, "at", "expected times in increasing order");
    }
    wl->nsteps = n;
}

static void configure_mix(struct workload *wl, struct sim_cfg *cfg)
{
    struct sim_cfg *m = sim_cfg_object(cfg, "mix", false);
    if (!m) {
        wl->nmix = 1;
        wl->mix_op[0] = SIM_OP_READ;
        wl->mix_cum[0] = 1;
        return;
    }
    int n = sim_cfg_size(m);
    if (n == 0) sim_cfg_error(cfg, "mix", "expected at least one operation with a share");
    if (n > SIM_MAX_OPS) {
        sim_cfg_error(cfg, "mix", "expected at most %d operations", SIM_MAX_OPS);
        n = SIM_MAX_OPS;
    }
    double total = 0;
    for (int i = 0; i < n; i++) {
        const char *op = sim_cfg_key_at(m, i);
        total += sim_cfg_number(m, op, NAN, 0, 1e12);
        wl->mix_op[i] = sim_cfg_op(m, op);
        wl->mix_cum[i] = total;
    }
    if (!(total > 0)) sim_cfg_error(cfg, "mix", "expected shares that add up to more than 0");
    for (int i = 0; i < n; i++) wl->mix_cum[i] /= total > 0 ? total : 1;
    wl->nmix = n;
}

/* "zone": one zone for every client, or "zones": {"a": share, ...}, drawn per request. */
static void configure_zones(struct workload *wl, struct sim_cfg *cfg)
{
    bool one = sim_cfg_has(cfg, "zone"), spread = sim_cfg_has(cfg, "zones");
    if (one && spread) {
        sim_cfg_error(cfg, "zones", "give \"zone\" (every client's) or \"zones\" (a share "
                                    "each), not both");
        return;
    }
    if (one) {
        const char *name = sim_cfg_string(cfg, "zone", NULL);
        if (!name) return;
        wl->zone = sim_alloc(sizeof *wl->zone);
        wl->zone_cum = sim_alloc(sizeof *wl->zone_cum);
        wl->zone[0] = sim__zone_lookup(cfg, "zone", name);
        wl->zone_cum[0] = 1;
        wl->nzones = sim_cfg_failed(cfg) ? 0 : 1;
        return;
    }
    struct sim_cfg *z = spread ? sim_cfg_object(cfg, "zones", false) : NULL;
    if (!z) return;
    int n = sim_cfg_size(z);
    if (n == 0) sim_cfg_error(cfg, "zones", "expected at least one zone with its share");
    wl->zone = sim_alloc((size_t)(n ? n : 1) * sizeof *wl->zone);
    wl->zone_cum = sim_alloc((size_t)(n ? n : 1) * sizeof *wl->zone_cum);
    double total = 0;
    for (int i = 0; i < n && !sim_cfg_failed(cfg); i++) {
        const char *name = sim_cfg_key_at(z, i);
        total += sim_cfg_number(z, name, NAN, 0, 1e12);
        wl->zone[i] = sim__zone_lookup(z, name, name);
        wl->zone_cum[i] = total;
    }
    if (sim_cfg_failed(cfg)) return;
    if (!(total > 0)) {
        sim_cfg_error(cfg, "zones", "expected shares that add up to more than 0");
        return;
    }
    for (int i = 0; i < n; i++) wl->zone_cum[i] /= total;
    wl->nzones = n;
    if (n > 1) wl->zone_rng = sim_rng(&wl->base, "zone");
}

static int draw_zone(struct workload *wl)
{
    if (wl->nzones <= 1) return wl->nzones ? wl->zone[0] : SIM_NO_ZONE;
    double u = sim_uniform(wl->zone_rng);
    for (int i = 0; i < wl->nzones - 1; i++)
        if (u < wl->zone_cum[i]) return wl->zone[i];
    return wl->zone[wl->nzones - 1];
}

/* Placed clients: one latency histogram per region (reported for the regions the clients
 * are drawn in), so a request's end costs one more record. */
static void configure_regions(struct workload *wl)
{
    int nregions = wl->base.world->nregions;
    const struct sim__namemap *traced = &wl->trace.zones; /* a trace's clients' zones */
    if ((!wl->nzones && !traced->count) || !nregions) return;
    wl->by_region = sim_alloc((size_t)nregions * sizeof *wl->by_region);
    wl->client_region = sim_alloc((size_t)nregions * sizeof *wl->client_region);
    for (int r = 0; r < nregions; r++) {
        sim_hist_init(&wl->by_region[r]);
        wl->client_region[r] = false;
    }
    for (int i = 0; i < wl->nzones; i++) wl->client_region[sim_zone_region(&wl->base, wl->zone[i])] = true;
    for (size_t i = 0; traced->slots && i <= traced->mask; i++)
        if (traced->slots[i].val)
            wl->client_region[sim_zone_region(&wl->base, (int)traced->slots[i].val - 1)] = true;
}

static void configure(struct sim_component *self, struct sim_cfg *cfg)
{
    struct workload *wl = (struct workload *)self;
    sim_cfg_peer(cfg, "entry", &wl->entry, true);
    bool open = sim_cfg_has(cfg, "arrivals"), closed = sim_cfg_has(cfg, "users");
    if (open == closed)
        sim_cfg_error(cfg, NULL, "expected exactly one of 'arrivals' (open loop) and 'users' "
                                 "(closed loop)");
    wl->closed = closed;
    configure_arrivals(wl, cfg);
    struct sim_cfg *u = sim_cfg_object(cfg, "users", false);
    if (u) {
        wl->users = sim_cfg_int(u, "count", SIM_REQUIRED, 1, 10000000);
        wl->think = sim_cfg_dist(u, "think", SIM_QTY_DURATION, NULL);
        if (sim_cfg_has(cfg, "schedule"))
            sim_cfg_error(cfg, "schedule", "a rate schedule needs open-loop 'arrivals'");
    }
    configure_mix(wl, cfg);
    if (sim_cfg_has(cfg, "keys")) wl->keys = sim_cfg_keys(cfg, "keys");
    wl->deadline = sim_cfg_duration(cfg, "deadline", 0, SIM_NS, SIM_NEVER - 1);
    configure_zones(wl, cfg);
    configure_regions(wl);
    wl->arrival_rng = sim_rng(self, "arrivals");
    wl->mix_rng = sim_rng(self, "mix");
    wl->key_rng = sim_rng(self, "keys");
    wl->think_rng = sim_rng(self, "think");
    sim_pool_init(&wl->requests, sizeof(struct request));
    sim_hist_init(&wl->latency);
    sim_hist_init(&wl->i_latency);
}

static int draw_op(struct workload *wl)
{
    if (wl->nmix == 1) return wl->mix_op[0];
    double u = sim_uniform(wl->mix_rng);
    for (int i = 0; i < wl->nmix - 1; i++)
        if (u < wl->mix_cum[i]) return wl->mix_op[i];
    return wl->mix_op[wl->nmix - 1];
}

static void on_deadline(struct sim_component *self, void *arg);

/* A request; a trace's line (else NULL) gives its operation, key and zone where it has them. */
static void send_request(struct workload *wl, const struct sim__trace_line *line)
{
    struct sim_component *self = &wl->base;
    sim_time now = sim_now(self);
    uint64_t key = line && line->has_key ? line->key : wl->keys ? sim_keys_draw(wl->keys, wl->key_rng) : 0;
    sim_time deadline = wl->deadline ? now + wl->deadline : SIM_NEVER;
    struct request *rq = sim_pool_get(&wl->requests);
    int op = line && line->op >= 0 ? line->op : draw_op(wl);
    rq->call = sim_call_new(self, wl->entry, NULL, op, key, deadline);
    rq->call->caller_data = rq;
    if (line && line->zone >= 0) sim__call_set_client_zone(rq->call, line->zone);
    else if (wl->nzones) sim__call_set_client_zone(rq->call, draw_zone(wl));
    rq->deadline_timer = wl->deadline ? sim_schedule(self, wl->deadline, on_deadline, rq) : NULL;
    if (sim_measuring(self)) wl->offered++;
    wl->i_offered++;
    sim_call_send(rq->call);
}

static sim_time interarrival(struct workload *wl)
{
    double mean = 1.0 / wl->rate;
    double gap = wl->process == POISSON ? -mean * log(sim_uniform(wl->arrival_rng)) : mean;
    double ns = gap * SIM_S;
    return ns < (double)SIM_NEVER ? (sim_time)llround(ns) : SIM_NEVER; /* a tiny rate: never */
}

static void arrive(struct sim_component *self, void *arg);

/* A process whose rate varies by itself, or a trace: its next arrival, if any. */
static void schedule_varying(struct workload *wl)
{
    sim_time now = sim_now(&wl->base), next = SIM_NEVER;
    if (wl->process != TRACE) {
        next = sim__arrivals_next(&wl->varying, now, wl->arrival_rng);
    } else if (sim__trace_next(&wl->trace, &wl->pending)) {
        double ns = wl->pending.at * SIM_S;
        next = ns < (double)SIM_NEVER ? (sim_time)llround(ns) : SIM_NEVER;
        if (next < now) next = now; /* lines at one time, rounded */
    }
    wl->next_arrival = next != SIM_NEVER ? sim_schedule(&wl->base, next - now, arrive, NULL) : NULL;
}

static void arrive(struct sim_component *self, void *arg)
{
    (void)arg;
    struct workload *wl = (struct workload *)self;
    if (wl->process == TRACE) {
        struct sim__trace_line line = wl->pending;
        schedule_varying(wl);
        send_request(wl, &line);
        return;
    }
    if (wl->process >= CURVE) schedule_varying(wl);
    else wl->next_arrival = sim_schedule(self, interarrival(wl), arrive, NULL);
    send_request(wl, NULL);
}

/* A new rate: the next arrival is drawn afresh from now (exact for Poisson, which is
 * memoryless; a constant process restarts its phase). */
static void change_rate(struct sim_component *self, void *arg)
{
    struct workload *wl = (struct workload *)self;
    const struct step *s = arg;
    wl->rate = s->rate;
    sim_cancel(wl->next_arrival);
    wl->next_arrival = wl->rate > 0 ? sim_schedule(self, interarrival(wl), arrive, NULL) : NULL;
}

static void user_wakes(struct sim_component *self, void *arg)
{
    (void)arg;
    send_request((struct workload *)self, NULL);
}

static void start(struct sim_component *self)
{
    struct workload *wl = (struct workload *)self;
    if (wl->closed) {
        /* Users start after one think time each, so they do not arrive in lockstep. */
        for (int64_t u = 0; u < wl->users && !sim_over_budget(self); u++)
            sim_schedule(self, sim_dist_draw_time(wl->think, wl->think_rng), user_wakes, NULL);
        return;
    }
    if (wl->process >= CURVE) {
        if (wl->process == TRACE) sim__trace_start(&wl->trace);
        else sim__arrivals_start(&wl->varying, wl->arrival_rng);
        schedule_varying(wl);
        return;
    }
    if (wl->rate > 0) wl->next_arrival = sim_schedule(self, interarrival(wl), arrive, NULL);
    for (int i = 0; i < wl->nsteps; i++)
        sim_schedule(self, wl->schedule[i].at, change_rate, &wl->schedule[i]);
}

/* A request ends: answered, or its deadline passed. Closed-loop users think again. */
static void finish(struct workload *wl, struct request *rq, enum sim_status status)
{
    struct sim_component *self = &wl->base;
    sim_time latency = sim_now(self) - rq->call->start;
    if (sim_measuring(self)) {
        wl->finished++;
        if (status == SIM_OK) {
            wl->ok++;
            sim_hist_record(&wl->latency, latency);
            int zone = wl->by_region ? sim_call_client_zone(rq->call) : SIM_NO_ZONE;
            if (zone != SIM_NO_ZONE)
                sim_hist_record(&wl->by_region[sim_zone_region(self, zone)], latency);
        } else {
            wl->errors[status]++;
        }
    }
    if (self->world->series && status == SIM_OK)
        sim__series_add(self->world->series, sim_now(self), latency);
    if (self->world->faults) self->world->fault_hooks->outcome(self->world, status, rq->call->start);
    wl->i_finished++;
    if (status == SIM_OK) {
        wl->i_ok++;
        /* The interval's percentiles are read only by the timeline (--timeline, --plot). */
        if (self->world->timeline) sim_hist_record(&wl->i_latency, latency);
    }
    sim_pool_put(&wl->requests, rq);
    if (wl->closed) sim_schedule(self, sim_dist_draw_time(wl->think, wl->think_rng), user_wakes, NULL);
}

static void on_deadline(struct sim_component *self, void *arg)
{
    struct request *rq = arg;
    sim_call_abandon(rq->call);
    finish((struct workload *)self, rq, SIM_TIMEOUT);
}

static void respond(struct sim_component *self, struct sim_call *call)
{
    struct request *rq = call->caller_data;
    sim_cancel(rq->deadline_timer);
    finish((struct workload *)self, rq, call->status);
}

static void clear_stats(struct sim_component *self)
{
    struct workload *wl = (struct workload *)self;
    wl->offered = wl->finished = wl->ok = 0;
    memset(wl->errors, 0, sizeof wl->errors);
    sim_hist_clear(&wl->latency);
    for (int r = 0; wl->by_region && r < self->world->nregions; r++) sim_hist_clear(&wl->by_region[r]);
}

/* Calls sent in the measured window by the kind of hop they crossed: every call
 * (network.), the clients' (network.clients.) and each node's (nodes.<name>.network.). */
static void report_hops(struct sim_report *rep, const char *prefix, const uint64_t *h)
{
    static const char *const leaf[SIM__HOP_KINDS + 1] = {NULL, "cross_zone_ratio",
                                                         "cross_region_ratio", "override_ratio"};
    double calls = (double)(h[SIM__SAME_ZONE] + h[SIM__CROSS_ZONE] + h[SIM__CROSS_REGION]);
    char path[192];
    snprintf(path, sizeof path, "%scalls", prefix);
    sim_report(rep, path, calls, SIM_UNIT_COUNT);
    for (int k = SIM__CROSS_ZONE; k <= SIM__HOP_KINDS; k++) {
        snprintf(path, sizeof path, "%s%s", prefix, leaf[k]);
        sim_report(rep, path, calls ? (double)h[k] / calls : 0, SIM_UNIT_RATIO);
    }
}

static void report_network(struct sim_component *self, struct sim_report *rep)
{
    struct sim_world *w = self->world;
    uint64_t all[SIM__HOP_KINDS + 1] = {0};
    for (int i = 0; i < w->ncomponents; i++)
        for (int k = 0; k <= SIM__HOP_KINDS; k++) all[k] += w->hops[i][k];
    report_hops(rep, "network.", all);
    report_hops(rep, "network.clients.", w->hops[0]);
    for (int i = 1; i < w->ncomponents; i++) {
        char prefix[128];
        snprintf(prefix, sizeof prefix, "nodes.%s.network.", w->components[i]->name);
        report_hops(rep, prefix, w->hops[i]);
    }
}

static void report(struct sim_component *self, struct sim_report *rep)
{
    struct workload *wl = (struct workload *)self;
    double window = sim_window_seconds(self);
    double finished = (double)wl->finished;
    sim_report(rep, "requests.offered", (double)wl->offered / window, SIM_UNIT_RATE);
    sim_report(rep, "requests.finished", finished, SIM_UNIT_COUNT);
    sim_report(rep, "throughput", (finished - (double)wl->errors[SIM_TIMEOUT]) / window,
               SIM_UNIT_RATE | SIM_HIGHER_BETTER);
    sim_report(rep, "goodput", (double)wl->ok / window, SIM_UNIT_RATE | SIM_HIGHER_BETTER);
    sim_report(rep, "errors.ratio", finished ? (finished - (double)wl->ok) / finished : 0,
               SIM_UNIT_RATIO | SIM_LOWER_BETTER);
    for (int s = SIM_OK + 1; s < SIM_STATUS_COUNT; s++) {
        char path[64];
        snprintf(path, sizeof path, "errors.%s", sim_status_name((enum sim_status)s));
        sim_report(rep, path, finished ? (double)wl->errors[s] / finished : 0,
                   SIM_UNIT_RATIO | SIM_LOWER_BETTER);
    }
    sim_report_hist(rep, "latency", &wl->latency);
    for (int r = 0; wl->by_region && r < self->world->nregions; r++) {
        if (!wl->client_region[r]) continue;
        char path[160];
        snprintf(path, sizeof path, "latency.by_region.%s", sim_region_name(self, r));
        sim_report_hist(rep, path, &wl->by_region[r]);
    }
    if (self->world->nzones) report_network(self, rep);
}

static void sample(struct sim_component *self, struct sim_sampler *s)
{
    struct workload *wl = (struct workload *)self;
    sim_time now = sim_now(self);
    double span = (double)(now - wl->i_since) / SIM_S;
    if (span <= 0) span = 1;
    sim_sample(s, "offered", (double)wl->i_offered / span);
    sim_sample(s, "throughput", (double)wl->i_finished / span);
    sim_sample(s, "goodput", (double)wl->i_ok / span);
    sim_sample(s, "error_ratio",
               wl->i_finished ? (double)(wl->i_finished - wl->i_ok) / (double)wl->i_finished : 0);
    sim_sample(s, "p50", (double)sim_hist_quantile(&wl->i_latency, 0.50) / SIM_S);
    sim_sample(s, "p99", (double)sim_hist_quantile(&wl->i_latency, 0.99) / SIM_S);
    wl->i_offered = wl->i_finished = wl->i_ok = 0;
    sim_hist_clear(&wl->i_latency);
    wl->i_since = now;
}

static void describe(struct sim_component *self, char *buf, size_t n)
{
    struct workload *wl = (struct workload *)self;
    char think[64];
    if (wl->closed) {
        sim_dist_describe(wl->think, think, sizeof think);
        snprintf(buf, n, "%lld closed-loop users, think %s, entry %s", (long long)wl->users,
                 think, wl->entry ? wl->entry->name : "?");
    } else if (wl->process == TRACE) {
        snprintf(buf, n, "a trace of %llu requests over %.6gs%s%s, entry %s", (unsigned long long)wl->trace.lines,
                 wl->trace.span / wl->trace.speed, wl->trace.speed != 1 ? " (sped up)" : "",
                 wl->trace.loop ? ", looping" : "", wl->entry ? wl->entry->name : "?");
    } else if (wl->process >= CURVE) {
        snprintf(buf, n, "%s arrivals, %.4g/s on average, %.4g/s at the peak, entry %s",
                 process_names[wl->process], sim__arrivals_mean_rate(&wl->varying),
                 sim__arrivals_peak_rate(&wl->varying), wl->entry ? wl->entry->name : "?");
    } else {
        snprintf(buf, n, "%s arrivals at %g/s%s, entry %s", process_names[wl->process], wl->rate,
                 wl->nsteps ? " (with a rate schedule)" : "", wl->entry ? wl->entry->name : "?");
    }
    for (int i = 0; i < wl->nzones; i++) {
        size_t len = strlen(buf);
        if (len + 1 >= n) break;
        if (wl->nzones == 1)
            snprintf(buf + len, n - len, "; clients in zone %s", sim_zone_name(self, wl->zone[0]));
        else
            snprintf(buf + len, n - len, "%s%s %.4g%%", i ? ", " : "; clients in zones ",
                     sim_zone_name(self, wl->zone[i]),
                     100 * (wl->zone_cum[i] - (i ? wl->zone_cum[i - 1] : 0)));
    }
}

static void fini(struct sim_component *self)
{
    struct workload *wl = (struct workload *)self;
    sim_pool_fini(&wl->requests);
    sim_free(wl->schedule);
    sim__arrivals_fini(&wl->varying);
    sim__trace_fini(&wl->trace);
    sim_free(wl->zone);
    sim_free(wl->zone_cum);
    sim_free(wl->by_region);
    sim_free(wl->client_region);
}

/* The formulas downstream assume Poisson arrivals at a steady rate: say where they are not. */
static void theory(struct sim_component *self, struct sim_report *pred)
{
    struct workload *wl = (struct workload *)self;
    if (wl->closed)
        sim_theory_note(pred, "closed-loop users: arrivals are not Poisson (a user waits for its "
                              "answer); the services their calls reach are solved as a closed network "
                              "(mean value analysis) where it is product form");
    else if (wl->process == CONSTANT)
        sim_theory_note(pred, "constant inter-arrival times: the Poisson formulas overstate queueing");
    if (wl->nsteps || wl->process >= CURVE)
        sim_theory_note(pred, "the rate changes over time: the formulas assume one steady rate");
    if (wl->deadline)
        sim_theory_note(pred, "requests past their deadline are abandoned by the client, not by the nodes");
}

bool sim_workload_users(struct sim_component *any, int64_t *users, double *think,
                        const struct sim_component **entry)
{
    struct sim_world *w = any->world;
    const struct workload *wl = (const struct workload *)w->workload;
    if (!wl || !wl->closed) return false;
    *users = wl->users;
    *think = sim_dist_mean(wl->think);
    *entry = wl->entry;
    return true;
}

const struct sim_keys *sim_workload_keys(struct sim_component *any)
{
    struct sim_world *w = any->world;
    return w->workload ? ((struct workload *)w->workload)->keys : NULL;
}

const struct sim_hist *sim__workload_latency(struct sim_component *self)
{
    return &((struct workload *)self)->latency;
}

const struct sim_model sim__workload_model = {
    .name = "workload",
    .summary = "the clients: open-loop arrivals or closed-loop users",
    .size = sizeof(struct workload),
    .configure = configure,
    .start = start,
    .respond = respond,
    .clear_stats = clear_stats,
    .report = report,
    .sample = sample,
    .describe = describe,
    .theory = theory,
    .fini = fini,
};
