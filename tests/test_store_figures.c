/* test_store_figures.c: the caller figures replicated stores share
 * (sim/kernel/store_figures.c), driven by hand in a bare world. An arriving call finds its
 * key's acknowledged version (0 for a key never written) and is counted as a read, a read
 * of a written key, or a write; a read older than that version is stale; answers go to the
 * read or write latency or to the errors by status; nothing counts before measuring;
 * clearing empties everything. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "kernel/internal.h"

static void noop(struct sim_component *self) { (void)self; }
static void no_report(struct sim_component *self, struct sim_report *rep) { (void)self; (void)rep; }
static const struct sim_model owner_model = {.name = "owner", .size = sizeof(struct sim_component),
                                             .clear_stats = noop, .report = no_report};

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
        cmocka_unit_test(counts_arrivals_stale_reads_and_answers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
