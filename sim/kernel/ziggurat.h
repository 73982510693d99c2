/* ziggurat.h: exponential draws without a logarithm, by Marsaglia and Tsang's ziggurat
 * ("The Ziggurat Method for Generating Random Variables", J. Stat. Software 5(8), 2000).
 * Shared by the streams (rng.c) and the benchmark reference (bench/mm1_ref.c). */
#ifndef ARCHSIM_ZIGGURAT_H
#define ARCHSIM_ZIGGURAT_H

#include <stdint.h>

/* An exponential draw of mean 1 from a xoshiro256++ state (xoshiro.h). */
double sim__exp_ziggurat(uint64_t s[4]);

#endif
