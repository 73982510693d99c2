/* test_breaker.c: the circuit breaker models share (sim/kernel/breaker.c), driven by hand
 * at set times in a bare world: consecutive failures trip it, it refuses while open and
 * counts the refusals, turns half-open at the first attempt after open_for, closes after
 * its probes succeed and reopens at a failed one; outcomes of an older epoch are ignored;
 * the failure ratio is kept over a sliding window; the time open is measured; its
 * settings are read with their errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "kernel/internal.h"
#include "load/loader.h"

static void noop(struct sim_component *self) { (void)self; }
static void no_report(struct sim_component *self, struct sim_report *rep) { (void)self; (void)rep; }
static const struct sim_model owner_model = {.name = "owner", .size = sizeof(struct sim_component),
                                             .clear_stats = noop, .report = no_report};

static struct sim_world *world_of(struct sim_breaker *b, const struct sim_breaker_cfg *k)
{
    struct sim_world *w = sim__world_create(1, 0);
    struct sim_component *owner = sim__world_add(w, &owner_model, "svc");
    *b = (struct sim_breaker){0};
    sim_breaker_init(b, owner, k);
    w->measuring = true;
    return w;
}

static void consecutive_failures_trip_and_probes_close(void **state)
{
    (void)state;
    const struct sim_breaker_cfg k = {.on = true, .consecutive = 3, .open_for = SIM_S, .probes = 2};
    struct sim_breaker b;
    struct sim_world *w = world_of(&b, &k);
    bool probe;
    for (int i = 0; i < 2; i++) sim_breaker_record(&b, 0, false);
    sim_breaker_record(&b, 0, true); /* a success breaks the run */
    for (int i = 0; i < 2; i++) sim_breaker_record(&b, 0, false);
    assert_int_equal(b.state, SIM_BREAKER_CLOSED);
    sim_breaker_record(&b, 0, false);
    assert_int_equal(b.state, SIM_BREAKER_OPEN);
    assert_int_equal(b.epoch, 1);
    assert_int_equal(b.trips, 1);
    assert_true(sim_breaker_openness(&b) == 1);

    w->now = SIM_S - 1; /* still open: refused and counted */
    assert_false(sim_breaker_admits(&b, &probe));
    assert_int_equal(b.short_circuited, 1);
    w->now = SIM_S; /* open_for is over: the next attempt finds it half-open */
    assert_true(sim_breaker_openness(&b) == 0.5);
    assert_true(sim_breaker_admits(&b, &probe));
    assert_true(probe);
    assert_int_equal(b.state, SIM_BREAKER_HALF_OPEN);
    assert_int_equal(b.epoch, 2);
    assert_true(sim_breaker_admits(&b, &probe));
    assert_false(sim_breaker_admits(&b, &probe)); /* two probes at most */
    sim_breaker_unprobe(&b);                      /* one was not sent after all */
    assert_true(sim_breaker_admits(&b, &probe));
    sim_breaker_record(&b, 1, false); /* an attempt of the open epoch: ignored */
    assert_int_equal(b.state, SIM_BREAKER_HALF_OPEN);
    sim_breaker_record(&b, 2, true);
    sim_breaker_record(&b, 2, true);
    assert_int_equal(b.state, SIM_BREAKER_CLOSED);
    assert_int_equal(b.epoch, 3);
    assert_int_equal(b.consecutive, 0);
    assert_true(sim_breaker_openness(&b) == 0);
    sim__world_destroy(w);
}

/* A failed probe opens it again; the first open period (0 to 1 s), inside the measured
 * window from 0.5 s, counts 0.5 s when the second trip comes. */
static void a_failed_probe_reopens(void **state)
{
    (void)state;
    const struct sim_breaker_cfg k = {.on = true, .consecutive = 1, .open_for = SIM_S, .probes = 3};
    struct sim_breaker b;
    struct sim_world *w = world_of(&b, &k);
    bool probe;
    sim_breaker_record(&b, 0, false);
    w->now = SIM_S / 2;
    sim_breaker_clear_stats(&b);
    assert_int_equal(b.trips, 0);
    w->now = 2 * SIM_S;
    assert_true(sim_breaker_admits(&b, &probe));
    sim_breaker_record(&b, b.epoch, false);
    assert_int_equal(b.state, SIM_BREAKER_OPEN);
    assert_int_equal(b.trips, 1);
    assert_int_equal(b.open_time, SIM_S / 2);
    assert_int_equal(b.open_until, 3 * SIM_S);
    sim__world_destroy(w);
}

