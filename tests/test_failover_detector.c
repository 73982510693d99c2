/* test_failover_detector.c: the failover detector models share (sim/kernel/failover.c),
 * driven by hand in a bare world (test_failover.c is the database under faults). A target
 * down from D is declared dead `missed` intervals after the first beat at or after D; one
 * that answers before its takeover falls due calls it off, and one that answers before any
 * takeover was planned is alive again; a caller on the old endpoint moves on with
 * probability age / TTL; the TTL's end reaches the owner once, for the latest move only;
 * 10^4 targets at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "kernel/internal.h"

#define MAX_TARGETS 10000

/* The owner: targets up or down by hand, and what the detector told it, and when. */
struct owner {
    struct sim_component base;
    struct sim_failover fo;
    bool down[MAX_TARGETS];
    sim_time first_beat[MAX_TARGETS], first_failed_beat[MAX_TARGETS];
    sim_time dead_at[MAX_TARGETS], back_at[MAX_TARGETS], took_over_at[MAX_TARGETS];
    sim_time plan_delay; /* dead() plans a takeover after this; -1: plans none */
    int deads, backs, called_offs, take_overs, follows, followed_old;
    sim_time followed_at;
};

static void noop(struct sim_component *self) { (void)self; }
static void no_report(struct sim_component *self, struct sim_report *rep) { (void)self; (void)rep; }
static const struct sim_model owner_model = {.name = "owner", .size = sizeof(struct owner),
                                             .clear_stats = noop, .report = no_report};

static bool answers(struct sim_component *self, int t)
{
    struct owner *o = (struct owner *)self;
    sim_time now = sim_now(self);
    if (o->first_beat[t] < 0) o->first_beat[t] = now;
    if (o->down[t] && o->first_failed_beat[t] < 0) o->first_failed_beat[t] = now;
    return !o->down[t];
}

static void dead(struct sim_component *self, int t)
{
    struct owner *o = (struct owner *)self;
    o->deads++;
    o->dead_at[t] = sim_now(self);
    if (o->plan_delay >= 0) sim_failover_plan(&o->fo, t, o->plan_delay);
}

static void back(struct sim_component *self, int t, bool called_off)
{
    struct owner *o = (struct owner *)self;
    o->backs++;
    o->called_offs += called_off;
    o->back_at[t] = sim_now(self);
}

static void take_over(struct sim_component *self, int t)
{
    struct owner *o = (struct owner *)self;
    o->take_overs++;
    o->took_over_at[t] = sim_now(self);
    sim_failover_reset(&o->fo, t);
}

static void followed(struct sim_component *self, int t, int old)
{
    (void)t;
    struct owner *o = (struct owner *)self;
    o->follows++;
    o->followed_old = old;
    o->followed_at = sim_now(self);
}

static const struct sim_failover_ops ops = {.answers = answers, .dead = dead, .back = back,
                                            .take_over = take_over, .followed = followed};

static struct sim_world *world_of(struct owner **o, int count, sim_time end, sim_time ttl)
{
    struct sim_world *w = sim__world_create(7, 0);
    w->end = end;
    *o = (struct owner *)sim__world_add(w, &owner_model, "db");
    (*o)->fo = (struct sim_failover){.on = true, .heartbeat = SIM_S, .missed = 3, .endpoint_ttl = ttl};
    (*o)->plan_delay = -1;
    for (int i = 0; i < MAX_TARGETS; i++) (*o)->first_beat[i] = (*o)->first_failed_beat[i] = -1;
    sim_failover_init(&(*o)->fo, &(*o)->base, count, &ops);
    sim_failover_start(&(*o)->fo);
    return w;
}

static void destroy(struct sim_world *w, struct owner *o)
{
    sim_failover_fini(&o->fo);
    sim__world_destroy(w);
}

static void goes_down(struct sim_component *self, void *arg)
{
    ((struct owner *)self)->down[(intptr_t)arg] = true;
}

static void comes_up(struct sim_component *self, void *arg)
{
    ((struct owner *)self)->down[(intptr_t)arg] = false;
}

/* Down at 10.5s for good: declared 3 beats after the first beat that found it down, with
 * no takeover planned it stays declared, and the monitors beat at a phase inside [0, 1s). */
