/* test_server.c: the server models share (sim/kernel/server.c), driven by hand in a bare
 * world. Jobs start while workers are free and wait in arrival order; a full queue
 * refuses; a hung server holds every arrival and starts nothing; a drop empties the
 * server at once and hands back its jobs, newest first; the levels measure exactly;
 * "workers" and "queue" are read with their errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "kernel/internal.h"
#include "load/loader.h"

#define MAX_JOBS 16

struct item {
    struct sim_job sj;
    int id;
};

/* The owner: one server whose jobs each hold a worker for `hold`. */
struct owner {
    struct sim_component base;
    struct sim_server srv;
    struct sim_level busy, queued;
    struct item items[MAX_JOBS];
    sim_time hold;
    bool hung;
    int started[MAX_JOBS], nstarted; /* ids in the order workers took them */
    sim_time started_at[MAX_JOBS];
};

static void noop(struct sim_component *self) { (void)self; }
static void no_report(struct sim_component *self, struct sim_report *rep) { (void)self; (void)rep; }
static const struct sim_model owner_model = {.name = "owner", .size = sizeof(struct owner),
                                             .clear_stats = noop, .report = no_report};

static void done(struct sim_component *self, void *arg)
{
    struct owner *o = (struct owner *)self;
    struct item *it = arg;
    sim_server_leave(&it->sj, o->hung);
}

static void begin(struct sim_component *self, struct sim_job *sj)
{
    struct owner *o = (struct owner *)self;
    struct item *it = SIM_CONTAINER(sj, struct item, sj);
    o->started[o->nstarted++] = it->id;
    o->started_at[it->id] = sim_now(self);
    sim_schedule(self, o->hold, done, it);
}

static enum sim_server_result results[MAX_JOBS];

static void arrive(struct sim_component *self, void *arg)
{
    struct owner *o = (struct owner *)self;
    struct item *it = arg;
    results[it->id] = sim_server_arrive(&o->srv, &it->sj, o->hung);
}

static struct sim_world *world_of(struct owner **o, int workers, int64_t queue_limit,
                                  sim_time hold)
{
    struct sim_world *w = sim__world_create(1, 0);
    *o = (struct owner *)sim__world_add(w, &owner_model, "server");
    struct owner *p = *o;
    sim_server_init(&p->srv, &p->base, workers, queue_limit, &p->busy, &p->queued, begin);
    sim_level_init(&p->busy, 0, 0);
    sim_level_init(&p->queued, 0, 0);
    p->hold = hold;
    for (int i = 0; i < MAX_JOBS; i++) p->items[i].id = i;
    for (int i = 0; i < MAX_JOBS; i++) results[i] = -1;
    w->measuring = true;
    return w;
}

static void arrive_at(struct owner *o, int i, sim_time at)
{
    sim_schedule(&o->base, at, arrive, &o->items[i]);
}

static bool near(double x, double want)
{
    return x > want - 1e-12 && x < want + 1e-12;
}

/* Two workers, five jobs at time 0, 10 ms each: 0 and 1 start at once, 2 and 3 at 10 ms,
 * 4 at 20 ms, in arrival order. Busy: 2 workers for 20 ms, 1 for the last 10; waiting: 3
 * for 10 ms, 1 for 10 ms. */
static void waits_in_arrival_order(void **state)
{
    (void)state;
    struct owner *o;
    struct sim_world *w = world_of(&o, 2, -1, 10 * SIM_MS);
    for (int i = 0; i < 5; i++) arrive_at(o, i, 0);
    sim__world_run(w);
    assert_int_equal(o->nstarted, 5);
    const sim_time want[] = {0, 0, 10 * SIM_MS, 10 * SIM_MS, 20 * SIM_MS};
    for (int i = 0; i < 5; i++) {
        assert_int_equal(o->started[i], i);
        assert_int_equal(o->started_at[i], want[i]);
    }
    assert_int_equal(results[0], SIM_SERVER_STARTED);
    assert_int_equal(results[2], SIM_SERVER_QUEUED);
    assert_int_equal(o->srv.busy, 0);
    assert_int_equal(o->srv.queue.count, 0);
    assert_null(o->srv.live);
    sim_time end = 30 * SIM_MS;
    assert_true(near(sim_level_mean(&o->busy, end), 50.0 / 30));
    assert_true(near(sim_level_mean(&o->queued, end), 40.0 / 30));
    assert_true(o->busy.max == 2);
    assert_true(o->queued.max == 3);
    sim_server_fini(&o->srv);
    sim__world_destroy(w);
}

/* One worker, a queue of 1: the third arrival at once is refused and stays on the live
 * list until the model lets it go; a worker freed by release goes to the waiter. */
static void a_full_queue_refuses(void **state)
{
    (void)state;
    struct owner *o;
    struct sim_world *w = world_of(&o, 1, 1, 10 * SIM_MS);
    struct item *it = o->items;
    assert_int_equal(sim_server_arrive(&o->srv, &it[0].sj, false), SIM_SERVER_STARTED);
    assert_int_equal(sim_server_arrive(&o->srv, &it[1].sj, false), SIM_SERVER_QUEUED);
    assert_int_equal(sim_server_arrive(&o->srv, &it[2].sj, false), SIM_SERVER_FULL);
    assert_int_equal(sim_server_load(&o->srv), 2); /* busy 1, queued 1 */
    assert_ptr_equal(o->srv.live, &it[2].sj); /* newest first */
    assert_true(it[0].sj.serving);
    assert_false(it[1].sj.serving);
    sim_server_leave(&it[2].sj, false); /* refused: off the list, nothing else moves */
    assert_null(it[2].sj.server);
    assert_int_equal(o->srv.busy, 1);
    sim_server_release(&it[0].sj, false); /* the worker goes to job 1 at once */
    assert_false(it[0].sj.serving);
    assert_true(it[1].sj.serving);
    assert_int_equal(o->started[1], 1);
    assert_int_equal(o->srv.queue.count, 0);
    assert_int_equal(o->srv.busy, 1);
    sim_server_release(&it[0].sj, false); /* holds none: nothing happens */
    assert_int_equal(o->srv.busy, 1);
    sim_server_leave(&it[0].sj, false);
    assert_ptr_equal(o->srv.live, &it[1].sj);
    assert_null(it[1].sj.prev);
    assert_null(it[1].sj.next);
    sim_server_fini(&o->srv);
    sim__world_destroy(w);
}

