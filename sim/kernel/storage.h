/* storage.h: block, file and object storage as presets of a node's service time and
 * concurrency (docs/scenario.md, "Storage tiers"). Models include it beside sim.h. */
#ifndef ARCHSIM_STORAGE_H
#define ARCHSIM_STORAGE_H

#include "sim.h"

/* A tier as read from a node's "storage" field, presets with its overrides applied. */
struct sim_storage {
    const char *tier;        /* "block", "file" or "object" */
    double median, p99;      /* service time, seconds (lognormal) */
    double iops;             /* operations per second the tier allows */
    double throughput;       /* bytes per second; caps iops at throughput / io_size */
    double io_size;          /* bytes per operation */
    double mean;             /* the lognormal's mean service time, seconds */
    int workers;             /* max(1, round(min(iops, throughput / io_size) x mean)) */
    char service_time[128];  /* the distribution as JSON text, for sim_cfg_dist's fallback */
};

/* Reads cfg.key ("block", or {"tier": "block", "iops": ...}) into st; false when the key
 * is absent or wrong (the error is recorded on cfg). */
bool sim_storage_read(struct sim_cfg *cfg, const char *key, struct sim_storage *st);

#endif