static void declared_missed_intervals_after_the_first_failed_beat(void **state)
{
    (void)state;
    struct owner *o;
    struct sim_world *w = world_of(&o, 2, 30 * SIM_S, 0);
    sim_schedule(&o->base, 10 * SIM_S + SIM_S / 2, goes_down, (void *)0);
    sim__world_run(w);
    assert_true(o->first_beat[0] >= 0 && o->first_beat[0] < SIM_S);
    assert_true(o->first_failed_beat[0] >= 10 * SIM_S + SIM_S / 2);
    assert_true(o->first_failed_beat[0] < 11 * SIM_S + SIM_S / 2);
    assert_int_equal(o->deads, 1);
    assert_int_equal(o->dead_at[0], o->first_failed_beat[0] + 3 * SIM_S);
    assert_true(o->fo.targets[0].declared);
    assert_false(o->fo.targets[1].declared);
    assert_int_equal(o->fo.declared_dead, 1);
    assert_int_equal(o->backs, 0);
    destroy(w, o);
}

/* Back before the planned takeover falls due: the takeover is called off, once. */
static void answering_before_the_takeover_calls_it_off(void **state)
{
    (void)state;
    struct owner *o;
    struct sim_world *w = world_of(&o, 1, 30 * SIM_S, 0);
    o->plan_delay = 5 * SIM_S;
    sim_schedule(&o->base, 2 * SIM_S, goes_down, (void *)0);
    sim_schedule(&o->base, 7 * SIM_S, comes_up, (void *)0); /* declared at 5 to 6s */
    sim__world_run(w);
    assert_int_equal(o->deads, 1);
    assert_int_equal(o->take_overs, 0);
    assert_int_equal(o->backs, 1);
    assert_int_equal(o->called_offs, 1);
    assert_int_equal(o->back_at[0], o->dead_at[0] + 5 * SIM_S);
    assert_int_equal(o->fo.called_off, 1);
    assert_false(o->fo.targets[0].declared);
    assert_null(o->fo.targets[0].takeover);
    destroy(w, o);
}

/* Still down when it falls due: the owner takes over; with a reset the monitor starts
 * afresh and (the target still down) declares it again after missed + 1 beats. */
static void still_down_when_due_the_owner_takes_over(void **state)
{
    (void)state;
    struct owner *o;
    struct sim_world *w = world_of(&o, 1, 20 * SIM_S, 0);
    o->plan_delay = 2 * SIM_S;
    sim_schedule(&o->base, SIM_S / 2, goes_down, (void *)0);
    sim__world_run(w);
    assert_true(o->take_overs >= 1);
    assert_true(o->took_over_at[0] >= o->first_failed_beat[0] + 5 * SIM_S);
    assert_int_equal(o->backs, 0);
    /* After each reset: the next beat is not counted (no beat sent), then 3 misses. */
    assert_int_equal(o->fo.declared_dead, (uint64_t)o->deads);
    assert_true(o->deads >= 2);
    destroy(w, o);
}

/* Declared dead with no takeover planned, then answering: alive at the next beat. */
static void answering_before_any_plan_is_alive_again(void **state)
{
    (void)state;
    struct owner *o;
    struct sim_world *w = world_of(&o, 1, 20 * SIM_S, 0);
    sim_schedule(&o->base, SIM_S / 2, goes_down, (void *)0);
    sim_schedule(&o->base, 8 * SIM_S, comes_up, (void *)0);
    sim__world_run(w);
    assert_int_equal(o->deads, 1);
    assert_int_equal(o->backs, 1);
    assert_int_equal(o->called_offs, 0);
    /* The beat at 8 to 9s answers; its answer is counted one beat later. */
    assert_true(o->back_at[0] >= 9 * SIM_S && o->back_at[0] < 10 * SIM_S);
    assert_int_equal(o->fo.called_off, 1);
    destroy(w, o);
}

static sim_time probe_age;
static int probe_old, probe_n;

static void probe(struct sim_component *self, void *arg)
{
    (void)arg;
    struct owner *o = (struct owner *)self;
    for (int i = 0; i < probe_n; i++) probe_old += sim_failover_endpoint(&o->fo, 0, 1) == 0;
    probe_age = sim_now(self);
}

static void move(struct sim_component *self, void *arg)
{
    struct owner *o = (struct owner *)self;
    sim_failover_moved(&o->fo, 0, (int)(intptr_t)arg);
    sim_failover_follow(&o->fo, 0);
}

/* Moved at 1s with a 10s TTL: at 3.5s a call reaches the old endpoint with probability
 * 1 - 2.5 / 10 = 0.75 (10^5 draws: within 5 standard deviations, 0.0068); the TTL's end
 * at 11s reaches the owner once, and afterwards every call reaches the new one. */
