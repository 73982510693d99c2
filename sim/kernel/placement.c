/* placement.c: which of S shards owns a key, the way a sharded store places its data:
 * hash (key mod S), consistent_hash (a ring of virtual nodes), range (sorted boundaries)
 * or directory (a lookup service whose table holds key mod S; the model makes the call).
 * Read from a "shards" object; every lookup is O(1) or O(log S). */
#include <math.h>
#include <stdio.h>

#include "sim.h"

#define MAX_VIRTUAL_NODES 1000

static const char *const strategy_names[] = {"hash", "consistent_hash", "range", "directory",
                                             NULL};

const char *sim_placement_name(enum sim_placement_strategy s)
{
    return strategy_names[s];
}

/* key is refused unless cond holds; what names the setting it needs. */
static void only_with(struct sim_cfg *cfg, const char *key, bool cond, const char *what)
{
    if (!cond && sim_cfg_has(cfg, key)) sim_cfg_error(cfg, key, "only with %s", what);
}

/* "boundaries" (count - 1 ascending integer keys) or "key_count" (equal ranges). */
static void read_range(struct sim_placement *pl, struct sim_cfg *sh)
{
    int S = pl->count;
    bool has_b = sim_cfg_has(sh, "boundaries"), has_n = sim_cfg_has(sh, "key_count");
    if (has_b == has_n) {
        sim_cfg_error(sh, NULL, "strategy \"range\" needs either \"boundaries\" or \"key_count\"");
    } else if (has_n) {
        uint64_t n = (uint64_t)sim_cfg_int(sh, "key_count", SIM_REQUIRED, S, INT64_MAX);
        pl->nboundaries = S - 1;
        pl->boundaries = sim_alloc((size_t)(S > 1 ? S - 1 : 1) * sizeof *pl->boundaries);
        for (int i = 1; i < S; i++) /* floor(i n / S), without overflow */
            pl->boundaries[i - 1] = (uint64_t)i * (n / (uint64_t)S) +
                                    (uint64_t)i * (n % (uint64_t)S) / (uint64_t)S;
    } else {
        int nb = sim_cfg_array(sh, "boundaries");
        if (nb != S - 1) {
            sim_cfg_error(sh, "boundaries", "expected %d keys (count - 1), got %d", S - 1, nb);
            return;
        }
        pl->nboundaries = nb;
        pl->boundaries = sim_alloc((size_t)(nb ? nb : 1) * sizeof *pl->boundaries);
        for (int i = 0; i < nb; i++) {
            double k = sim_cfg_number_item(sh, "boundaries", i);
            if (sim_cfg_failed(sh)) break;
            if (!(k >= 0 && k <= 9007199254740992.0 && k == floor(k)) ||
                (i && (uint64_t)k <= pl->boundaries[i - 1])) {
                char key[48];
                snprintf(key, sizeof key, "boundaries[%d]", i);
                sim_cfg_error(sh, key, "expected an integer key above the one before, got %g", k);
                break;
            }
            pl->boundaries[i] = (uint64_t)k;
        }
    }
}

void sim_placement_configure(struct sim_placement *pl, struct sim_cfg *sh, int count)
{
    pl->count = count;
    pl->strategy = (enum sim_placement_strategy)sim_cfg_choice(sh, "strategy", SIM_PLACE_HASH,
                                                               strategy_names);
    only_with(sh, "virtual_nodes", pl->strategy == SIM_PLACE_CONSISTENT_HASH,
              "strategy \"consistent_hash\"");
    int vnodes = (int)sim_cfg_int(sh, "virtual_nodes", 100, 1, MAX_VIRTUAL_NODES);
    only_with(sh, "boundaries", pl->strategy == SIM_PLACE_RANGE, "strategy \"range\"");
    only_with(sh, "key_count", pl->strategy == SIM_PLACE_RANGE, "strategy \"range\"");
    if (pl->strategy == SIM_PLACE_RANGE && !sim_cfg_failed(sh)) read_range(pl, sh);
    if (pl->strategy == SIM_PLACE_CONSISTENT_HASH && !sim_cfg_failed(sh)) {
        for (int i = 0; i < count; i++) sim_ring_add_numbered(&pl->ring, i, vnodes);
        sim_ring_sort(&pl->ring);
    }
}

int sim_placement_of(const struct sim_placement *pl, uint64_t key)
{
    if (pl->count <= 1) return 0;
    if (pl->strategy == SIM_PLACE_CONSISTENT_HASH) return sim_ring_owner(&pl->ring, key);
    if (pl->strategy == SIM_PLACE_RANGE) {
        int lo = 0, hi = pl->nboundaries; /* the first boundary above key */
        while (lo < hi) {
            int mid = lo + (hi - lo) / 2;
            if (pl->boundaries[mid] <= key) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }
    return (int)(key % (uint64_t)pl->count);
}

void sim_placement_fini(struct sim_placement *pl)
{
    sim_ring_fini(&pl->ring);
    sim_free(pl->boundaries);
    *pl = (struct sim_placement){0};
}
