/* engine.c: the run loop (pop the earliest event, advance the clock, dispatch), event
 * scheduling with lazy cancellation, warm-up deletion and the timeline sampler's clock.
 * The clock never goes backwards and events at one instant run in insertion order. */
#include <signal.h>

#include "internal.h"

struct sim_event *sim__schedule_at(struct sim_world *w, struct sim_component *self,
                                   sim_time when, sim_handler fn, void *arg)
{
    struct sim_event *ev = sim_pool_get(&w->event_pool);
    ev->time = when;
    ev->seq = w->seq++;
    ev->self = self;
    ev->fn.once = fn;
    ev->arg = arg;
    ev->cancelled = 0;
    ev->periodic = 0;
    sim__calendar_push(&w->calendar, ev, w->now);
    return ev;
}

void sim__hop_now(struct sim_world *w, struct sim_component *self, sim_handler fn, void *arg)
{
    sim__calendar_hop(&w->calendar, w->now, self, fn, arg);
}

struct sim_event *sim_schedule(struct sim_component *self, sim_time delay, sim_handler fn,
                               void *arg)
{
    struct sim_world *w = self->world;
    SIM_ASSERT(self, delay >= 0);
    sim_time when = delay > SIM_NEVER - w->now ? SIM_NEVER : w->now + delay;
    return sim__schedule_at(w, self, when, fn, arg);
}

void sim_every(struct sim_component *self, sim_time first, sim_periodic fn, void *arg)
{
    struct sim_event *ev = sim_schedule(self, first, NULL, arg);
    ev->fn.every = fn;
    ev->periodic = 1;
}

void sim_cancel(struct sim_event *ev)
{
    if (ev) ev->cancelled = 1;
}

static void end_warmup(struct sim_component *engine, void *arg)
{
    (void)arg;
    struct sim_world *w = engine->world;
    w->measuring = true;
    for (int i = 0; i < w->ncomponents; i++) {
        struct sim_component *c = w->components[i];
        c->model->clear_stats(c);
    }
}

static volatile sig_atomic_t stop_signal;

void sim__stop_request(int sig)
{
    stop_signal = sig;
}

int sim__stop_requested(void)
{
    return stop_signal;
}

#define PROGRESS_EVERY 65536
#define STOP_CHECK_MASK 16383 /* look for a stop request every 16,384 events */

/* Rare work the run loop does by event count: the fuzzer's cap, the progress line. */
static void checkpoint(struct sim_world *w)
{
    if (w->events == w->max_events) w->end = w->now;
    if (!w->progress) return;
    w->run_hooks->progress(w);
    w->progress_events = w->events;
    w->checkpoint = w->events + PROGRESS_EVERY;
    if (w->max_events > w->events && w->max_events < w->checkpoint) w->checkpoint = w->max_events;
}

void sim__world_run(struct sim_world *w)
{
    sim__budget_attach(w);
    w->checkpoint = w->max_events;
    if (w->progress && (!w->max_events || w->max_events > PROGRESS_EVERY)) w->checkpoint = PROGRESS_EVERY;
    for (int i = 0; i < w->ncomponents; i++) {
        struct sim_component *c = w->components[i];
        if (c->model->start) c->model->start(c);
    }
    if (w->warmup > 0) sim__schedule_at(w, &w->engine, w->warmup, end_warmup, NULL);
    else w->measuring = true;
    if (w->timeline) w->run_hooks->timeline_start(w);

    struct sim__hop due;
    while (sim__calendar_next(&w->calendar, w->end, &due)) {
        struct sim_event *ev = due.ev;
        if (!ev) { /* a zero-delay hop, due at the current instant */
            if (++w->events == w->checkpoint) checkpoint(w);
            due.fn(due.self, due.arg);
            continue;
        }
        if (ev->cancelled) {
            sim_pool_put(&w->event_pool, ev);
            continue;
        }
        w->now = ev->time;
        if (++w->events == w->checkpoint) checkpoint(w);
        /* SIGINT or SIGTERM: stop soon, at a cheap point; the caller exits without results */
        if (!(w->events & STOP_CHECK_MASK) && sim__stop_requested()) {
            sim_pool_put(&w->event_pool, ev);
            sim__budget_attach(NULL); /* what is allocated from here on is not this world's */
            return;
        }
        if (!ev->periodic) {
            ev->fn.once(ev->self, ev->arg);
        } else {
            sim_time next = ev->fn.every(ev->self, ev->arg);
            if (next != SIM_NO_MORE && !ev->cancelled) {
                SIM_ASSERT(ev->self, next > 0);
                ev->time = w->now + next;
                ev->seq = w->seq++;
                sim__calendar_push(&w->calendar, ev, w->now);
                continue;
            }
        }
        sim_pool_put(&w->event_pool, ev);
    }
    w->now = w->end;
    if (w->timeline) w->run_hooks->timeline_finish(w);
    sim__budget_attach(NULL);
}
