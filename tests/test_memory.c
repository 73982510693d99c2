/* test_memory.c: pools and rings grow past 10^7 objects without their block size wrapping
 * (it once shifted to 0 past 58 blocks, about 3.2 million objects, and crashed), hand out
 * distinct objects, and charge their growth to the running world's memory budget, which
 * stops the world when exceeded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "kernel/internal.h"

static void block_sizes_never_wrap(void **state)
{
    (void)state;
    assert_int_equal(sim__pool_block_objects(0), 64);
    for (size_t n = 1; n < 100000; n++) {
        size_t count = sim__pool_block_objects(n);
        assert_true(count >= sim__pool_block_objects(n - 1));
        assert_true(count >= 64 && count <= 65536);
    }
    assert_int_equal(sim__pool_block_objects(SIZE_MAX), 65536);
}

/* Each object holds its own number: a block handed out twice, or of size 0, shows. */
static void pool_grows_past_ten_million_objects(void **state)
{
    (void)state;
    enum { N = 10500000 };
    struct sim_pool p;
    sim_pool_init(&p, sizeof(uint64_t));
    uint64_t **objs = malloc(N * sizeof *objs);
    assert_non_null(objs);
    for (uint64_t i = 0; i < N; i++) {
        objs[i] = sim_pool_get(&p);
        *objs[i] = i;
    }
    assert_int_equal(p.live, N);
    for (uint64_t i = 0; i < N; i++) assert_true(*objs[i] == i);
    size_t chunks = p.nchunks;
    for (uint64_t i = 0; i < N; i++) sim_pool_put(&p, objs[i]);
    for (uint64_t i = 0; i < N; i++) objs[i] = sim_pool_get(&p);
    assert_int_equal(p.nchunks, chunks); /* all reused: nothing more allocated */
    free(objs);
    sim_pool_fini(&p);
}

static void fifo_keeps_order_past_millions(void **state)
{
    (void)state;
    enum { N = 3000000 };
    struct sim_fifo q = {0};
    for (uintptr_t i = 1; i <= N; i++) sim_fifo_push(&q, (void *)i);
    for (uintptr_t i = 1; i <= N / 2; i++) assert_true((uintptr_t)sim_fifo_pop(&q) == i);
    for (uintptr_t i = N + 1; i <= 2 * N; i++) sim_fifo_push(&q, (void *)i);
    for (uintptr_t i = N / 2 + 1; i <= 2 * N; i++) assert_true((uintptr_t)sim_fifo_pop(&q) == i);
    assert_null(sim_fifo_pop(&q));
    sim_fifo_fini(&q);
}

/* Growth is charged to the attached world; past its budget the world ends now. */
static void growth_past_the_budget_stops_the_world(void **state)
{
    (void)state;
    struct sim_world *w = sim__world_create(1, 0);
    w->now = 5 * SIM_S;
    w->memory_budget = 1000000;
    struct sim_pool p;
    sim_pool_init(&p, 64);
    sim__budget_attach(w);
    while (!w->over_budget) sim_pool_get(&p);
    sim__budget_attach(NULL);
    assert_true(w->memory_held > w->memory_budget);
    assert_true(w->memory_held < 2 * w->memory_budget + 65536 * 64);
    assert_int_equal(w->end, 5 * SIM_S);
    size_t held = w->memory_held;
    for (int i = 0; i < 100000; i++) sim_pool_get(&p); /* detached: charged to nobody */
    assert_int_equal(w->memory_held, held);
    sim_pool_fini(&p);
    sim__world_destroy(w);
}

static void sizes_parse_with_units(void **state)
{
    (void)state;
    double b;
    assert_true(sim__parse_bytes("512MB", &b));
    assert_true(b == 512e6);
    assert_true(sim__parse_bytes("2GiB", &b));
    assert_true(b == 2147483648.0);
    assert_true(sim__parse_bytes("1.5GB", &b));
    assert_true(b == 1.5e9);
    assert_true(sim__parse_bytes("4096B", &b));
    assert_false(sim__parse_bytes("512", &b));
    assert_false(sim__parse_bytes("512 MB", &b));
    assert_false(sim__parse_bytes("-1GB", &b));
    assert_false(sim__parse_bytes("MB", &b));
    assert_true(sim__budget_default() > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(block_sizes_never_wrap),
        cmocka_unit_test(pool_grows_past_ten_million_objects),
        cmocka_unit_test(fifo_keeps_order_past_millions),
        cmocka_unit_test(growth_past_the_budget_stops_the_world),
        cmocka_unit_test(sizes_parse_with_units),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
