/* internal.h: the engine's own structs and sim__ helpers (engine files only; models
 * include sim.h alone). */
#ifndef ARCHSIM_INTERNAL_H
#define ARCHSIM_INTERNAL_H

#include <stdio.h>
#include <string.h>

#include "sim.h"

#define SIM_VERSION "0.1.0"

void sim__out_of_memory(void) __attribute__((noreturn));

/* ---- random streams (rng.c) ---- */
uint64_t sim__fnv1a(const void *data, size_t n);
uint64_t sim__stream_seed(uint64_t seed, int replication, const char *name, const char *purpose);
struct sim_rng *sim__rng_create(uint64_t seed);
void sim__rng_destroy(struct sim_rng *r);
const char *sim__rng_generator_name(void);

/* ---- ownership: things a world frees when it is destroyed (world.c) ---- */
void sim__own(struct sim_world *w, void *p, void (*destroy)(void *));

#endif
