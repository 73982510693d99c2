/* timeline.h: the per-interval CSV series (engine files only). The run owns the
 * timeline; a world samples into it every interval, the first row fixing the header.
 * Streamed to files (the command line), its memory is one row whatever the run length;
 * kept in memory (tests), it grows with the number of rows. */
#ifndef ARCHSIM_TIMELINE_H
#define ARCHSIM_TIMELINE_H

#include "kernel/internal.h"
#include "kernel/text.h"

#include <stdio.h>

#define SIM_TIMELINE_SINKS 2 /* --timeline FILE and --plot DIR/timeline.csv */

struct sim__timeline {
    struct sim__text rows_text; /* in memory: the CSV rows so far; streamed: the current row */
    struct sim__text header;
    FILE *sinks[SIM_TIMELINE_SINKS]; /* streamed: each row is written to these */
    int nsinks;
    uint64_t rows;
    sim_time interval, last;
};

struct sim_sampler {
    struct sim__timeline *tl;
    const char *prefix; /* "" for the workload, "<node>." for a node */
};

struct sim__timeline *sim__timeline_create(sim_time interval);
void sim__timeline_destroy(struct sim__timeline *tl);
/* Streams the CSV to f from now on (the caller opened it and closes it); before the run. */
void sim__timeline_stream(struct sim__timeline *tl, FILE *f);
void sim__timeline_start(struct sim_world *w);
void sim__timeline_finish(struct sim_world *w);
/* The whole CSV (header and rows) of an in-memory timeline, allocated: the caller frees it. */
char *sim__timeline_csv(struct sim__timeline *tl);

#endif
