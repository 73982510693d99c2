/* test_evict.c: the kernel's eviction policies (sim/kernel/evict.c). For each policy a
 * sequence on a tiny capacity computed by hand from the paper's rules, asserting every hit
 * and every evicted id; random accesses with removals and clears against a shadow of the
 * resident set; the sketch's halving; and capacities of 10^5..10^6 over 10^9 keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/internal.h"

#define NONE 0 /* no eviction at this access */

struct trace {
    uint64_t evicted[64];
    int n;
};

static void record(void *arg, uint64_t id)
{
    struct trace *t = arg;
    if (t->n < 64) t->evicted[t->n] = id;
    t->n++;
}

/* Replays keys on a fresh policy: hit[i] (1 hit, 0 miss) and evicted[i] (the id evicted by
 * access i, or NONE) must match exactly; no access evicts more than one id here. */
static void replay(enum sim_evict_policy policy, uint32_t capacity, const uint64_t *keys,
                   const int *hit, const uint64_t *evicted, int n)
{
    struct trace t = {0};
    struct sim_evict e;
    sim_evict_init(&e, policy, capacity, 0, 0, record, &t);
    for (int i = 0; i < n; i++) {
        int before = t.n;
        bool h = sim_evict_access(&e, keys[i]);
        if ((int)h != hit[i] || t.n - before != (evicted[i] != NONE) ||
            (evicted[i] != NONE && t.evicted[before] != evicted[i]))
            fail_msg("%s: access %d (key %llu): hit %d evicted %s%llu, expected hit %d evicted %llu",
                     sim_evict_names[policy], i + 1, (unsigned long long)keys[i], h,
                     t.n - before > 1 ? "several, first " : "",
                     t.n > before ? (unsigned long long)t.evicted[before] : 0ULL, hit[i],
                     (unsigned long long)evicted[i]);
        assert_true(sim_evict_contains(&e, keys[i]));
        assert_true(e.resident <= capacity);
    }
    sim_evict_fini(&e);
}

/* SIEVE, capacity 3. Queue shown head (newest) first; * marks visited; the hand walks
 * from the tail toward the head and stays where it stopped.
 *   1 2 3     misses        [3 2 1]
 *   1         hit           [3 2 1*]
 *   4         hand at tail 1*: clear, on to 2: evict 2, hand -> 3     [4 3 1]
 *   2         hand 3: evict 3, hand -> 4                              [2 4 1]
 *   1         hit           [2 4 1*]
 *   5         hand 4: evict 4, hand -> 2                              [5 2 1*]
 *   2         hit           [5 2* 1*]
 *   6         hand 2*: clear, on to 5: evict 5, hand -> none (5 was the head)  [6 2 1*]
 *   7         hand at tail 1*: clear, on to 2: evict 2, hand -> 6     [7 6 1] */
static void sieve_by_hand(void **state)
{
    (void)state;
    uint64_t keys[] = {1, 2, 3, 1, 4, 2, 1, 5, 2, 6, 7};
    int hit[] = {0, 0, 0, 1, 0, 0, 1, 0, 1, 0, 0};
    uint64_t ev[] = {0, 0, 0, 0, 2, 3, 0, 4, 0, 5, 2};
    replay(SIM_EVICT_SIEVE, 3, keys, hit, ev, 11);
}

/* 2Q, capacity 4: Kin = 0.25 x 4 = 1, Kout = 0.5 x 4 = 2. A1in and A1out are FIFO, Am LRU;
 * a full cache pages out A1in's tail to A1out when |A1in| > Kin, else Am's tail.
 *   1 2 3 4   misses             A1in [4 3 2 1]
 *   5         |A1in| 4 > 1: 1 -> A1out [1]                     A1in [5 4 3 2]
 *   1         in A1out: leaves it; 2 -> A1out [2]; 1 -> Am [1]  A1in [5 4 3]
 *   3         hit in A1in (FIFO: nothing moves)
 *   6         3 -> A1out [3 2]                                  A1in [6 5 4]
 *   7         4 -> A1out, which drops 2: [4 3]                  A1in [7 6 5]
 *   2         not in A1out any more: a cold miss; 5 -> A1out [5 4]  A1in [2 7 6]
 *   4         in A1out [5]; 6 -> A1out [6 5]; 4 -> Am [4 1]     A1in [2 7]
 *   1         hit in Am: Am [1 4]
 *   8         7 -> A1out [7 6]                                  A1in [8 2]
 *   9         2 -> A1out [2 7]                                  A1in [9 8]
 *   7         in A1out [2]; 8 -> A1out [8 2]; 7 -> Am [7 1 4]   A1in [9]
 *   10        |A1in| 1 = Kin: Am's LRU 4 goes, no ghost          A1in [10 9] */
