/* rng_gsl.h: the streams' generator as a GSL generator type, so that gsl_rng_alloc() can
 * make one outside a world (the tests do). gsl_rng_set() seeds it as a stream is seeded. */
#ifndef ARCHSIM_RNG_GSL_H
#define ARCHSIM_RNG_GSL_H

#include <gsl/gsl_rng.h>

extern const gsl_rng_type *const sim__rng_xoshiro256pp;

#endif
