/* test_calendar.c: the event queue pops in (time, seq) order whatever the push order,
 * zero-delay events and hops interleave correctly with heap events, and cancelled events are
 * dropped by the run loop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <gsl/gsl_rng.h>

#include "kernel/internal.h"

static struct sim_event *event(struct sim_pool *pool, sim_time t, uint64_t seq)
{
    struct sim_event *ev = sim_pool_get(pool);
    memset(ev, 0, sizeof *ev);
    ev->time = t;
    ev->seq = seq;
    return ev;
}

static void pops_in_time_then_sequence_order(void **state)
{
    (void)state;
    struct sim__calendar c;
    struct sim_pool pool;
    sim__calendar_init(&c);
    sim_pool_init(&pool, sizeof(struct sim_event));
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    enum { N = 100000 };
    for (uint64_t i = 0; i < N; i++)
        sim__calendar_push(&c, event(&pool, (sim_time)gsl_rng_uniform_int(r, 1000) + 1, i), 0);
    sim_time last_t = -1;
    uint64_t last_seq = 0, popped = 0;
    struct sim_event *ev;
    while ((ev = sim__calendar_pop(&c, SIM_NEVER))) {
        assert_true(ev->time > last_t || (ev->time == last_t && ev->seq > last_seq));
        last_t = ev->time;
        last_seq = ev->seq;
        popped++;
    }
    assert_int_equal(popped, N);
    gsl_rng_free(r);
    sim_pool_fini(&pool);
    sim__calendar_fini(&c);
}

static void zero_delay_events_follow_earlier_events_of_the_same_instant(void **state)
{
    (void)state;
    struct sim__calendar c;
    struct sim_pool pool;
    sim__calendar_init(&c);
    sim_pool_init(&pool, sizeof(struct sim_event));
    /* Two heap events due at t=10 (seq 0, 1); at t=10 a zero-delay event (seq 2) is pushed. */
    sim__calendar_push(&c, event(&pool, 10, 0), 0);
    sim__calendar_push(&c, event(&pool, 10, 1), 0);
    sim__calendar_push(&c, event(&pool, 20, 3), 0);
    struct sim_event *a = sim__calendar_pop(&c, SIM_NEVER);
    assert_int_equal(a->seq, 0);
    sim__calendar_push(&c, event(&pool, 10, 2), 10); /* into the FIFO */
    assert_int_equal(sim__calendar_size(&c), 3);
    assert_int_equal(sim__calendar_pop(&c, SIM_NEVER)->seq, 1);
    assert_int_equal(sim__calendar_pop(&c, SIM_NEVER)->seq, 2);
    assert_null(sim__calendar_pop(&c, 19)); /* nothing due by the limit */
    assert_int_equal(sim__calendar_pop(&c, SIM_NEVER)->seq, 3);
    assert_null(sim__calendar_pop(&c, SIM_NEVER));
    sim_pool_fini(&pool);
    sim__calendar_fini(&c);
}

static int fired;
static void count(struct sim_component *self, void *arg)
{
    (void)self;
    (void)arg;
    fired++;
}

static void cancelled_events_never_run(void **state)
{
    (void)state;
    struct sim_world *w = sim__world_create(1, 0);
    w->end = 100 * SIM_S;
    fired = 0;
    struct sim_event *keep = sim_schedule(&w->engine, SIM_S, count, NULL);
    struct sim_event *drop = sim_schedule(&w->engine, 2 * SIM_S, count, NULL);
    (void)keep;
    sim_cancel(drop);
    sim__world_run(w);
    assert_int_equal(fired, 1);
    assert_int_equal(w->events, 1);
    sim__world_destroy(w);
}

/* Hops (zero-delay, no event record) and zero-delay events share one order: after the
 * heap events already due at the instant, in the order they were made; each counts. */
static char trace[16];
static int ntrace;
static void mark(struct sim_component *self, void *arg)
{
    (void)self;
    trace[ntrace++] = *(const char *)arg;
}

static void fan_out(struct sim_component *self, void *arg)
{
    mark(self, arg);
    struct sim_world *w = self->world;
    sim_schedule(self, 0, mark, "r");
    sim__hop_now(w, self, mark, "h");
    sim_schedule(self, 0, mark, "s");
    sim__hop_now(w, self, mark, "i");
}

static void hops_keep_time_and_sequence_order(void **state)
{
    (void)state;
    struct sim_world *w = sim__world_create(1, 0);
    w->end = 100 * SIM_S;
    ntrace = 0;
    sim_schedule(&w->engine, SIM_S, fan_out, "a");
    sim_schedule(&w->engine, SIM_S, mark, "b");
    sim_schedule(&w->engine, 2 * SIM_S, mark, "c");
    sim__hop_now(w, &w->engine, mark, "0"); /* at t=0, before the run's first event */
    sim__world_run(w);
    trace[ntrace] = 0;
    assert_string_equal(trace, "0abrhsic");
    assert_int_equal(w->events, 8);
    sim__world_destroy(w);
}

static sim_time tick(struct sim_component *self, void *arg)
{
    (void)self;
    int *n = arg;
    return ++*n < 5 ? SIM_S : SIM_NO_MORE;
}

static void periodic_work_returns_its_next_delay(void **state)
{
    (void)state;
    struct sim_world *w = sim__world_create(1, 0);
    w->end = 100 * SIM_S;
    int n = 0;
    sim_every(&w->engine, SIM_S, tick, &n);
    sim__world_run(w);
    assert_int_equal(n, 5);
    sim__world_destroy(w);
}

static void pool_reuses_objects(void **state)
{
    (void)state;
    struct sim_pool p;
    sim_pool_init(&p, 24);
    void *a = sim_pool_get(&p);
    sim_pool_put(&p, a);
    assert_ptr_equal(sim_pool_get(&p), a);
    size_t chunks = p.nchunks;
    for (int round = 0; round < 1000; round++) {
        void *objs[50];
        for (int i = 0; i < 50; i++) objs[i] = sim_pool_get(&p);
        for (int i = 0; i < 50; i++) sim_pool_put(&p, objs[i]);
    }
    assert_int_equal(p.nchunks, chunks); /* the steady state allocates nothing */
    sim_pool_fini(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pops_in_time_then_sequence_order),
        cmocka_unit_test(zero_delay_events_follow_earlier_events_of_the_same_instant),
        cmocka_unit_test(cancelled_events_never_run),
        cmocka_unit_test(hops_keep_time_and_sequence_order),
        cmocka_unit_test(periodic_work_returns_its_next_delay),
        cmocka_unit_test(pool_reuses_objects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
