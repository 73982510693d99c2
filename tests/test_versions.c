/* test_versions.c: the per-key version records replicated stores share
 * (sim/kernel/versions.c), and their callers' figures (sim/kernel/store_figures.c). A
 * record is created zeroed at its key's first write and found again by key, with its
 * index kept as the rows grow; absent keys are 0; iteration visits every record once with
 * its own key; 10^6 keys. Stale reads are counted against the acknowledged version. */
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

/* The caller figures replicated stores share (sim/kernel/store_figures.c): an arriving
 * call finds its key's acknowledged version (0 for a key never written) and counts as a
 * read, a read of a written key, or a write; a read older than that version is stale;
 * answers go to the read or write latency or to the errors by status; nothing counts
 * before measuring; clearing empties everything. */
static void counts_arrivals_stale_reads_and_answers(void **state)
{
    (void)state;
    struct sim_world *w = sim__world_create(1, 0);
    struct sim_component *owner = sim__world_add(w, &owner_model, "db");
    struct sim_versions v;
    sim_versions_init(&v, owner, 3);
    sim_versions_row(&v, sim_versions_record(&v, 5))[1] = 3; /* key 5: version 3 acked */
    struct sim_store_figures f;
    sim_store_figures_init(&f, owner);
    uint32_t acked = 99;
    struct sim_call read5 = {.key = 5, .op = SIM_OP_READ}, read9 = {.key = 9, .op = SIM_OP_READ};
    struct sim_call write5 = {.key = 5, .op = SIM_OP_WRITE};

    /* Before measuring: the lookups still answer, nothing is counted. */
    assert_int_equal(sim_store_arrive(&f, &v, &read5, 1, &acked), 1);
    assert_int_equal(acked, 3);
    sim_store_read(&f, 2, 3);
    sim_store_answered(&f, SIM_OP_READ, SIM_TIMEOUT, SIM_MS);
    assert_int_equal(f.reads + f.written_reads + f.stale_reads + f.errors[SIM_TIMEOUT], 0);

    w->measuring = true;
    assert_int_equal(sim_store_arrive(&f, &v, &read5, 1, &acked), 1);
    assert_int_equal(acked, 3);
    assert_int_equal(sim_store_arrive(&f, &v, &read9, 1, &acked), 0);
    assert_int_equal(acked, 0);
    assert_int_equal(sim_store_arrive(&f, &v, &write5, 1, &acked), 1);
    assert_int_equal(f.reads, 2);
    assert_int_equal(f.written_reads, 1);
    assert_int_equal(f.writes, 1);
    sim_store_read(&f, 2, 3); /* older than acked: stale */
    sim_store_read(&f, 3, 3);
    sim_store_read(&f, 4, 3); /* newer than acked (written since): fresh */
    sim_store_read(&f, 0, 0); /* never written: cannot be stale */
    assert_int_equal(f.stale_reads, 1);
    sim_store_answered(&f, SIM_OP_READ, SIM_OK, 2 * SIM_MS);
    sim_store_answered(&f, SIM_OP_WRITE, SIM_OK, 5 * SIM_MS);
    sim_store_answered(&f, SIM_OP_WRITE, SIM_REJECTED, SIM_MS);
    assert_int_equal(f.read_latency.count, 1);
    assert_int_equal(f.read_latency.max, 2 * SIM_MS);
    assert_int_equal(f.write_latency.count, 1);
    assert_int_equal(f.write_latency.max, 5 * SIM_MS);
    assert_int_equal(f.errors[SIM_REJECTED], 1);

    f.acked = 7;
    sim_store_figures_clear(&f);
    assert_int_equal(f.reads + f.writes + f.acked + f.stale_reads + f.written_reads, 0);
    assert_int_equal(f.errors[SIM_REJECTED], 0);
    assert_int_equal(f.read_latency.count + f.write_latency.count, 0);
    sim_hist_fini(&f.read_latency); /* recorded with no world running: their own buckets */
    sim_hist_fini(&f.write_latency);
    sim_versions_fini(&v);
    sim__world_destroy(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(records_are_created_once_and_found_by_key),
        cmocka_unit_test(a_million_keys_keep_their_rows),
        cmocka_unit_test(empty_iterates_nothing),
        cmocka_unit_test(counts_arrivals_stale_reads_and_answers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