static void twoq_by_hand(void **state)
{
    (void)state;
    uint64_t keys[] = {1, 2, 3, 4, 5, 1, 3, 6, 7, 2, 4, 1, 8, 9, 7, 10};
    int hit[] = {0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0};
    uint64_t ev[] = {0, 0, 0, 0, 1, 2, 0, 3, 4, 5, 6, 0, 7, 2, 8, 4};
    replay(SIM_EVICT_2Q, 4, keys, hit, ev, 16);
}

/* S3-FIFO, capacity 4: small 1 (10%, at least one), main 3, ghost 3. (n) is a frequency.
 * Full: evict from small if |S| >= 1, else from main.
 *   1 2 3 4   misses                      S [4 3 2 1]
 *   1         hit: 1(1)
 *   5         S tail 1(1) -> M [1], reset to 0; tail 2(0) -> G [2]   S [5 4 3]
 *   2         in G: leaves it; S tail 3(0) -> G [3]; 2 -> M [2 1]    S [5 4]
 *   4 1       hits: 4(1), 1(1)
 *   6         S tail 4(1) -> M [4 2 1] (not over 3); 5(0) -> G [5 3]  S [6]
 *   7         6(0) -> G [6 5 3]                                    S [7]
 *   8         7(0) -> G, which drops 3: [7 6 5]                    S [8]
 *   5         in G [7 6]; 8(0) -> G [8 7 6]; 5 -> M [5 4 2 1]       S []
 *   9         |S| 0 < 1: main: tail 1(1) back to the head as 1(0); 2(0) evicted  S [9] */
static void s3fifo_by_hand(void **state)
{
    (void)state;
    uint64_t keys[] = {1, 2, 3, 4, 1, 5, 2, 4, 1, 6, 7, 8, 5, 9};
    int hit[] = {0, 0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0};
    uint64_t ev[] = {0, 0, 0, 0, 0, 2, 3, 0, 0, 5, 6, 7, 8, 2};
    replay(SIM_EVICT_S3FIFO, 4, keys, hit, ev, 14);
}

/* ARC, capacity 3, p = 0 at start. REPLACE: T1's LRU -> B1 if |T1| > p (or = p when x is
 * in B2), else T2's LRU -> B2.
 *   1 2 3     misses (case IV.B not full)   T1 [3 2 1]
 *   1         hit: T1 [3 2]  T2 [1]
 *   4         IV.B: |T1| 2 > 0: 2 -> B1 [2]                T1 [4 3]
 *   2         II (in B1): p = 0 + 1; |T1| 2 > 1: 3 -> B1 [3]; 2 -> T2 [2 1]   T1 [4]
 *   5         IV.B: |T1| 1 = p: T2's LRU 1 -> B2 [1]        T1 [5 4]  T2 [2]
 *   1         III (in B2): p = 1 - 1 = 0; |T1| 2 > 0: 4 -> B1 [4 3]; 1 -> T2 [1 2]  T1 [5]
 *   6         IV.A (|T1|+|B1| = 3): B1 drops 3; |T1| 1 > 0: 5 -> B1 [5 4]  T1 [6]
 *   2         hit in T2: T2 [2 1] */
static void arc_by_hand(void **state)
{
    (void)state;
    uint64_t keys[] = {1, 2, 3, 1, 4, 2, 5, 1, 6, 2};
    int hit[] = {0, 0, 0, 1, 0, 0, 0, 0, 0, 1};
    uint64_t ev[] = {0, 0, 0, 0, 2, 3, 1, 4, 5, 0};
    replay(SIM_EVICT_ARC, 3, keys, hit, ev, 10);
}

/* W-TinyLFU, capacity 4: window 1 (1%, at least one), main 3 (protected at most 2).
 * f = the sketch's count, every access included (no collisions among these keys).
 *   1 2 3 4   misses: each pushes the window's previous key to probation  W [4] P [3 2 1]
 *   1 1 2     hits: 1 and 2 to protected [2 1]; f1 = 3, f2 = 2          P [3]
 *   5         window's 4 (f 1) against probation's 3 (f 1): not more, 4 evicted
 *   4         5 (f 1) against 3 (f 1): 5 evicted                        W [4]
 *   6         4 (f 2) against 3 (f 1): 3 evicted, 4 -> P [4]            W [6]
 *   3         6 (f 1) against 4 (f 2): 6 evicted                        W [3]
 *   4         hit: 4 -> protected [4 2 1], over 2: 1 -> P [1]
 *   7         3 (f 2) against 1 (f 3): 3 evicted */
static void tinylfu_by_hand(void **state)
{
    (void)state;
    uint64_t keys[] = {1, 2, 3, 4, 1, 1, 2, 5, 4, 6, 3, 4, 7};
    int hit[] = {0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 1, 0};
    uint64_t ev[] = {0, 0, 0, 0, 0, 0, 0, 4, 5, 3, 6, 0, 3};
    replay(SIM_EVICT_WTINYLFU, 4, keys, hit, ev, 13);
}

