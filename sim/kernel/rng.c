/* rng.c: named random streams. Each stream is a xoshiro256++ generator (xoshiro.h) whose
 * seed is mixed from (scenario seed, replication, node name, purpose), so a stream depends on
 * names, never on positions: adding a node leaves every other stream unchanged. */
#include <gsl/gsl_rng.h>

#include "internal.h"
#include "rng_gsl.h"
#include "xoshiro.h"
#include "ziggurat.h"

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

/* The generator as a GSL type: GSL's samplers (gamma, lognormal, normal...) draw through
 * it from the stream's own state. get gives the top 32 bits (max 2^32 - 1, as MT19937
 * did, which every GSL sampler handles); get_double the top 53 bits, in [0, 1). */
static void gsl_set(void *state, unsigned long seed)
{
    sim__xoshiro_seed(state, (uint64_t)seed);
}

static unsigned long gsl_get(void *state)
{
    return (unsigned long)(sim__xoshiro_next(state) >> 32);
}

static double gsl_get_double(void *state)
{
    return (double)(sim__xoshiro_next(state) >> 11) * 0x1p-53;
}

static const gsl_rng_type xoshiro256pp_type = {
    .name = "xoshiro256++", .max = 0xffffffffUL, .min = 0, .size = 4 * sizeof(uint64_t),
    .set = gsl_set, .get = gsl_get, .get_double = gsl_get_double,
};
const gsl_rng_type *const sim__rng_xoshiro256pp = &xoshiro256pp_type;

/* A stream: 32 bytes of state, seeded with all 64 bits of the stream's seed, and the
 * gsl_rng that GSL's samplers see, pointing at that same state. Owned by the world. */
struct sim_rng {
    uint64_t s[4];
    gsl_rng gsl;
};

struct sim_rng *sim__rng_create(uint64_t seed)
{
    struct sim_rng *r = sim_alloc(sizeof *r);
    sim__xoshiro_seed(r->s, seed);
    r->gsl = (gsl_rng){.type = &xoshiro256pp_type, .state = r->s};
    return r;
}

void sim__rng_destroy(struct sim_rng *r)
{
    sim_free(r);
}

const char *sim__rng_generator_name(void)
{
    return xoshiro256pp_type.name;
}

double sim_uniform(struct sim_rng *r)
{
    return sim__xoshiro_uniform_pos(r->s);
}

/* Lemire's multiply-and-reject: the high word of x * n, redrawn in the rare case the low
 * word falls in the 2^64 mod n values that would bias it. n == 0 gives 0. */
uint64_t sim_uniform_int(struct sim_rng *r, uint64_t n)
{
    unsigned __int128 m = (unsigned __int128)sim__xoshiro_next(r->s) * n;
    if ((uint64_t)m < n) {
        uint64_t reject_below = -n % n;
        while ((uint64_t)m < reject_below) m = (unsigned __int128)sim__xoshiro_next(r->s) * n;
    }
    return (uint64_t)(m >> 64);
}

double sim_exponential(struct sim_rng *r)
{
    return sim__exp_ziggurat(r->s);
}

void *sim_rng_gsl(struct sim_rng *r)
{
    return &r->gsl;
}
