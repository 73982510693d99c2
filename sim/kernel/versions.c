/* versions.c: per-key version records for replicated stores (a primary and replicas, a
 * leaderless quorum): one row of version numbers per key written, found through the key
 * map, created at the key's first write. The owner gives the columns their meaning. */
#include <string.h>

#include "sim.h"

void sim_versions_init(struct sim_versions *v, struct sim_component *owner, size_t columns)
{
    *v = (struct sim_versions){.columns = columns, .owner = owner};
    sim_keymap_init(&v->map, 2048);
}

uint32_t sim_versions_record(struct sim_versions *v, uint64_t key)
{
    uint32_t found = sim_keymap_get(&v->map, key);
    if (found) return found - 1;
    if (v->count == v->allocated) {
        SIM_ASSERT(v->owner, v->allocated < UINT32_MAX / 4);
        v->allocated = v->allocated ? v->allocated * 2 : 1024;
        v->cols = sim_realloc(v->cols, v->allocated * v->columns * sizeof *v->cols);
    }
    uint32_t i = (uint32_t)v->count++;
    memset(&v->cols[i * v->columns], 0, v->columns * sizeof *v->cols);
    sim_keymap_put(&v->map, key, i + 1);
    return i;
}

bool sim_versions_next(const struct sim_versions *v, size_t *at, uint64_t *key, uint32_t *record)
{
    const struct sim_keymap *m = &v->map;
    for (; m->slots && *at <= m->mask; ++*at) {
        if (!m->slots[*at].val) continue;
        *key = m->slots[*at].key;
        *record = m->slots[(*at)++].val - 1;
        return true;
    }
    return false;
}

void sim_versions_fini(struct sim_versions *v)
{
    sim_keymap_fini(&v->map);
    sim_free(v->cols);
    v->cols = NULL;
}
