/* store_figures.c: what the callers of a replicated key-value store saw (the primary-replica
 * database, the leaderless quorum): reads and writes arriving, reads found stale against the
 * version acknowledged when they arrived, answer latency, errors by status. The stores
 * decide what a read returns; this counts and reports it the same way for both.
 * Everything is counted only while the owner is measuring. A read can be stale only on a
 * key written before it arrived, so the stale reads of written keys are all the stale reads. */
#include <string.h>

#include "sim.h"

void sim_store_figures_init(struct sim_store_figures *f, struct sim_component *owner)
{
    *f = (struct sim_store_figures){.owner = owner};
    sim_hist_init(&f->read_latency);
    sim_hist_init(&f->write_latency);
}

uint32_t sim_store_arrive(struct sim_store_figures *f, struct sim_versions *v,
                          const struct sim_call *call, size_t acked_column, uint32_t *acked)
{
    uint32_t record = sim_versions_find(v, call->key);
    *acked = record ? sim_versions_row(v, record - 1)[acked_column] : 0;
    if (sim_measuring(f->owner)) {
        if (call->op == SIM_OP_WRITE) f->writes++;
        else {
            f->reads++;
            if (*acked) f->written_reads++;
        }
    }
    return record;
}

void sim_store_read(struct sim_store_figures *f, uint32_t version, uint32_t acked)
{
    if (sim_measuring(f->owner) && version < acked) f->stale_reads++;
}

void sim_store_answered(struct sim_store_figures *f, int op, enum sim_status status,
                        sim_time latency)
{
    if (!sim_measuring(f->owner)) return;
    if (status != SIM_OK) f->errors[status]++;
    else if (op == SIM_OP_WRITE) sim_hist_record(&f->write_latency, latency);
    else sim_hist_record(&f->read_latency, latency);
}

void sim_store_figures_clear(struct sim_store_figures *f)
{
    f->reads = f->writes = f->acked = f->stale_reads = f->written_reads = 0;
    memset(f->errors, 0, sizeof f->errors);
    sim_hist_clear(&f->read_latency);
    sim_hist_clear(&f->write_latency);
}

void sim_store_figures_report(const struct sim_store_figures *f, struct sim_report *rep,
                              size_t keys_written)
{
    double window = sim_window_seconds(f->owner);
    sim_report(rep, "reads", (double)f->reads / window, SIM_UNIT_RATE);
    sim_report(rep, "writes", (double)f->writes / window, SIM_UNIT_RATE);
    sim_report(rep, "writes_acknowledged", (double)f->acked, SIM_UNIT_COUNT);
    sim_report(rep, "stale_reads", (double)f->stale_reads, SIM_UNIT_COUNT | SIM_LOWER_BETTER);
    sim_report(rep, "stale_read_ratio", f->reads ? (double)f->stale_reads / (double)f->reads : 0,
               SIM_UNIT_RATIO | SIM_LOWER_BETTER);
    sim_report(rep, "reads_of_written_keys", (double)f->written_reads, SIM_UNIT_COUNT);
    sim_report(rep, "stale_read_ratio_written",
               f->written_reads ? (double)f->stale_reads / (double)f->written_reads : 0,
               SIM_UNIT_RATIO | SIM_LOWER_BETTER);
    sim_report(rep, "keys_written", (double)keys_written, SIM_UNIT_COUNT);
    sim_report_hist(rep, "read_latency", &f->read_latency);
    sim_report_hist(rep, "write_latency", &f->write_latency);
    sim_report_errors(rep, f->errors, SIM_UNIT_COUNT | SIM_LOWER_BETTER);
}