/* A hung server queues every arrival, even with workers free, and a release while hung
 * starts nobody: the waiters stay for the drop. */
static void a_hung_server_starts_nothing(void **state)
{
    (void)state;
    struct owner *o;
    struct sim_world *w = world_of(&o, 2, -1, 10 * SIM_MS);
    struct item *it = o->items;
    assert_int_equal(sim_server_arrive(&o->srv, &it[0].sj, false), SIM_SERVER_STARTED);
    assert_int_equal(sim_server_arrive(&o->srv, &it[1].sj, true), SIM_SERVER_QUEUED);
    sim_server_leave(&it[0].sj, true);
    assert_int_equal(o->srv.busy, 0);
    assert_int_equal(o->srv.queue.count, 1);
    assert_int_equal(o->nstarted, 1);
    sim_server_fini(&o->srv);
    sim__world_destroy(w);
}

/* Jobs lost on a crash at 5 ms: two in service, three waiting. The server is empty at
 * once (levels down to 0), the list holds the five, newest first, each on no server;
 * a job arriving afterwards starts on the empty server and is not on that list. */
static void a_drop_hands_back_every_job(void **state)
{
    (void)state;
    struct owner *o;
    struct sim_world *w = world_of(&o, 2, -1, 10 * SIM_MS);
    struct item *it = o->items;
    for (int i = 0; i < 5; i++) sim_server_arrive(&o->srv, &it[i].sj, false);
    w->now = 5 * SIM_MS;
    struct sim_job *list = sim_server_drop(&o->srv);
    int n = 0;
    for (struct sim_job *x = list; x; x = x->next, n++) {
        assert_ptr_equal(x, &it[4 - n].sj);
        assert_null(x->server);
        assert_false(x->serving);
    }
    assert_int_equal(n, 5);
    assert_int_equal(o->srv.busy, 0);
    assert_int_equal(o->srv.queue.count, 0);
    assert_null(o->srv.live);
    assert_true(o->busy.level == 0 && o->queued.level == 0);
    assert_true(near(sim_level_mean(&o->busy, 10 * SIM_MS), 1.0));   /* 2 for 5 of 10 ms */
    assert_true(near(sim_level_mean(&o->queued, 10 * SIM_MS), 1.5)); /* 3 for 5 of 10 ms */
    sim_server_leave(&it[0].sj, false); /* a lost job leaving again: nothing happens */
    assert_int_equal(sim_server_arrive(&o->srv, &it[5].sj, false), SIM_SERVER_STARTED);
    assert_ptr_equal(o->srv.live, &it[5].sj);
    assert_null(it[5].sj.next);
    assert_int_equal(o->srv.busy, 1);
    sim_server_fini(&o->srv);
    sim__world_destroy(w);
}

/* A drop of an idle server does not touch the levels: a shared level's area is summed in
 * one piece, as without the drop. */
static void an_idle_drop_leaves_the_levels(void **state)
{
    (void)state;
    struct owner *o;
    struct sim_world *w = world_of(&o, 1, -1, SIM_MS);
    sim_level_add(&o->busy, 0, 3); /* other servers' work on a shared level */
    w->now = 7 * SIM_MS;
    assert_null(sim_server_drop(&o->srv));
    assert_true(o->busy.since == 0);
    assert_true(o->queued.since == 0);
    sim_server_fini(&o->srv);
    sim__world_destroy(w);
}

static void configuration(void **state)
{
    (void)state;
    static const struct {
        const char *json, *message;
        int workers;
        int64_t queue;
    } cases[] = {
        {"{}", NULL, 4, -1},
        {"{\"workers\": 8, \"queue\": 100}", NULL, 8, 100},
        {"{\"queue\": \"unbounded\"}", NULL, 4, -1},
        {"{\"workers\": 0}", "s.json: workers: expected an integer from 1 to 1000000, got 0", 0, 0},
        {"{\"queue\": \"endless\"}", "s.json: queue: expected \"unbounded\", got \"endless\"", 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char err[256];
        struct sim_loader *ld = sim__loader_parse("s.json", cases[i].json, strlen(cases[i].json),
                                                  err, sizeof err);
        assert_non_null(ld);
        int workers = 0;
        int64_t queue = 0;
        sim_server_configure(sim__loader_root(ld), 4, &workers, &queue);
        if (cases[i].message) {
            assert_non_null(sim__loader_error(ld));
            assert_string_equal(sim__loader_error(ld), cases[i].message);
        } else {
            assert_null(sim__loader_error(ld));
            assert_int_equal(workers, cases[i].workers);
            assert_int_equal(queue, cases[i].queue);
        }
        sim__loader_destroy(ld);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(waits_in_arrival_order),
        cmocka_unit_test(a_full_queue_refuses),
        cmocka_unit_test(a_hung_server_starts_nothing),
        cmocka_unit_test(a_drop_hands_back_every_job),
        cmocka_unit_test(an_idle_drop_leaves_the_levels),
        cmocka_unit_test(configuration),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
