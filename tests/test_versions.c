/* test_versions.c: the per-key version records replicated stores share
 * (sim/kernel/versions.c). A record is created zeroed at its key's first write and found
 * again by key, with its index kept as the rows grow; absent keys are 0; iteration visits
 * every record once with its own key; 10^6 keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "kernel/internal.h"

static void noop(struct sim_component *self) { (void)self; }
static void no_report(struct sim_component *self, struct sim_report *rep) { (void)self; (void)rep; }
static const struct sim_model owner_model = {.name = "owner", .size = sizeof(struct sim_component),
                                             .clear_stats = noop, .report = no_report};

static void records_are_created_once_and_found_by_key(void **state)
{
    (void)state;
    struct sim_world *w = sim__world_create(1, 0);
    struct sim_component *owner = sim__world_add(w, &owner_model, "db");
    struct sim_versions v;
    sim_versions_init(&v, owner, 3);
    assert_int_equal(sim_versions_find(&v, 42), 0);
    uint32_t a = sim_versions_record(&v, 42), b = sim_versions_record(&v, 7);
    assert_int_not_equal(a, b);
    assert_int_equal(sim_versions_record(&v, 42), a);
    assert_int_equal(sim_versions_find(&v, 42), a + 1);
    assert_int_equal(sim_versions_find(&v, 7), b + 1);
    assert_int_equal(v.count, 2);
    for (int c = 0; c < 3; c++) assert_int_equal(sim_versions_row(&v, a)[c], 0);
    sim_versions_row(&v, a)[1] = 5;
    sim_versions_row(&v, b)[2] = 9;
    assert_int_equal(sim_versions_row(&v, a)[1], 5);
    assert_int_equal(sim_versions_row(&v, a)[2], 0); /* rows do not overlap */
    assert_int_equal(sim_versions_row(&v, b)[2], 9);
    sim_versions_fini(&v);
    sim__world_destroy(w);
}

/* 10^6 keys (the records double many times): each keeps its index and its row, and
 * iteration visits each record exactly once, with the key that created it. */
static void a_million_keys_keep_their_rows(void **state)
{
    (void)state;
    enum { N = 1000000 };
    struct sim_world *w = sim__world_create(1, 0);
    struct sim_component *owner = sim__world_add(w, &owner_model, "db");
    struct sim_versions v;
    sim_versions_init(&v, owner, 2);
    for (uint64_t k = 0; k < N; k++) {
        uint64_t key = k * 0x9e3779b97f4a7c15ull;
        uint32_t i = sim_versions_record(&v, key);
        assert_int_equal(i, k);
        sim_versions_row(&v, i)[0] = (uint32_t)k + 1;
        sim_versions_row(&v, i)[1] = (uint32_t)(key >> 40);
    }
    assert_int_equal(v.count, N);
    unsigned char *seen = calloc(N, 1);
    assert_non_null(seen);
    size_t visits = 0, pos = 0;
    uint64_t key;
    uint32_t i;
    while (sim_versions_next(&v, &pos, &key, &i)) {
        assert_true(i < N);
        assert_false(seen[i]);
        seen[i] = 1;
        visits++;
        assert_int_equal(key, (uint64_t)i * 0x9e3779b97f4a7c15ull);
        assert_int_equal(sim_versions_row(&v, i)[0], i + 1);
        assert_int_equal(sim_versions_row(&v, i)[1], (uint32_t)(key >> 40));
    }
    assert_int_equal(visits, N);
    assert_false(sim_versions_next(&v, &pos, &key, &i)); /* stays at the end */
    free(seen);
    sim_versions_fini(&v);
    sim__world_destroy(w);
}

/* No record yet: iteration ends at once. */
static void empty_iterates_nothing(void **state)
{
    (void)state;
    struct sim_world *w = sim__world_create(1, 0);
    struct sim_component *owner = sim__world_add(w, &owner_model, "db");
    struct sim_versions v;
    sim_versions_init(&v, owner, 4);
    size_t pos = 0;
    uint64_t key;
    uint32_t i;
    assert_false(sim_versions_next(&v, &pos, &key, &i));
    sim_versions_fini(&v);
    sim__world_destroy(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(records_are_created_once_and_found_by_key),
        cmocka_unit_test(a_million_keys_keep_their_rows),
        cmocka_unit_test(empty_iterates_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
