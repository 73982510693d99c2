/* timeline.h: the per-interval CSV series (engine files only). The run owns the
 * timeline; a world samples into it every interval, the first row fixing the header. */
#ifndef ARCHSIM_TIMELINE_H
#define ARCHSIM_TIMELINE_H

#include "kernel/internal.h"
#include "kernel/text.h"

struct sim__timeline {
    struct sim__text rows_text; /* the CSV rows so far */
    struct sim__text header;
    int rows;
    sim_time interval, last;
};

struct sim_sampler {
    struct sim__timeline *tl;
    const char *prefix; /* "" for the workload, "<node>." for a node */
};

struct sim__timeline *sim__timeline_create(sim_time interval);
void sim__timeline_destroy(struct sim__timeline *tl);
void sim__timeline_start(struct sim_world *w);
void sim__timeline_finish(struct sim_world *w);
/* The whole CSV (header and rows), allocated: the caller frees it. */
char *sim__timeline_csv(struct sim__timeline *tl);

#endif