static void callers_follow_within_the_ttl(void **state)
{
    (void)state;
    struct owner *o;
    struct sim_world *w = world_of(&o, 1, 20 * SIM_S, 10 * SIM_S);
    o->fo.heartbeat = 100 * SIM_S; /* keep the monitor out of the way */
    probe_n = 100000;
    probe_old = 0;
    sim_schedule(&o->base, SIM_S, move, (void *)0);
    sim_schedule(&o->base, 3 * SIM_S + SIM_S / 2, probe, NULL);
    sim__world_run(w);
    double old = (double)probe_old / probe_n;
    assert_true(old > 0.75 - 0.0069 && old < 0.75 + 0.0069);
    assert_int_equal(o->follows, 1);
    assert_int_equal(o->followed_at, 11 * SIM_S);
    assert_int_equal(o->followed_old, 0);
    assert_int_equal(sim_failover_old_endpoint(&o->fo, 0), -1);
    assert_int_equal(sim_failover_endpoint(&o->fo, 0, 1), 1);
    assert_int_equal(o->fo.promotions, 1);
    assert_int_equal(o->fo.last_promotion, SIM_S);
    destroy(w, o);
}

/* A second move at 6s: the first TTL's end (11s) is ignored; the second's (16s) counts. */
static void a_later_move_takes_over_the_ttl(void **state)
{
    (void)state;
    struct owner *o;
    struct sim_world *w = world_of(&o, 1, 20 * SIM_S, 10 * SIM_S);
    o->fo.heartbeat = 100 * SIM_S;
    sim_schedule(&o->base, SIM_S, move, (void *)0);
    sim_schedule(&o->base, 6 * SIM_S, move, (void *)1);
    sim__world_run(w);
    assert_int_equal(o->follows, 1);
    assert_int_equal(o->followed_at, 16 * SIM_S);
    assert_int_equal(o->followed_old, 1);
    assert_int_equal(o->fo.promotions, 2);
    assert_int_equal(o->fo.last_promotion, 6 * SIM_S);
    destroy(w, o);
}

/* A TTL of 0: every caller follows at once, within the move. */
static void a_zero_ttl_follows_at_once(void **state)
{
    (void)state;
    struct owner *o;
    struct sim_world *w = world_of(&o, 1, 5 * SIM_S, 0);
    o->fo.heartbeat = 100 * SIM_S;
    sim_schedule(&o->base, 2 * SIM_S, move, (void *)0);
    sim__world_run(w);
    assert_int_equal(o->follows, 1);
    assert_int_equal(o->followed_at, 2 * SIM_S);
    destroy(w, o);
}

/* Off: no targets, the endpoint is always the current one, nothing reported. */
static void off_does_nothing(void **state)
{
    (void)state;
    struct sim_world *w = sim__world_create(7, 0);
    w->end = 5 * SIM_S;
    struct owner *o = (struct owner *)sim__world_add(w, &owner_model, "db");
    sim_failover_init(&o->fo, &o->base, 4, &ops);
    sim_failover_start(&o->fo);
    sim__world_run(w);
    assert_null(o->fo.targets);
    assert_int_equal(sim_failover_endpoint(&o->fo, 3, 2), 2);
    assert_int_equal(sim_failover_old_endpoint(&o->fo, 3), -1);
    assert_int_equal(o->fo.last_promotion, -1);
    destroy(w, o);
}

/* 10^4 targets, every one down from 5.5s: each declared exactly once, at its own phase. */
static void ten_thousand_targets(void **state)
{
    (void)state;
    struct owner *o;
    struct sim_world *w = world_of(&o, MAX_TARGETS, 12 * SIM_S, 0);
    for (int i = 0; i < MAX_TARGETS; i++)
        sim_schedule(&o->base, 5 * SIM_S + SIM_S / 2, goes_down, (void *)(intptr_t)i);
    sim__world_run(w);
    assert_int_equal(o->deads, MAX_TARGETS);
    for (int i = 0; i < MAX_TARGETS; i++)
        assert_int_equal(o->dead_at[i], o->first_failed_beat[i] + 3 * SIM_S);
    destroy(w, o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(declared_missed_intervals_after_the_first_failed_beat),
        cmocka_unit_test(answering_before_the_takeover_calls_it_off),
        cmocka_unit_test(still_down_when_due_the_owner_takes_over),
        cmocka_unit_test(answering_before_any_plan_is_alive_again),
        cmocka_unit_test(callers_follow_within_the_ttl),
        cmocka_unit_test(a_later_move_takes_over_the_ttl),
        cmocka_unit_test(a_zero_ttl_follows_at_once),
        cmocka_unit_test(off_does_nothing),
        cmocka_unit_test(ten_thousand_targets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
