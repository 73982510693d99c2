/* test_connpool.c: the connection pool models share (sim/connpool.c), driven by hand in a
 * bare world. Calls hold connections up to the size and wait in arrival order, with exact
 * waits and levels; "reject" refuses at once (through expire() when entered with
 * sim_connpool_enter); a wait that times out leaves the line and
 * the next release skips it; an absent pool holds nothing; 10^5 waiters at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "kernel/internal.h"
#include "load/loader.h"

#define MAX_CALLS 100000

/* The owner: a component whose calls each hold their connection for `hold`. */
struct owner {
    struct sim_component base;
    struct sim_connpool pool;
    struct sim_conn conn[MAX_CALLS];
    sim_time admitted_at[MAX_CALLS], expired_at[MAX_CALLS];
    sim_time hold;
    int admitted, expired;
};

static void noop(struct sim_component *self) { (void)self; }
static void no_report(struct sim_component *self, struct sim_report *rep) { (void)self; (void)rep; }
static const struct sim_model owner_model = {.name = "owner", .size = sizeof(struct owner),
                                             .clear_stats = noop, .report = no_report};

static void done(struct sim_component *self, void *arg)
{
    struct owner *o = (struct owner *)self;
    sim_connpool_release(&o->pool, arg);
}

static void admitted(struct sim_component *self, struct sim_conn *c)
{
    struct owner *o = (struct owner *)self;
    o->admitted_at[c - o->conn] = sim_now(self);
    o->admitted++;
    sim_schedule(self, o->hold, done, c);
}

static void expired(struct sim_component *self, struct sim_conn *c)
{
    struct owner *o = (struct owner *)self;
    o->expired_at[c - o->conn] = sim_now(self);
    o->expired++;
}

static enum sim_conn_result results[MAX_CALLS];

/* Call i arrives: it asks for a connection and, holding one, starts at once. */
static void arrive(struct sim_component *self, void *arg)
{
    struct owner *o = (struct owner *)self;
    struct sim_conn *c = arg;
    enum sim_conn_result r = sim_connpool_acquire(&o->pool, c, sim_now(self));
    results[c - o->conn] = r;
    if (r == SIM_CONN_HELD) admitted(self, c);
}

static struct sim_world *world_of(struct owner **o, int size, bool reject, sim_time timeout,
                                  sim_time hold)
{
    struct sim_world *w = sim__world_create(1, 0);
    *o = (struct owner *)sim__world_add(w, &owner_model, "db");
    (*o)->pool = (struct sim_connpool){.on = true, .size = size, .reject = reject, .timeout = timeout};
    (*o)->hold = hold;
    sim_connpool_start(&(*o)->pool, &(*o)->base, admitted, expired);
    w->measuring = true;
    return w;
}

static void arrive_at(struct owner *o, int i, sim_time at)
{
    sim_schedule(&o->base, at, arrive, &o->conn[i]);
}

/* Size 2, five calls at time 0, 10 ms each: they start at 0, 0, 10, 10 and 20 ms. Three
 * waited (10 + 10 + 20 ms); two connections are in use for 20 ms and one for the last 10. */
static void waits_in_arrival_order(void **state)
{
    (void)state;
    struct owner *o;
    struct sim_world *w = world_of(&o, 2, false, 0, 10 * SIM_MS);
    for (int i = 0; i < 5; i++) arrive_at(o, i, 0);
    sim__world_run(w);
    const sim_time want[] = {0, 0, 10 * SIM_MS, 10 * SIM_MS, 20 * SIM_MS};
    for (int i = 0; i < 5; i++) assert_int_equal(o->admitted_at[i], want[i]);
    assert_int_equal(results[2], SIM_CONN_QUEUED);
    assert_int_equal(o->pool.started, 5);
    assert_int_equal(o->pool.waited, 3);
    assert_true(o->pool.wait_sum == (double)(40 * SIM_MS));
    assert_int_equal(o->pool.used, 0);
    assert_int_equal(o->pool.waiting, 0);
    assert_true(o->pool.waiting_level.max == 3);
    double in_use = sim_level_mean(&o->pool.in_use, 30 * SIM_MS);
    assert_true(in_use > 50.0 / 30 - 1e-12 && in_use < 50.0 / 30 + 1e-12);
    sim__world_destroy(w);
}

static void reject_refuses_at_once(void **state)
{
    (void)state;
    struct owner *o;
    struct sim_world *w = world_of(&o, 1, true, 0, 10 * SIM_MS);
    arrive_at(o, 0, 0);
    arrive_at(o, 1, 1 * SIM_MS);
    arrive_at(o, 2, 11 * SIM_MS); /* the first is done at 10 ms */
    sim__world_run(w);
    assert_int_equal(results[1], SIM_CONN_REFUSED);
    assert_int_equal(results[2], SIM_CONN_HELD);
    assert_int_equal(o->pool.rejected, 1);
    assert_int_equal(o->admitted, 2);
    assert_int_equal(o->pool.waited, 0);
    sim__world_destroy(w);
}

/* sim_connpool_enter answers through the callbacks: size 1, reject, 10 ms holds. Call 0
 * is admitted at once, call 1 (at 1 ms) refused at once through expire(), call 2 (at
 * 11 ms, after call 0 is done) admitted; a queued call is admitted when one frees. */
static void enter(struct sim_component *self, void *arg)
{
    struct owner *o = (struct owner *)self;
    sim_connpool_enter(&o->pool, arg, sim_now(self));
}

