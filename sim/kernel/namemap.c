/* namemap.c: a map from a name (a NUL-terminated string the caller keeps alive) to a
 * non-zero 32-bit value, for every lookup by name over a list the user sizes (nodes,
 * figures, JSON members): open addressing with linear probing, load at most one half. */
#include "internal.h"

static uint32_t hash_name(const char *name)
{
    return (uint32_t)sim_hash64(sim__fnv1a(name, strlen(name)));
}

void sim__namemap_init(struct sim__namemap *m, size_t expected)
{
    size_t n = 16;
    while (n < 2 * expected) n *= 2;
    m->slots = sim_alloc(n * sizeof *m->slots);
    m->mask = n - 1;
    m->count = 0;
}

uint32_t sim__namemap_get(const struct sim__namemap *m, const char *name)
{
    if (!m->slots) return 0;
    uint32_t h = hash_name(name);
    for (size_t i = h & m->mask;; i = (i + 1) & m->mask) {
        if (!m->slots[i].val) return 0;
        if (m->slots[i].hash == h && !strcmp(m->slots[i].name, name)) return m->slots[i].val;
    }
}

/* Puts a slot whose hash is known (growing rehashes without reading the names). */
static void place(struct sim__namemap *m, struct sim__namemap_slot slot)
{
    size_t i = slot.hash & m->mask;
    while (m->slots[i].val) i = (i + 1) & m->mask;
    m->slots[i] = slot;
    m->count++;
}

void sim__namemap_put(struct sim__namemap *m, const char *name, uint32_t val)
{
    if (!m->slots) sim__namemap_init(m, 8);
    if ((m->count + 1) * 2 > m->mask + 1) {
        struct sim__namemap old = *m;
        sim__namemap_init(m, old.mask + 1);
        for (size_t i = 0; i <= old.mask; i++)
            if (old.slots[i].val) place(m, old.slots[i]);
        sim_free(old.slots);
    }
    place(m, (struct sim__namemap_slot){name, hash_name(name), val});
}

void sim__namemap_fini(struct sim__namemap *m)
{
    sim_free(m->slots);
    *m = (struct sim__namemap){0};
}
