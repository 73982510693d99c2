/* keys_config.c: a workload's or a model's "keys" read from JSON (count, popularity); the
 * sampler is kernel/keys.c. The loader owns what it builds. */
#include <float.h>
#include <math.h>

#include "kernel/internal.h"
#include "loader.h"

#define MAX_KEYS 1000000000000LL /* 10^12 */

static void keys_destroy(void *p)
{
    sim_free(p);
}

struct sim_keys *sim_cfg_keys(struct sim_cfg *cfg, const char *key)
{
    static const char *const shapes[] = {"uniform", "zipf", NULL};
    enum { MEMO_TAG = 1000 }; /* apart from dist.c's quantities */
    struct sim_keys *memo = sim_cfg_failed(cfg) ? NULL : sim__cfg_memo(cfg, key, MEMO_TAG);
    if (memo) return memo; /* the same field, read again for another replication */
    struct sim_cfg *kc = sim_cfg_object(cfg, key, true);
    int64_t count = sim_cfg_int(kc, "count", SIM_REQUIRED, 1, MAX_KEYS);
    bool zipf = false;
    double s = 0;
    switch (sim_cfg_type(kc, "popularity")) {
    case SIM_CFG_ABSENT:
        break;
    case SIM_CFG_STRING:
        if (sim_cfg_choice(kc, "popularity", -1, shapes) == 1)
            sim_cfg_error(kc, "popularity", "Zipf needs its exponent: write {\"dist\": "
                                            "\"zipf\", \"s\": 0.99}");
        break;
    case SIM_CFG_OBJECT: {
        struct sim_cfg *pc = sim_cfg_object(kc, "popularity", true);
        zipf = sim_cfg_choice(pc, "dist", -1, shapes) == 1;
        if (zipf) s = sim_cfg_number(pc, "s", NAN, DBL_MIN, 10);
        sim_cfg_end(pc);
        break;
    }
    default:
        sim__cfg_expected(kc, "popularity", "\"uniform\" or an object such as {\"dist\": "
                                            "\"zipf\", \"s\": 0.99}");
    }
    sim_cfg_end(kc);
    if (!kc || sim_cfg_failed(kc)) return (struct sim_keys *)sim__keys_failed(); /* never written */
    struct sim_keys *k = sim__keys_create((uint64_t)count, zipf, s);
    sim__loader_own(sim__cfg_loader(kc), k, keys_destroy);
    sim__cfg_memo_put(cfg, key, MEMO_TAG, k);
    return k;
}
