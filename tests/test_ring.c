/* test_ring.c: the consistent-hash ring models share (sim/ring.c). Lookups against a
 * linear scan, ties and the empty ring; both placements reproduce their documented
 * formulas; adding a fifth owner moves about 1/5 of the keys, all to it; filtering an
 * owner out moves only its keys; a ring of 10^6 points. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "sim.h"

/* The owner of the first point at or after sim_hash64(key), wrapping; ties at one position
 * go to the lowest owner. O(points): the definition, not the search. */
static int scan_owner(const struct sim_ring_point *p, size_t n, uint64_t key)
{
    uint64_t at = sim_hash64(key);
    int best = -1, lowest = -1;
    uint64_t best_at = 0, lowest_at = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i].at >= at && (best < 0 || p[i].at < best_at || (p[i].at == best_at && p[i].owner < best))) {
            best = p[i].owner;
            best_at = p[i].at;
        }
        if (lowest < 0 || p[i].at < lowest_at || (p[i].at == lowest_at && p[i].owner < lowest)) {
            lowest = p[i].owner;
            lowest_at = p[i].at;
        }
    }
    return best >= 0 ? best : lowest;
}

static void lookups_match_a_linear_scan(void **state)
{
    (void)state;
    struct sim_ring r = {0};
    assert_int_equal(sim_ring_owner(&r, 42), -1);
    sim_ring_add(&r, 1000, 3);
    sim_ring_sort(&r);
    for (uint64_t k = 0; k < 100; k++) assert_int_equal(sim_ring_owner(&r, k), 3);
    sim_ring_fini(&r);

    /* Random points, some at one position shared by two owners (listed high first). */
    struct sim_ring_point raw[600];
    size_t n = 0;
    for (int i = 0; i < 500; i++) {
        uint64_t at = sim_hash64((uint64_t)i * 7919);
        raw[n++] = (struct sim_ring_point){at, i % 9};
        if (i % 5 == 0) raw[n++] = (struct sim_ring_point){at, (i % 9) ? (i % 9) - 1 : 8};
    }
    for (size_t i = n; i-- > 0;) sim_ring_add(&r, raw[i].at, raw[i].owner);
    sim_ring_sort(&r);
    for (size_t i = 1; i < r.count; i++)
        assert_true(r.points[i - 1].at < r.points[i].at ||
                    (r.points[i - 1].at == r.points[i].at && r.points[i - 1].owner < r.points[i].owner));
    for (uint64_t k = 0; k < 20000; k++) assert_int_equal(sim_ring_owner(&r, k), scan_owner(raw, n, k));
    /* The position exactly on a point belongs to that point; past the top wraps to the first. */
    uint64_t top = 0;
    for (size_t i = 0; i < n; i++) top = raw[i].at > top ? raw[i].at : top;
    assert_int_equal(r.points[r.count - 1].at, top);
    sim_ring_fini(&r);
    assert_null(r.points);
}

/* The two placements are the formulas sim.h documents: models that shard data by them
 * (databases, cache clusters, load balancers) keep every key where it was. */
static void placements_follow_their_formulas(void **state)
{
    (void)state;
    struct sim_ring a = {0}, b = {0};
    sim_ring_add_numbered(&a, 5, 3);
    sim_ring_add_named(&b, 2, "app-1", 3);
    assert_int_equal(a.count, 3);
    assert_int_equal(b.count, 3);
    uint64_t fnv = 0xcbf29ce484222325ULL;
    for (const char *s = "app-1"; *s; s++) fnv = (fnv ^ (uint8_t)*s) * 0x100000001b3ULL;
    for (uint64_t v = 0; v < 3; v++) {
        assert_int_equal(a.points[v].at, sim_hash64(sim_hash64((uint64_t)5 << 32 | v)));
        assert_int_equal(a.points[v].owner, 5);
        assert_int_equal(b.points[v].at, sim_hash64(fnv ^ sim_hash64(v + 1)));
        assert_int_equal(b.points[v].owner, 2);
    }
    sim_ring_fini(&a);
    sim_ring_fini(&b);
}