/* The sum of every 4-bit counter in the sketch. */
static uint64_t sketch_total(const struct sim_evict *e)
{
    uint64_t sum = 0;
    for (size_t w = 0; w < (size_t)4 * e->width / 16; w++)
        for (int k = 0; k < 16; k++) sum += e->sketch[w] >> (4 * k) & 15;
    return sum;
}

/* Counters stop at 15 and all halve at the sample size (10 x capacity = 40 additions). */
static void sketch_saturates_and_halves(void **state)
{
    (void)state;
    struct sim_evict e;
    sim_evict_init(&e, SIM_EVICT_WTINYLFU, 4, 0, 0, NULL, NULL);
    for (int i = 0; i < 39; i++) sim_evict_access(&e, 1);
    assert_int_equal(sketch_total(&e), 4 * 15); /* one counter per row, saturated */
    sim_evict_access(&e, 1);
    assert_int_equal(sketch_total(&e), 4 * 7);
    assert_int_equal(e.added, 20);
    sim_evict_fini(&e);
}

struct shadow {
    uint8_t *present;
    uint64_t count;
};

static void shadow_evicted(void *arg, uint64_t id)
{
    struct shadow *s = arg;
    assert_true(s->present[id]);
    s->present[id] = 0;
    s->count--;
}

/* Random accesses, removals and an occasional clear: the policy's resident set is the
 * shadow's (hit exactly when present), never above capacity, and holds each key just read. */
static void random_accesses_keep_the_invariants(void **state)
{
    (void)state;
    enum { KEYS = 300, ACCESSES = 200000 };
    uint32_t caps[] = {1, 2, 5, 37, 100};
    struct sim_rng *rng = sim__rng_create(7);
    for (int p = 0; p <= SIM_EVICT_WTINYLFU; p++)
        for (size_t ci = 0; ci < sizeof caps / sizeof *caps; ci++) {
            struct shadow sh = {.present = sim_alloc(KEYS)};
            struct sim_evict e;
            sim_evict_init(&e, (enum sim_evict_policy)p, caps[ci], 0, 0, shadow_evicted, &sh);
            uint64_t hits = 0, misses = 0;
            for (int i = 0; i < ACCESSES; i++) {
                double u = sim_uniform(rng);
                uint64_t key = (uint64_t)(KEYS * u * u); /* skewed toward small keys */
                if (i % 97 == 0) {
                    if (sh.present[key]) sh.count--;
                    sh.present[key] = 0;
                    sim_evict_remove(&e, key);
                    continue;
                }
                if (i % 50011 == 0) {
                    sim_evict_clear(&e);
                    memset(sh.present, 0, KEYS);
                    sh.count = 0;
                }
                bool was = sh.present[key];
                bool hit = sim_evict_access(&e, key);
                assert_int_equal(hit, was);
                if (hit) hits++;
                else misses++, sh.present[key] = 1, sh.count++;
                assert_true(sim_evict_contains(&e, key));
                assert_true(e.resident <= caps[ci]);
                assert_int_equal(e.resident, sh.count);
            }
            assert_int_equal(hits + misses, ACCESSES - (ACCESSES + 96) / 97);
            sim_evict_fini(&e);
            sim_free(sh.present);
        }
    sim__rng_destroy(rng);
}

/* 10^6 accesses over 10^9 keys at a capacity of 2^17, then a Zipf-like hot set: no
 * policy may go quadratic (the test's time shows it) nor lose the count. */
static void large_capacity_and_key_space(void **state)
{
    (void)state;
    struct sim_rng *rng = sim__rng_create(11);
    for (int p = 0; p <= SIM_EVICT_WTINYLFU; p++) {
        struct sim_evict e;
        uint32_t cap = 1u << 17;
        sim_evict_init(&e, (enum sim_evict_policy)p, cap, 0, 0, NULL, NULL);
        uint64_t hits = 0;
        for (int i = 0; i < 1000000; i++) {
            uint64_t key = i % 2 ? sim_uniform_int(rng, 1000000000) : sim_uniform_int(rng, cap / 2);
            hits += sim_evict_access(&e, key);
        }
        assert_int_equal(e.resident, cap);
        assert_true(hits > 100000); /* the hot half-capacity set mostly stays */
        sim_evict_fini(&e);
    }
    sim__rng_destroy(rng);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sieve_by_hand),
        cmocka_unit_test(twoq_by_hand),
        cmocka_unit_test(s3fifo_by_hand),
        cmocka_unit_test(arc_by_hand),
        cmocka_unit_test(tinylfu_by_hand),
        cmocka_unit_test(sketch_saturates_and_halves),
        cmocka_unit_test(random_accesses_keep_the_invariants),
        cmocka_unit_test(large_capacity_and_key_space),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
