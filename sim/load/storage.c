/* storage.c: the storage tiers' presets (the guide's table: block under 1 ms, file 1-10 ms,
 * object 100-200 ms) and the IOPS they allow, turned into a lognormal service time and a
 * worker count. The numbers and their sources are in docs/scenario.md, "Storage tiers". */
#include <math.h>

#include "sim.h"

#define Z99 2.3263478740408408 /* the standard normal's 99th percentile */

static const struct sim_storage presets[] = {
    /* block: the guide's "under 1 ms"; an SSD volume such as EBS gp3 at its maximum
     * provisioned 16,000 IOPS and 1,000 MB/s (3,000 and 125 MB/s at baseline). */
    {.tier = "block", .median = 0.5e-3, .p99 = 0.9e-3, .iops = 16000, .throughput = 1000e6,
     .io_size = 16e3},
    /* file: the guide's "1-10 ms"; a network file system such as EFS General Purpose,
     * 7,000 file operations per second in its original limit. */
    {.tier = "file", .median = 3e-3, .p99 = 10e-3, .iops = 7000, .throughput = 100e6,
     .io_size = 4e3},
    /* object: the guide's "100-200 ms" first byte; S3's documented 5,500 GET/HEAD requests
     * per second per prefix. Throughput is not the limit there: 1 MB x 5,500 = 5.5 GB/s. */
    {.tier = "object", .median = 120e-3, .p99 = 200e-3, .iops = 5500, .throughput = 5.5e9,
     .io_size = 1e6},
};
static const char *const tier_names[] = {"block", "file", "object", NULL};

bool sim_storage_read(struct sim_cfg *cfg, const char *key, struct sim_storage *st)
{
    enum sim_cfg_type type = sim_cfg_type(cfg, key);
    if (type == SIM_CFG_ABSENT) return false;
    struct sim_cfg *o = type == SIM_CFG_OBJECT ? sim_cfg_object(cfg, key, true) : NULL;
    int tier = o ? sim_cfg_choice(o, "tier", -1, tier_names) : sim_cfg_choice(cfg, key, -1, tier_names);
    if (tier < 0) return false;
    *st = presets[tier];
    if (o) {
        st->median = (double)sim_cfg_duration(o, "median", (sim_time)llround(st->median * SIM_S), 1,
                                              SIM_S * 3600) / SIM_S;
        st->p99 = (double)sim_cfg_duration(o, "p99", (sim_time)llround(st->p99 * SIM_S), 1,
                                           SIM_S * 3600) / SIM_S;
        st->iops = sim_cfg_number(o, "iops", st->iops, 1e-3, 1e9);
        st->throughput = sim_cfg_number(o, "throughput", st->throughput / 1e6, 1e-6, 1e9) * 1e6;
        st->io_size = sim_cfg_number(o, "io_size", st->io_size, 1, 1e12);
        if (st->p99 <= st->median) sim_cfg_error(o, "p99", "expected a value greater than the median");
        sim_cfg_end(o);
    }
    if (sim_cfg_failed(cfg) || (o && sim_cfg_failed(o))) return false;
    double sigma = log(st->p99 / st->median) / Z99;
    st->mean = st->median * exp(sigma * sigma / 2);
    double ops = fmin(st->iops, st->throughput / st->io_size);
    st->workers = (int)fmax(1, fmin(1e6, round(ops * st->mean)));
    st->service_time = sim_dist_lognormal(cfg, (sim_time)llround(st->median * SIM_S),
                                          (sim_time)llround(st->p99 * SIM_S));
    return true;
}