/* Adding a fifth owner to four (100 virtual nodes each, placed by name) moves about 1/5 of
 * 100,000 keys, every one of them to the new owner; hash mod N moves about 4/5. The hash
 * is fixed, so the shares are exact numbers of this code; the bands say what a correct
 * ring gives (the new owner's arc is a sum of 100 random arcs: its share is 0.2 within
 * about 10%). */
static void a_fifth_owner_takes_one_in_five(void **state)
{
    (void)state;
    const int n = 4, vnodes = 100;
    const uint64_t keys = 100000;
    struct sim_ring before = {0}, after = {0};
    for (int i = 0; i <= n; i++) {
        char name[16];
        snprintf(name, sizeof name, "app-%d", i);
        if (i < n) sim_ring_add_named(&before, i, name, vnodes);
        sim_ring_add_named(&after, i, name, vnodes);
    }
    sim_ring_sort(&before);
    sim_ring_sort(&after);
    uint64_t moved = 0, moved_elsewhere = 0, moved_mod = 0;
    for (uint64_t key = 0; key < keys; key++) {
        int x = sim_ring_owner(&before, key), y = sim_ring_owner(&after, key);
        if (x != y) {
            moved++;
            if (y != n) moved_elsewhere++;
        }
        moved_mod += sim_hash64(key) % (uint64_t)n != sim_hash64(key) % (uint64_t)(n + 1);
    }
    double share = (double)moved / keys, mod_share = (double)moved_mod / keys;
    printf("a 5th owner over %llu keys: ring moved %.4f (1/(N+1) = 0.2), mod moved %.4f (0.8)\n",
           (unsigned long long)keys, share, mod_share);
    assert_int_equal(moved_elsewhere, 0);
    assert_true(fabs(share - 0.2) <= 0.03);
    assert_true(fabs(mod_share - 0.8) <= 0.01);
    sim_ring_fini(&before);
    sim_ring_fini(&after);
}

static bool not_owner_one(int owner, void *arg)
{
    (void)arg;
    return owner != 1;
}

/* Filtering an owner out (a backend leaving rotation) moves its keys only. */
static void filtering_an_owner_out_moves_only_its_keys(void **state)
{
    (void)state;
    struct sim_ring all = {0}, some = {0};
    for (int i = 0; i < 4; i++) sim_ring_add_numbered(&all, i, 50);
    sim_ring_sort(&all);
    sim_ring_filter(&some, &all, not_owner_one, NULL);
    assert_int_equal(some.count, 150);
    uint64_t moved = 0;
    for (uint64_t key = 0; key < 50000; key++) {
        int x = sim_ring_owner(&all, key), y = sim_ring_owner(&some, key);
        assert_int_not_equal(y, 1);
        if (x != 1) assert_int_equal(x, y);
        else moved++;
    }
    printf("owner 1 of 4 left: %llu of 50000 keys moved\n", (unsigned long long)moved);
    assert_true(moved > 0);
    sim_ring_fini(&all);
    sim_ring_fini(&some);
}

/* 10^5 owners x 10 virtual nodes: 10^6 points, every owner's share near 10^-5. */
static void a_million_points(void **state)
{
    (void)state;
    enum { OWNERS = 100000, VNODES = 10 };
    struct sim_ring r = {0};
    for (int i = 0; i < OWNERS; i++) sim_ring_add_numbered(&r, i, VNODES);
    sim_ring_sort(&r);
    assert_int_equal(r.count, (size_t)OWNERS * VNODES);
    uint64_t low = 0;
    for (uint64_t key = 0; key < 1000000; key++) {
        int o = sim_ring_owner(&r, key);
        assert_true(o >= 0 && o < OWNERS);
        low += o < OWNERS / 2;
    }
    printf("10^6 points: %.4f of 10^6 keys on the lower half of the owners\n", low / 1e6);
    assert_true(fabs(low / 1e6 - 0.5) < 0.01);
    sim_ring_fini(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lookups_match_a_linear_scan),
        cmocka_unit_test(placements_follow_their_formulas),
        cmocka_unit_test(a_fifth_owner_takes_one_in_five),
        cmocka_unit_test(filtering_an_owner_out_moves_only_its_keys),
        cmocka_unit_test(a_million_points),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