/* Ratio 0.5 over a 10 s window (1 s buckets), at least 4 calls: 3 failures among 10 calls
 * do not trip. At 10 s the oldest bucket (4 successes) has left the window: a success
 * makes 3 failures of 7, then a failure 4 of 8, which trips (4 of 12 would not have). */
static void the_ratio_is_kept_over_a_sliding_window(void **state)
{
    (void)state;
    const struct sim_breaker_cfg k = {.on = true, .failure_ratio = 0.5, .window = 10 * SIM_S,
                                      .min_calls = 4, .open_for = SIM_S, .probes = 1};
    struct sim_breaker b;
    struct sim_world *w = world_of(&b, &k);
    for (int i = 0; i < 4; i++) sim_breaker_record(&b, 0, true); /* bucket 0 */
    w->now = 5 * SIM_S;
    for (int i = 0; i < 3; i++) sim_breaker_record(&b, 0, true);
    for (int i = 0; i < 3; i++) sim_breaker_record(&b, 0, false);
    assert_int_equal(b.state, SIM_BREAKER_CLOSED);
    assert_int_equal(b.window_calls, 10);
    w->now = 10 * SIM_S;
    sim_breaker_record(&b, 0, true);
    assert_int_equal(b.window_calls, 7);
    assert_int_equal(b.window_fails, 3);
    assert_int_equal(b.state, SIM_BREAKER_CLOSED);
    sim_breaker_record(&b, 0, false);
    assert_int_equal(b.state, SIM_BREAKER_OPEN);
    sim__world_destroy(w);
}

/* A breaker that is off lets everything through and never changes. */
static void off_admits_everything(void **state)
{
    (void)state;
    const struct sim_breaker_cfg k = {0};
    struct sim_breaker b;
    struct sim_world *w = world_of(&b, &k);
    bool probe = true;
    for (int i = 0; i < 100; i++) sim_breaker_record(&b, 0, false);
    assert_true(sim_breaker_admits(&b, &probe));
    assert_false(probe);
    assert_int_equal(b.state, SIM_BREAKER_CLOSED);
    assert_int_equal(b.epoch, 0);
    sim__world_destroy(w);
}

static void configuration(void **state)
{
    (void)state;
    static const struct {
        const char *json, *message;
    } cases[] = {
        {"{\"breaker\": {\"failure_ratio\": 0.5, \"consecutive_failures\": 5}}", NULL},
        {"{\"breaker\": {}}",
         "s.json: breaker: expected failure_ratio or consecutive_failures (or both)"},
        {"{\"breaker\": {\"consecutive_failures\": 5, \"window\": \"1s\"}}",
         "s.json: breaker.window: only with failure_ratio"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char err[256];
        struct sim_loader *ld = sim__loader_parse("s.json", cases[i].json, strlen(cases[i].json),
                                                  err, sizeof err);
        assert_non_null(ld);
        struct sim_breaker_cfg k = {0};
        sim_breaker_configure(&k, sim__loader_root(ld));
        if (cases[i].message) {
            assert_non_null(sim__loader_error(ld));
            assert_string_equal(sim__loader_error(ld), cases[i].message);
        } else {
            assert_null(sim__loader_error(ld));
            assert_true(k.on);
            assert_true(k.failure_ratio == 0.5);
            assert_int_equal(k.consecutive, 5);
            assert_int_equal(k.window, 10 * SIM_S);
            assert_int_equal(k.min_calls, 20);
            assert_int_equal(k.open_for, 5 * SIM_S);
            assert_int_equal(k.probes, 3);
        }
        sim__loader_destroy(ld);
    }
    /* No "breaker" object: the settings stay as they were (a call keeps its defaults). */
    char err[256];
    struct sim_loader *ld = sim__loader_parse("s.json", "{}", 2, err, sizeof err);
    assert_non_null(ld);
    struct sim_breaker_cfg k = {.on = true, .consecutive = 7};
    sim_breaker_configure(&k, sim__loader_root(ld));
    assert_true(k.on);
    assert_int_equal(k.consecutive, 7);
    sim__loader_destroy(ld);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(consecutive_failures_trip_and_probes_close),
        cmocka_unit_test(a_failed_probe_reopens),
        cmocka_unit_test(the_ratio_is_kept_over_a_sliding_window),
        cmocka_unit_test(off_admits_everything),
        cmocka_unit_test(configuration),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