static void enter_answers_through_the_callbacks(void **state)
{
    (void)state;
    struct owner *o;
    struct sim_world *w = world_of(&o, 1, true, 0, 10 * SIM_MS);
    sim_schedule(&o->base, 0, enter, &o->conn[0]);
    sim_schedule(&o->base, 1 * SIM_MS, enter, &o->conn[1]);
    sim_schedule(&o->base, 11 * SIM_MS, enter, &o->conn[2]);
    sim__world_run(w);
    assert_int_equal(o->admitted, 2);
    assert_int_equal(o->admitted_at[2], 11 * SIM_MS);
    assert_int_equal(o->expired, 1);
    assert_int_equal(o->expired_at[1], 1 * SIM_MS);
    sim__world_destroy(w);
    w = world_of(&o, 1, false, 0, 10 * SIM_MS);
    sim_schedule(&o->base, 0, enter, &o->conn[0]);
    sim_schedule(&o->base, 1 * SIM_MS, enter, &o->conn[1]);
    sim__world_run(w);
    assert_int_equal(o->admitted_at[1], 10 * SIM_MS);
    assert_int_equal(o->expired, 0);
    sim__world_destroy(w);
}

/* Size 1, a 5 ms timeout, 10 ms holds. Call 1 (at 0) times out at 5 ms; call 2 (at 6 ms)
 * is next in line when call 0 ends at 10 ms, and its own timeout (11 ms) never fires. */
static void a_timed_out_wait_leaves_the_line(void **state)
{
    (void)state;
    struct owner *o;
    struct sim_world *w = world_of(&o, 1, false, 5 * SIM_MS, 10 * SIM_MS);
    arrive_at(o, 0, 0);
    arrive_at(o, 1, 0);
    arrive_at(o, 2, 6 * SIM_MS);
    sim__world_run(w);
    assert_int_equal(o->expired, 1);
    assert_int_equal(o->expired_at[1], 5 * SIM_MS);
    assert_int_equal(o->admitted_at[2], 10 * SIM_MS);
    assert_int_equal(o->admitted, 2);
    assert_int_equal(o->pool.timeouts, 1);
    assert_int_equal(o->pool.waiting, 0);
    assert_null(o->pool.head);
    sim__world_destroy(w);
}

/* No "pool" object: every call holds at once and nothing is counted or reported. */
static void an_absent_pool_holds_nothing(void **state)
{
    (void)state;
    char err[256];
    struct sim_loader *ld = sim__loader_parse("db.json", "{}", 2, err, sizeof err);
    assert_non_null(ld);
    struct sim_connpool p = {0};
    assert_false(sim_connpool_configure(&p, sim__loader_root(ld), "pool"));
    assert_false(p.on);
    struct sim_conn c;
    assert_int_equal(sim_connpool_acquire(&p, &c, 0), SIM_CONN_HELD);
    assert_false(c.connected);
    sim_connpool_release(&p, &c);
    assert_int_equal(p.used, 0);
    char buf[32];
    sim_connpool_describe(&p, buf, sizeof buf);
    assert_string_equal(buf, "");
    sim__loader_destroy(ld);
}

static void configuration_errors_name_the_path(void **state)
{
    (void)state;
    static const struct {
        const char *json, *message;
    } cases[] = {
        {"{\"pool\": {\"size\": 0}}", "db.json: pool.size: expected an integer from 1 to 1000000, got 0"},
        {"{\"pool\": {\"size\": 4, \"wait\": \"reject\", \"timeout\": \"1s\"}}",
         "db.json: pool.timeout: only with wait \"queue\""},
        {"{\"pool\": {\"size\": 4, \"wiat\": \"queue\"}}",
         "db.json: pool.wiat: unknown field (did you mean 'wait'?)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char err[256];
        struct sim_loader *ld = sim__loader_parse("db.json", cases[i].json, strlen(cases[i].json),
                                                  err, sizeof err);
        assert_non_null(ld);
        struct sim_connpool p = {0};
        sim_connpool_configure(&p, sim__loader_root(ld), "pool");
        assert_non_null(sim__loader_error(ld));
        assert_string_equal(sim__loader_error(ld), cases[i].message);
        sim__loader_destroy(ld);
    }
}

/* 10^5 calls at once on one connection, 1 us each, every wait timing out at 50 ms: calls
 * 0..49,999 are served (the line moves in O(1)); at 50 ms the timeouts, set at time 0, run
 * before the release due then (one instant runs in insertion order), so the rest leave. */
static void a_hundred_thousand_waiters(void **state)
{
    (void)state;
    struct owner *o;
    struct sim_world *w = world_of(&o, 1, false, 50 * SIM_MS, SIM_US);
    for (int i = 0; i < MAX_CALLS; i++) arrive_at(o, i, 0);
    sim__world_run(w);
    printf("10^5 waiters: %d admitted, %d timed out\n", o->admitted, o->expired);
    assert_int_equal(o->admitted + o->expired, MAX_CALLS);
    assert_int_equal(o->admitted, 50000);
    assert_int_equal(o->pool.waiting, 0);
    sim__world_destroy(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(waits_in_arrival_order),
        cmocka_unit_test(reject_refuses_at_once),
        cmocka_unit_test(enter_answers_through_the_callbacks),
        cmocka_unit_test(a_timed_out_wait_leaves_the_line),
        cmocka_unit_test(an_absent_pool_holds_nothing),
        cmocka_unit_test(configuration_errors_name_the_path),
        cmocka_unit_test(a_hundred_thousand_waiters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
