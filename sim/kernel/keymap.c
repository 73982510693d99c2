/* keymap.c: the per-key map models share: open addressing with linear probing, load at
 * most one half, value 0 reserved for an empty slot. */
#include "internal.h"

void sim_keymap_init(struct sim_keymap *m, size_t expected)
{
    size_t n = 16;
    while (n < expected) n *= 2;
    m->slots = sim_alloc(n * sizeof *m->slots);
    m->mask = n - 1;
    m->count = 0;
}

uint32_t sim_keymap_get(const struct sim_keymap *m, uint64_t key)
{
    for (size_t i = sim_hash64(key) & m->mask;; i = (i + 1) & m->mask) {
        if (!m->slots[i].val) return 0;
        if (m->slots[i].key == key) return m->slots[i].val;
    }
}

void sim_keymap_put(struct sim_keymap *m, uint64_t key, uint32_t val)
{
    if ((m->count + 1) * 2 > m->mask + 1) {
        struct sim_keymap old = *m;
        sim_keymap_init(m, (old.mask + 1) * 2);
        for (size_t i = 0; i <= old.mask; i++)
            if (old.slots[i].val) sim_keymap_put(m, old.slots[i].key, old.slots[i].val);
        sim_free(old.slots);
    }
    size_t i = sim_hash64(key) & m->mask;
    while (m->slots[i].val) i = (i + 1) & m->mask;
    m->slots[i] = (struct sim_keymap_slot){key, val};
    m->count++;
}

void sim_keymap_fini(struct sim_keymap *m)
{
    sim_free(m->slots);
    m->slots = NULL;
    m->mask = m->count = 0;
}
