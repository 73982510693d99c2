/* breaker.c: a circuit breaker on the calls to one callee. The failure ratio is kept over
 * a sliding window of SIM_BREAKER_BUCKETS buckets, emptied as time passes, so a record
 * costs O(1) whatever the rate; open turns half-open lazily, at the first attempt after
 * open_for, so an idle breaker schedules nothing. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sim.h"

void sim_breaker_configure(struct sim_breaker_cfg *k, struct sim_cfg *cfg)
{
    struct sim_cfg *b = sim_cfg_object(cfg, "breaker", false);
    if (!b) return;
    *k = (struct sim_breaker_cfg){.on = true};
    bool ratio = sim_cfg_has(b, "failure_ratio");
    bool consecutive = sim_cfg_has(b, "consecutive_failures");
    if (!ratio && !consecutive)
        sim_cfg_error(b, NULL, "expected failure_ratio or consecutive_failures (or both)");
    if (ratio) {
        k->failure_ratio = sim_cfg_number(b, "failure_ratio", NAN, 0.001, 1);
        k->window = sim_cfg_duration(b, "window", 10 * SIM_S, SIM_BREAKER_BUCKETS * SIM_NS,
                                     SIM_MAX_DURATION);
        k->min_calls = (int)sim_cfg_int(b, "min_calls", 20, 1, 1000000000);
    } else {
        if (sim_cfg_has(b, "window")) sim_cfg_error(b, "window", "only with failure_ratio");
        if (sim_cfg_has(b, "min_calls")) sim_cfg_error(b, "min_calls", "only with failure_ratio");
    }
    if (consecutive)
        k->consecutive = (int)sim_cfg_int(b, "consecutive_failures", SIM_REQUIRED, 1, 1000000000);
    k->open_for = sim_cfg_duration(b, "open_for", 5 * SIM_S, SIM_NS, SIM_MAX_DURATION);
    k->probes = (int)sim_cfg_int(b, "half_open_probes", 3, 1, 1000000);
}

void sim_breaker_init(struct sim_breaker *b, struct sim_component *owner,
                      const struct sim_breaker_cfg *k)
{
    b->owner = owner;
    b->cfg = k;
}

/* [from, to] clipped to the measured window [start, now], in ns. */
static sim_time overlap(sim_time from, sim_time to, sim_time start, sim_time now)
{
    if (from < start) from = start;
    if (to > now) to = now;
    return to > from ? to - from : 0;
}

static void reset_counts(struct sim_breaker *b)
{
    b->consecutive = 0;
    b->window_calls = b->window_fails = 0;
    memset(b->calls, 0, sizeof b->calls);
    memset(b->fails, 0, sizeof b->fails);
}

static void trip(struct sim_breaker *b)
{
    sim_time now = sim_now(b->owner);
    /* The previous open period ended before this trip (half-open came after it). */
    b->open_time += overlap(b->open_from, b->open_until, b->measure_start, now);
    b->state = SIM_BREAKER_OPEN;
    b->epoch++;
    b->open_from = now;
    b->open_until = now + b->cfg->open_for;
    if (sim_measuring(b->owner)) b->trips++;
}

bool sim_breaker_admits(struct sim_breaker *b, bool *probe)
{
    const struct sim_breaker_cfg *k = b->cfg;
    *probe = false;
    if (!k->on) return true;
    if (b->state == SIM_BREAKER_OPEN) {
        if (sim_now(b->owner) < b->open_until) goto refused;
        b->state = SIM_BREAKER_HALF_OPEN;
        b->epoch++;
        b->probes_sent = b->probes_ok = 0;
    }
    if (b->state == SIM_BREAKER_HALF_OPEN) {
        if (b->probes_sent >= k->probes) goto refused;
        b->probes_sent++;
        *probe = true;
    }
    return true;
refused:
    if (sim_measuring(b->owner)) b->short_circuited++;
    return false;
}

void sim_breaker_unprobe(struct sim_breaker *b)
{
    b->probes_sent--;
}

void sim_breaker_record(struct sim_breaker *b, uint32_t epoch, bool ok)
{
    const struct sim_breaker_cfg *k = b->cfg;
    if (!k->on || epoch != b->epoch) return;
    if (b->state == SIM_BREAKER_HALF_OPEN) {
        if (!ok) {
            trip(b);
        } else if (++b->probes_ok == k->probes) {
            b->state = SIM_BREAKER_CLOSED;
            b->epoch++;
            reset_counts(b);
        }
        return;
    }
    if (b->state != SIM_BREAKER_CLOSED) return;
    b->consecutive = ok ? 0 : b->consecutive + 1;
    if (k->consecutive && b->consecutive >= k->consecutive) {
        trip(b);
        return;
    }
    if (!(k->failure_ratio > 0)) return;
    /* Buckets of window/10: the ones older than the window are emptied as time passes. */
    sim_time width = k->window / SIM_BREAKER_BUCKETS;
    int64_t n0 = sim_now(b->owner) / width;
    if (n0 > b->newest) {
        int64_t n = n0 - b->newest < SIM_BREAKER_BUCKETS ? n0 - b->newest : SIM_BREAKER_BUCKETS;
        for (int64_t i = 1; i <= n; i++) {
            int x = (int)((b->newest + i) % SIM_BREAKER_BUCKETS);
            b->window_calls -= b->calls[x];
            b->window_fails -= b->fails[x];
            b->calls[x] = b->fails[x] = 0;
        }
        b->newest = n0;
    }
    int x = (int)(n0 % SIM_BREAKER_BUCKETS);
    b->calls[x]++;
    b->window_calls++;
    if (!ok) {
        b->fails[x]++;
        b->window_fails++;
    }
    if (!ok && b->window_calls >= (uint64_t)k->min_calls &&
        (double)b->window_fails >= k->failure_ratio * (double)b->window_calls)
        trip(b);
}

void sim_breaker_clear_stats(struct sim_breaker *b)
{
    b->trips = b->short_circuited = 0;
    b->open_time = 0;
    b->measure_start = sim_now(b->owner);
}

void sim_breaker_report(const struct sim_breaker *b, struct sim_report *rep, const char *prefix)
{
    if (!b->cfg->on) return;
    sim_time now = sim_now(b->owner), open = b->open_time;
    if (b->state != SIM_BREAKER_CLOSED) /* the current (or last) open period, up to now */
        open += overlap(b->open_from, b->open_until, b->measure_start, now);
    double window = sim_window_seconds(b->owner);
    char path[128];
#define FIGURE(name, value, unit)                                   \
    do {                                                            \
        snprintf(path, sizeof path, "%sbreaker.%s", prefix, name);  \
        sim_report(rep, path, value, unit);                         \
    } while (0)
    FIGURE("trips", (double)b->trips, SIM_UNIT_COUNT);
    FIGURE("time_open", (double)open / SIM_S, SIM_UNIT_SECONDS | SIM_LOWER_BETTER);
    FIGURE("open_ratio", window > 0 ? (double)open / SIM_S / window : 0,
           SIM_UNIT_RATIO | SIM_LOWER_BETTER);
    FIGURE("short_circuited", (double)b->short_circuited, SIM_UNIT_COUNT);
#undef FIGURE
}

double sim_breaker_openness(const struct sim_breaker *b)
{
    bool open = b->state == SIM_BREAKER_OPEN && sim_now(b->owner) < b->open_until;
    return open ? 1 : b->state == SIM_BREAKER_CLOSED ? 0 : 0.5;
}
