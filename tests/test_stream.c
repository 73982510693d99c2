/* test_stream.c: the in-order stream models share (sim/kernel/stream.c), driven by hand in
 * a bare world. Items apply at their times and never before the one ahead (sim_stream_order);
 * a stopped stream holds them and, flowing again, applies at once what fell due; dropped
 * items never apply and the rest keep their order; an apply may push onto its own stream;
 * 10^5 items. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "kernel/internal.h"

#define MAX_ITEMS 100000

struct owner {
    struct sim_component base;
    struct sim_stream s;
    struct sim_stream_item item[MAX_ITEMS];
    sim_time applied_at[MAX_ITEMS];
    int order[MAX_ITEMS];
    int applied;
    int chain; /* an apply pushes the next item, 1 ms later, while chain > 0 */
    int pushed;
};

static void noop(struct sim_component *self) { (void)self; }
static void no_report(struct sim_component *self, struct sim_report *rep) { (void)self; (void)rep; }
static const struct sim_model owner_model = {.name = "owner", .size = sizeof(struct owner),
                                             .clear_stats = noop, .report = no_report};

static void apply(struct sim_component *self, struct sim_stream *s, struct sim_stream_item *it)
{
    struct owner *o = (struct owner *)self;
    int i = (int)(it - o->item);
    o->applied_at[i] = sim_now(self);
    o->order[o->applied++] = i;
    if (o->chain > 0) {
        o->chain--;
        int n = o->pushed++;
        sim_stream_push(s, &o->item[n], sim_stream_order(s, sim_now(self) + SIM_MS), true);
    }
}

static struct sim_world *world_of(struct owner **o)
{
    struct sim_world *w = sim__world_create(1, 0);
    w->end = 1000 * SIM_S;
    *o = (struct owner *)sim__world_add(w, &owner_model, "db");
    sim_stream_init(&(*o)->s, &(*o)->base, apply);
    return w;
}

/* Drawn 10, 5 and 30 ms: the second waits for the first (10 ms), the third at 30 ms. */
static void items_apply_in_order_at_their_times(void **state)
{
    (void)state;
    struct owner *o;
    struct sim_world *w = world_of(&o);
    const sim_time drawn[] = {10 * SIM_MS, 5 * SIM_MS, 30 * SIM_MS};
    for (int i = 0; i < 3; i++)
        sim_stream_push(&o->s, &o->item[i], sim_stream_order(&o->s, drawn[i]), true);
    sim__world_run(w);
    assert_int_equal(o->applied, 3);
    for (int i = 0; i < 3; i++) assert_int_equal(o->order[i], i);
    assert_int_equal(o->applied_at[0], 10 * SIM_MS);
    assert_int_equal(o->applied_at[1], 10 * SIM_MS);
    assert_int_equal(o->applied_at[2], 30 * SIM_MS);
    assert_null(o->s.head);
    assert_null(o->s.pump);
    sim__world_destroy(w);
}

static void stop(struct sim_component *self, void *arg)
{
    (void)arg;
    sim_stream_flow(&((struct owner *)self)->s, false);
}

static void go(struct sim_component *self, void *arg)
{
    (void)arg;
    sim_stream_flow(&((struct owner *)self)->s, true);
}

/* Items at 10, 20 and 30 ms; stopped from 15 to 25 ms: the second applies at 25 ms (the
 * catch-up), the third on time. */
static void a_stopped_stream_holds_and_catches_up(void **state)
{
    (void)state;
    struct owner *o;
    struct sim_world *w = world_of(&o);
    for (int i = 0; i < 3; i++)
        sim_stream_push(&o->s, &o->item[i], sim_stream_order(&o->s, (i + 1) * 10 * SIM_MS), true);
    sim_schedule(&o->base, 15 * SIM_MS, stop, NULL);
    sim_schedule(&o->base, 25 * SIM_MS, go, NULL);
    sim__world_run(w);
    assert_int_equal(o->applied, 3);
    assert_int_equal(o->applied_at[0], 10 * SIM_MS);
    assert_int_equal(o->applied_at[1], 25 * SIM_MS);
    assert_int_equal(o->applied_at[2], 30 * SIM_MS);
    sim__world_destroy(w);
}

/* Pushed while stopped: nothing applies until it flows. */
static void pushed_while_stopped_waits(void **state)
{
    (void)state;
    struct owner *o;
    struct sim_world *w = world_of(&o);
    sim_stream_push(&o->s, &o->item[0], 5 * SIM_MS, false);
    sim_schedule(&o->base, 40 * SIM_MS, go, NULL);
    sim__world_run(w);
    assert_int_equal(o->applied, 1);
    assert_int_equal(o->applied_at[0], 40 * SIM_MS);
    sim__world_destroy(w);
}

static int dropped;

static bool odd(struct sim_component *self, struct sim_stream_item *it, void *arg)
{
    struct owner *o = (struct owner *)self;
    assert_ptr_equal(arg, &dropped);
    bool drop = (it - o->item) % 2;
    dropped += drop;
    return drop;
}

static void drop_odd(struct sim_component *self, void *arg)
{
    (void)arg;
    struct owner *o = (struct owner *)self;
    sim_stream_drop(&o->s, odd, &dropped);
    assert_null(o->s.pump); /* stopped until the owner says it flows */
    sim_stream_flow(&o->s, true);
}

/* Ten items, 1 ms apart; at 2.5 ms the odd ones go: 0, 2, 4, 6 and 8 apply, in order. */
static void dropped_items_never_apply(void **state)
{
    (void)state;
    struct owner *o;
    struct sim_world *w = world_of(&o);
    dropped = 0;
    for (int i = 0; i < 10; i++)
        sim_stream_push(&o->s, &o->item[i], sim_stream_order(&o->s, (i + 1) * SIM_MS), true);
    sim_schedule(&o->base, 2 * SIM_MS + SIM_MS / 2, drop_odd, NULL);
    sim__world_run(w);
    assert_int_equal(dropped, 4); /* 1 was applied before the drop */
    const int want[] = {0, 1, 2, 4, 6, 8};
    assert_int_equal(o->applied, 6);
    for (int i = 0; i < 6; i++) assert_int_equal(o->order[i], want[i]);
    assert_int_equal(o->applied_at[8], 9 * SIM_MS);
    sim__world_destroy(w);
}

/* Each apply pushes the next onto the same stream: 10^5 items, one every ms, in order. */
static void an_apply_may_push_onto_its_stream(void **state)
{
    (void)state;
    struct owner *o;
    struct sim_world *w = world_of(&o);
    o->chain = MAX_ITEMS - 1;
    o->pushed = 1;
    sim_stream_push(&o->s, &o->item[0], sim_stream_order(&o->s, SIM_MS), true);
    sim__world_run(w);
    assert_int_equal(o->applied, MAX_ITEMS);
    for (int i = 0; i < MAX_ITEMS; i++) {
        assert_int_equal(o->order[i], i);
        assert_int_equal(o->applied_at[i], (sim_time)(i + 1) * SIM_MS);
    }
    sim__world_destroy(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(items_apply_in_order_at_their_times),
        cmocka_unit_test(a_stopped_stream_holds_and_catches_up),
        cmocka_unit_test(pushed_while_stopped_waits),
        cmocka_unit_test(dropped_items_never_apply),
        cmocka_unit_test(an_apply_may_push_onto_its_stream),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
