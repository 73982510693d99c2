/* rng.c: named random streams. Each stream is a GSL MT19937 generator whose seed is
 * mixed from (scenario seed, replication, node name, purpose), so a stream depends on
 * names, never on positions: adding a node leaves every other stream unchanged. */
#include <gsl/gsl_rng.h>

#include "internal.h"

/* splitmix64's finaliser: a bijection that spreads every input bit over the output. */
uint64_t sim_hash64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* One splitmix64 step: the golden-ratio increment, then the finaliser. */
static uint64_t mix64(uint64_t z)
{
    return sim_hash64(z + 0x9e3779b97f4a7c15ULL);
}

uint64_t sim__fnv1a(const void *data, size_t n)
{
    const unsigned char *p = data;
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* The documented mixing function (docs/engine.md): each input passes through the
 * splitmix64 finaliser before the next is folded in, so no two inputs commute. */
uint64_t sim__stream_seed(uint64_t seed, int replication, const char *name, const char *purpose)
{
    uint64_t h = mix64(seed);
    h = mix64(h ^ (uint64_t)replication);
    h = mix64(h ^ sim__fnv1a(name, strlen(name)));
    h = mix64(h ^ sim__fnv1a(purpose, strlen(purpose)));
    return h;
}

/* A stream's generator (about 5 KB of MT19937 state) is made at its first draw: a node
 * that is never called (10^5 of them) costs its seed, not its state. Seeding at the first
 * draw gives the draws seeding at once would. Owned by the world. */
struct sim_rng {
    gsl_rng *g;
    unsigned long seed;
};

struct sim_rng *sim__rng_create(uint64_t seed)
{
    struct sim_rng *r = sim_alloc(sizeof *r);
    /* MT19937 takes 32 bits of seed; fold the high half in rather than drop it. */
    r->seed = (unsigned long)((seed ^ (seed >> 32)) & 0xffffffffUL);
    return r;
}

static gsl_rng *generator(struct sim_rng *r)
{
    if (__builtin_expect(r->g != NULL, 1)) return r->g;
    r->g = gsl_rng_alloc(gsl_rng_mt19937);
    if (!r->g) sim__out_of_memory();
    gsl_rng_set(r->g, r->seed);
    return r->g;
}

void sim__rng_destroy(struct sim_rng *r)
{
    if (r && r->g) gsl_rng_free(r->g);
    sim_free(r);
}

const char *sim__rng_generator_name(void)
{
    return gsl_rng_mt19937->name;
}

double sim_uniform(struct sim_rng *r)
{
    return gsl_rng_uniform_pos(generator(r));
}

uint64_t sim_uniform_int(struct sim_rng *r, uint64_t n)
{
    gsl_rng *g = generator(r);
    if (n <= 0xffffffffULL) return gsl_rng_uniform_int(g, (unsigned long)n);
    /* Beyond 32 bits: a 64-bit draw reduced modulo n, bias below n / 2^64. */
    uint64_t hi = gsl_rng_get(g), lo = gsl_rng_get(g);
    uint64_t x = (hi << 32) | lo;
    return x % n;
}

void *sim_rng_gsl(struct sim_rng *r)
{
    return generator(r);
}
