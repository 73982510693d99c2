/* xoshiro.h: the generator behind every random stream, xoshiro256++ (Blackman and Vigna,
 * "Scrambled linear pseudorandom number generators", 2021), written from the paper's
 * description: 256 bits of state, period 2^256 - 1, one 64-bit output per step from a
 * rotate-and-add of two state words. Header-only so that the hot path inlines it and the
 * hand-written benchmark reference (bench/mm1_ref.c) draws exactly the same numbers. */
#ifndef ARCHSIM_XOSHIRO_H
#define ARCHSIM_XOSHIRO_H

#include <stdint.h>

static inline uint64_t sim__rotl64(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* The output, rotl(s0 + s3, 23) + s0, then the linear step of the state. */
static inline uint64_t sim__xoshiro_next(uint64_t s[4])
{
    uint64_t out = sim__rotl64(s[0] + s[3], 23) + s[0];
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = sim__rotl64(s[3], 45);
    return out;
}

/* The state from a 64-bit seed: four successive splitmix64 outputs, as the authors advise.
 * The finaliser is a bijection, so the four words are distinct and never all zero. */
static inline void sim__xoshiro_seed(uint64_t s[4], uint64_t seed)
{
    for (int i = 0; i < 4; i++) {
        uint64_t z = seed += 0x9e3779b97f4a7c15ULL;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        s[i] = z ^ (z >> 31);
    }
}

/* A double in (0, 1), never 0 or 1: the top 52 bits and a half, times 2^-52 (the largest,
 * 1 - 2^-53, is exact), so -log(u) is finite without a rejection loop. */
static inline double sim__xoshiro_uniform_pos(uint64_t s[4])
{
    return ((double)(sim__xoshiro_next(s) >> 12) + 0.5) * 0x1p-52;
}

#endif
