/* delay.c: the example model docs/engine.md walks through. A delay holds each call for a
 * drawn time, as many at once as arrive (an infinite-server station: a network hop, a
 * proxy, an API of known latency), then answers it, or with "to" passes it on and answers
 * with what comes back. Invariant: in_flight counts the calls received and not answered. */
#include <math.h>
#include <stdio.h>

#include "sim.h" /* the one header a model includes */

struct delay {
    struct sim_component base; /* first: the engine allocates .size bytes, zeroed */
    struct sim_dist *time;    /* owned by the loader, like every distribution read */
    struct sim_component *to; /* NULL: answer when the delay ends */
    struct sim_rng *rng;      /* this node's own stream: adding nodes never changes it */
    int64_t in_flight;
    /* measurement, restarted when the warm-up ends */
    uint64_t calls, errors[SIM_STATUS_COUNT];
    struct sim_level level, busy; /* in_flight over time; 1 while any call is held */
};

/* JSON -> fields. Errors are sticky and name their JSON path: read on, then end. */
static void configure(struct sim_component *self, struct sim_cfg *cfg)
{
    struct delay *d = (struct delay *)self;
    d->time = sim_cfg_dist(cfg, "time", SIM_QTY_DURATION, NULL); /* required */
    if (sim_cfg_has(cfg, "to")) sim_cfg_peer(cfg, "to", &d->to, true); /* resolved later */
    d->rng = sim_rng(self, "time");
    sim_cfg_end(cfg); /* any field not read is an error, with a "did you mean" */
}

static void start(struct sim_component *self)
{
    struct delay *d = (struct delay *)self;
    sim_level_init(&d->level, 0, 0);
    sim_level_init(&d->busy, 0, 0);
}

static void count(struct delay *d, int step)
{
    sim_time now = sim_now(&d->base);
    d->in_flight += step;
    sim_level_add(&d->level, now, step);
    if (d->in_flight == (step > 0)) sim_level_add(&d->busy, now, step); /* 0 <-> 1 */
}

/* Every call ends here, once: the caller gets the status (unless it stopped waiting). */
static void finish(struct delay *d, struct sim_call *call, enum sim_status status)
{
    count(d, -1);
    if (status != SIM_OK && sim_measuring(&d->base)) d->errors[status]++;
    sim_respond(call, status);
}

/* The delay is over. A node crashed meanwhile lost the call: its caller is told. */
static void delay_over(struct sim_component *self, void *arg)
{
    struct delay *d = (struct delay *)self;
    struct sim_call *call = arg;
    if (sim_fault_down(self, -1)) {
        finish(d, call, SIM_UNAVAILABLE);
    } else if (d->to) {
        struct sim_call *next = sim_call_new(self, d->to, call, call->op, call->key, call->deadline);
        next->caller_data = call; /* ours: the engine and the callee never touch it */
        sim_call_send(next);
    } else {
        finish(d, call, SIM_OK);
    }
}

/* A call arrives (the engine already refused it if the whole node is down or hung). */
static void receive(struct sim_component *self, struct sim_call *call)
{
    struct delay *d = (struct delay *)self;
    if (sim_measuring(self)) d->calls++;
    count(d, 1);
    sim_time t = sim_fault_slowed(self, -1, sim_dist_draw_time(d->time, d->rng));
    sim_schedule(self, t, delay_over, call); /* no allocation: the call is the state */
}

/* The call made to "to" came back: pass its answer up. */
static void respond(struct sim_component *self, struct sim_call *next)
{
    finish((struct delay *)self, next->caller_data, next->status);
}

static void clear_stats(struct sim_component *self)
{
    struct delay *d = (struct delay *)self;
    d->calls = 0;
    for (int k = 0; k < SIM_STATUS_COUNT; k++) d->errors[k] = 0;
    sim_level_restart(&d->level, sim_now(self));
    sim_level_restart(&d->busy, sim_now(self));
}

/* Figures under nodes.<name>., in SI units: the engine adds intervals across replications. */
static void report(struct sim_component *self, struct sim_report *rep)
{
    struct delay *d = (struct delay *)self;
    sim_time now = sim_now(self);
    sim_report(rep, "calls", (double)d->calls / sim_window_seconds(self), SIM_UNIT_RATE);
    sim_report(rep, "in_flight.mean", sim_level_mean(&d->level, now), SIM_UNIT_NUMBER);
    sim_report(rep, "in_flight.max", d->level.max, SIM_UNIT_COUNT);
    sim_report(rep, "idle", 1 - sim_level_mean(&d->busy, now), SIM_UNIT_RATIO);
    sim_report_errors(rep, d->errors, SIM_UNIT_COUNT);
}

static void describe(struct sim_component *self, char *buf, size_t n)
{
    struct delay *d = (struct delay *)self;
    char t[96];
    sim_dist_describe(d->time, t, sizeof t);
    snprintf(buf, n, "delay %s%s%s", t, d->to ? ", then to " : "", d->to ? d->to->name : "");
}

/* M/G/infinity: with arrivals at rate lambda and delays of mean E[D], the calls in flight
 * average lambda E[D] whatever the arrivals (Little's law); with Poisson arrivals their
 * number is Poisson, so the node is idle exp(-lambda E[D]) of the time, whatever the
 * delay's distribution. */
static void theory(struct sim_component *self, struct sim_report *pred)
{
    struct delay *d = (struct delay *)self;
    if (d->to) {
        sim_theory_note(pred, "with \"to\", a call stays in flight through the downstream call");
        return;
    }
    double load = sim_simulated(pred, "calls") * sim_dist_mean(d->time);
    sim_report(pred, "in_flight.mean", load, SIM_UNIT_NUMBER);
    sim_report(pred, "idle", exp(-load), SIM_UNIT_RATIO);
    sim_theory_note(pred, "idle = exp(-lambda E[D]) assumes Poisson arrivals");
}

const struct sim_model delay_model = {
    .name = "delay",
    .summary = "holds each call for a drawn time, any number at once, then answers or passes "
               "it on (a network hop, a proxy, an API of known latency)",
    .size = sizeof(struct delay),
    .configure = configure,
    .start = start,
    .receive = receive,
    .respond = respond,
    .clear_stats = clear_stats,
    .report = report,
    .describe = describe,
    .theory = theory,
    .fault_kinds = SIM_FAULT_BIT(SIM_FAULT_SLOW), /* the rest the engine applies to calls */
};
