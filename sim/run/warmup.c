/* warmup.c: where the initial transient ends. A run records the mean latency of the
 * requests that finish in each of SIM__SLICES equal slices of its whole length (warm-up
 * included); MSER then truncates the d first slices that minimise the squared standard
 * error of the mean of the rest (MSER-5 with batches of equal time rather than of five
 * requests), searching the first half only, as MSER prescribes. Memory is fixed. */
#include <math.h>

#include <stdlib.h>

#include "warmup.h"

/* With slice means y_i weighted by their counts c_i, the slices from d on give
 * MSER(d) = sum c_i (y_i - mean)^2 / (sum c_i)^2 = (S2 - S1^2 / S0) / S0^2 in the suffix
 * sums S0 = sum c_i, S1 = sum c_i y_i, S2 = sum c_i y_i^2: one pass from the end. */
sim_time sim__mser(const struct sim__series *s)
{
    double s0 = 0, s1 = 0, s2 = 0, best = INFINITY;
    int at = -1, half = SIM__SLICES / 2, nonempty = 0;
    for (int i = SIM__SLICES - 1; i >= 0; i--) {
        if (s->count[i]) {
            double c = (double)s->count[i], y = s->sum[i] / c;
            s0 += c;
            s1 += c * y;
            s2 += c * y * y;
            nonempty++;
        }
        if (i > half || nonempty < 2) continue;
        double ss = s2 - s1 * s1 / s0, m = (ss > 0 ? ss : 0) / (s0 * s0);
        if (m <= best) { /* ties go to the earlier cut: truncate no more than needed */
            best = m;
            at = i;
        }
    }
    if (at < 0) return SIM__MSER_NONE;
    if (at == half) return SIM__MSER_UNSETTLED;
    return (sim_time)at * s->width;
}

/* The count-weighted mean of slices [a, b), and their requests. */
static double slices_mean(const struct sim__series *s, int a, int b, double *n)
{
    double sum = 0, count = 0;
    for (int i = a; i < b; i++) {
        sum += s->sum[i];
        count += (double)s->count[i];
    }
    *n = count;
    return count > 0 ? sum / count : NAN;
}

bool sim__transient_real(const struct sim__series *s, sim_time from, sim_time cut)
{
    enum { BATCHES = 10 };
    int a = (int)(from / s->width), d = (int)(cut / s->width);
    if (d <= a || SIM__SLICES - d < BATCHES) return false;
    /* The rest in ten batches of whole slices: their spread is the noise, and a mean over
     * fewer slices is noisier in proportion (an overestimate for spans shorter than the
     * correlation time: this errs towards silence). */
    int len = (SIM__SLICES - d) / BATCHES;
    double y[BATCHES], n, sum = 0, ss = 0;
    int nb = 0;
    for (int b = 0; b < BATCHES; b++) {
        y[nb] = slices_mean(s, d + b * len, d + (b + 1) * len, &n);
        if (n > 0) sum += y[nb++];
    }
    if (nb < 2) return false;
    double rest = sum / nb;
    for (int b = 0; b < nb; b++) ss += (y[b] - rest) * (y[b] - rest);
    double var = ss / (nb - 1), head = slices_mean(s, a, d, &n);
    if (!(n > 0)) return false;
    double se = sqrt(var / nb + var * len / (d - a));
    /* Four standard errors, not t(0.975): MSER chose the cut where the head looks most
     * unlike the rest, which inflates the statistic (stationary M/M/1 at 0.95 reaches 3.8
     * in one run of fifty; the README's tour at 1,900/s gives 17.6). */
    return fabs(head - rest) > 4 * se;
}

/* Faults and rate steps change latency on purpose: MSER would take them for a transient. */
static bool changes_on_purpose(struct sim_loader *ld)
{
    const cJSON *root = sim__loader_json(ld);
    const cJSON *wl = cJSON_GetObjectItemCaseSensitive(root, "workload");
    return cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(root, "faults")) > 0 ||
           cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(wl, "schedule")) > 0;
}

void sim__warmup_warn(FILE *f, const char *file, struct sim_loader *ld,
                      const struct sim__scenario *sc, const struct sim__results *res)
{
    if (changes_on_purpose(ld) || res->detected_warmup == SIM__MSER_NONE) return;
    char warm[32], dur[32], found[32];
    sim__format_duration(sc->warmup, warm, sizeof warm);
    sim__format_duration(sc->duration, dur, sizeof dur);
    if (res->detected_warmup == SIM__MSER_UNSETTLED) {
        fprintf(f, "archsim: warning: %s: latency has not settled by half of the %s run "
                   "(MSER on replication 0): the system may be overloaded, or the run too short; "
                   "lengthen it with --duration\n", file, dur);
    } else if (res->detected_warmup > sc->warmup) {
        sim__format_duration(res->detected_warmup, found, sizeof found);
        fprintf(f, "archsim: warning: %s: latency settles only after about %s (MSER on "
                   "replication 0), but the warm-up is %s, so the figures include the "
                   "transient: set \"warmup\" to %s or more, or run with --warmup auto\n",
                file, found, warm, found);
    }
}

bool sim__warmup_auto(struct sim_loader *ld, struct sim__scenario *sc, const char *file)
{
    if (changes_on_purpose(ld)) {
        fprintf(stderr, "archsim: %s: --warmup auto: the scenario has faults or a rate schedule, "
                        "which MSER would take for a transient: give the warm-up as a duration\n",
                file);
        return false;
    }
    struct sim_world *w = sim__world_build(ld, sc, 0);
    if (!w) {
        fprintf(stderr, "%s\n", sim__loader_error(ld));
        return false;
    }
    w->series = sim__series_create(sc->duration);
    sim__world_run(w);
    sim_time cut = sim__mser(w->series);
    sim__series_destroy(w->series);
    w->series = NULL;
    sim__world_destroy(w);
    char dur[32], set[64], err[1024];
    sim__format_duration(sc->duration, dur, sizeof dur);
    if (cut == SIM__MSER_UNSETTLED || cut == SIM__MSER_NONE) {
        fprintf(stderr, "archsim: %s: --warmup auto: %s in the %s run (MSER on replication 0): "
                        "lengthen it with --duration, or give the warm-up as a duration\n", file,
                cut == SIM__MSER_NONE ? "too few requests finish to tell"
                                      : "latency has not settled by half",
                dur);
        return false;
    }
    snprintf(set, sizeof set, "warmup=%lldns", (long long)cut);
    sim__scenario_fini(sc);
    if (!sim__loader_set_as(ld, set, "--warmup auto", err, sizeof err) || !sim__scenario_read(ld, sc)) {
        fprintf(stderr, "archsim: internal error: --warmup auto: %s\n", err);
        exit(3);
    }
    return true;
}
