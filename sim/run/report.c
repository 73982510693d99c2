/* report.c: the readable report on stdout and the JSON report, both from the gathered
 * results. JSON keeps the dotted paths as nested objects, SI units, the mean as the plain
 * value and its interval under the parallel "ci95" tree (written by report_json.c). Files
 * are written whole: a temporary name, then a rename. */
#include <errno.h>
#include <math.h>
#include <unistd.h>

#include "output.h"
#include "run.h"

void sim__format_value(double v, enum sim_unit unit, char *buf, size_t n)
{
    if (isnan(v)) {
        snprintf(buf, n, "n/a");
        return;
    }
    if (fabs(v) < 1e-12) v = 0; /* a formula's 1e-118 reads as the 0 it is */
    switch (unit) {
    case SIM_UNIT_SECONDS: {
        double a = fabs(v);
        if (a == 0) snprintf(buf, n, "0s");
        else if (a < 1e-6) snprintf(buf, n, "%.4gns", v * 1e9);
        else if (a < 1e-3) snprintf(buf, n, "%.4gus", v * 1e6);
        else if (a < 1) snprintf(buf, n, "%.4gms", v * 1e3);
        else snprintf(buf, n, "%.4gs", v);
        break;
    }
    case SIM_UNIT_RATE: snprintf(buf, n, "%.6g/s", v); break;
    case SIM_UNIT_RATIO: snprintf(buf, n, "%.4g%%", v * 100); break;
    case SIM_UNIT_COUNT:
        if (v == floor(v) && fabs(v) < 1e15) snprintf(buf, n, "%.0f", v);
        else snprintf(buf, n, "%.6g", v);
        break;
    default: snprintf(buf, n, "%.4g", v); break;
    }
}

bool sim__figure_hidden(const struct sim__metric *m, int reps)
{
    /* the headline shows every figure */
    if (strncmp(m->path, "nodes.", 6) && strncmp(m->path, "faults.", 7)) return false;
    if (m->unit != SIM_UNIT_COUNT && m->unit != SIM_UNIT_RATIO &&
        (m->unit != SIM_UNIT_SECONDS || strncmp(m->path, "faults.", 7)))
        return false;
    for (int r = 0; r < reps; r++)
        if (m->values[r] != 0) return false;
    return true;
}

static void print_metric(FILE *f, const char *label, const struct sim__metric *m, int reps)
{
    char v[48], lo[48], hi[48];
    if (sim__figure_hidden(m, reps)) return;
    sim__format_value(m->ci.mean, m->unit, v, sizeof v);
    if (reps < 2 || isnan(m->ci.mean)) {
        fprintf(f, "  %-28s %14s\n", label, v);
        return;
    }
    sim__format_value(m->ci.low, m->unit, lo, sizeof lo);
    sim__format_value(m->ci.high, m->unit, hi, sizeof hi);
    fprintf(f, "  %-28s %14s   [%s, %s]\n", label, v, lo, hi);
}

bool sim__has_section(const char *path)
{
    return !strncmp(path, "nodes.", 6) || !strncmp(path, "faults.", 7) || !strncmp(path, "slo.", 4);
}

static size_t section_len(const char *path)
{
    const char *rest;
    if (!strncmp(path, "slo.", 4)) return 4;
    if (!strncmp(path, "nodes.", 6)) rest = path + 6;
    else if (!strncmp(path, "faults.", 7)) rest = path + 7;
    else return 0;
    const char *dot = strchr(rest, '.');
    return dot ? (size_t)(dot - path) + 1 : 0;
}

void sim__sections_build(struct sim__sections *s, const struct sim__results *res)
{
    *s = (struct sim__sections){0};
    size_t *of = sim_alloc((res->n + 1) * sizeof *of); /* figure -> section + 1, 0: none */
    s->prefixes = sim_alloc((res->n + 1) * sizeof *s->prefixes);
    for (size_t i = 0; i < res->n; i++) {
        size_t len = section_len(res->metrics[i].path);
        if (!len) continue;
        char *prefix = sim_alloc(len + 1);
        memcpy(prefix, res->metrics[i].path, len);
        uint32_t k = sim__namemap_get(&s->map, prefix);
        if (k) sim_free(prefix);
        else {
            s->prefixes[s->n++] = prefix;
            sim__namemap_put(&s->map, prefix, k = (uint32_t)s->n);
        }
        of[i] = k;
    }
    s->start = sim_alloc((s->n + 1) * sizeof *s->start);
    for (size_t i = 0; i < res->n; i++)
        if (of[i]) s->start[of[i]]++; /* section of[i] - 1 counted at its end */
    for (size_t k = 1; k <= s->n; k++) s->start[k] += s->start[k - 1];
    s->order = sim_alloc((res->n + 1) * sizeof *s->order);
    size_t *fill = sim_alloc((s->n + 1) * sizeof *fill);
    for (size_t i = 0; i < res->n; i++)
        if (of[i]) s->order[s->start[of[i] - 1] + fill[of[i] - 1]++] = i;
    sim_free(fill);
    sim_free(of);
}

void sim__sections_fini(struct sim__sections *s)
{
    for (size_t k = 0; k < s->n; k++) sim_free(s->prefixes[k]);
    sim_free(s->prefixes);
    sim_free(s->start);
    sim_free(s->order);
    sim__namemap_fini(&s->map);
}

bool sim__sections_find(const struct sim__sections *s, const char *prefix, size_t *from,
                        size_t *to)
{
    uint32_t k = sim__namemap_get(&s->map, prefix);
    *from = *to = 0;
    if (!k) return false;
    *from = s->start[k - 1];
    *to = s->start[k];
    return true;
}

static void print_section(FILE *f, const struct sim__results *res, const struct sim__sections *s,
                          const char *prefix)
{
    size_t from, to, plen = strlen(prefix);
    sim__sections_find(s, prefix, &from, &to);
    for (size_t j = from; j < to; j++) {
        const struct sim__metric *m = &res->metrics[s->order[j]];
        print_metric(f, m->path + plen, m, res->replications);
    }
}

static void print_faults(FILE *f, const struct sim__results *res, const struct sim__sections *s)
{
    for (int k = 0; k < res->nfaults; k++) {
        fprintf(f, "\nfault %d: %s\n", k, res->faults[k]);
        char prefix[32];
        snprintf(prefix, sizeof prefix, "faults.%d.", k);
        print_section(f, res, s, prefix);
    }
    if (sim__results_find(res, "slo.outage")) {
        fprintf(f, "\navailability objective (over a sliding window)\n");
        print_section(f, res, s, "slo.");
    }
}

/* A fault's figure as text with its interval when there are several replications. */
static void fault_value(const struct sim__results *res, int k, const char *leaf, char *buf,
                        size_t n)
{
    char path[64];
    snprintf(path, sizeof path, "faults.%d.%s", k, leaf);
    const struct sim__metric *m = sim__results_find(res, path);
    if (!m || isnan(m->ci.mean)) {
        snprintf(buf, n, "never");
        return;
    }
    char v[48], h[48];
    sim__format_value(m->ci.mean, m->unit, v, sizeof v);
    if (res->replications < 2 || m->ci.half == 0) {
        snprintf(buf, n, "%s", v);
        return;
    }
    if (m->unit == SIM_UNIT_COUNT) snprintf(h, sizeof h, "%.3g", m->ci.half);
    else sim__format_value(m->ci.half, m->unit, h, sizeof h);
    snprintf(buf, n, "%s +- %s", v, h);
}

void sim__story_print(FILE *f, const char *file, const struct sim__scenario *sc,
                      const struct sim__results *res)
{
    fprintf(f, "drill: %s (%s)\n", sc->name, file);
    if (sc->description[0]) fprintf(f, "%s\n", sc->description);
    if (sc->story[0]) fprintf(f, "\nwhat to expect\n%s\n", sc->story);
    if (!res->nfaults) {
        fprintf(f, "\nthis scenario injects no faults: its trouble, if any, comes from its load "
                   "and settings, and the report below shows it (add \"faults\" or --fault)\n\n");
        return;
    }
    fprintf(f, "\nwhat happened (replication 0, seed %llu)\n%s", (unsigned long long)sc->seed,
            res->story ? res->story : "");
    fprintf(f, "\nin numbers (%d replication%s%s)\n", res->replications,
            res->replications == 1 ? "" : "s",
            res->replications > 1 ? ", mean +- 95% half-width" : "");
    for (int k = 0; k < res->nfaults; k++) {
        char detect[112], recover[112], service[112], outage[112], lost[112], window[112], failed[112];
        fault_value(res, k, "detect", detect, sizeof detect);
        fault_value(res, k, "recover", recover, sizeof recover);
        fault_value(res, k, "service_recover", service, sizeof service);
        fault_value(res, k, "outage", outage, sizeof outage);
        fault_value(res, k, "rpo_writes", lost, sizeof lost);
        fault_value(res, k, "rpo_window", window, sizeof window);
        fault_value(res, k, "failed.total", failed, sizeof failed);
        fprintf(f, "  fault %d, %s:\n", k, res->faults[k]);
        if (!strcmp(detect, "never")) fprintf(f, "    not detected (nothing watched it)\n");
        else fprintf(f, "    detected after %s\n", detect);
        /* Two recoveries: the clients' (service level) and the failed target's own. */
        const struct sim__metric *objective = sim__results_find(res, "slo.availability_objective");
        double target = objective ? objective->ci.mean * 100 : NAN;
        if (!strcmp(service, "never"))
            fprintf(f, "    clients: below the %.4g%% objective to the end of the run\n", target);
        else
            fprintf(f, "    clients: back at the %.4g%% objective after %s (service_recover)\n", target, service);
        if (!strcmp(recover, "never")) fprintf(f, "    target: not back by the end of the run (recover)\n");
        else fprintf(f, "    target: back, or restored by a failover, after %s (recover, the RTO)\n", recover);
        fprintf(f, "    acknowledged writes lost: %s, spanning %s (RPO)\n", lost, window);
        fprintf(f, "    requests failed during it: %s; below the availability objective for %s\n",
                failed, outage);
    }
    fprintf(f, "\n");
}

void sim__report_text(FILE *f, const char *file, const struct sim__scenario *sc,
                      const struct sim__results *res, const struct sim__verdict *verdicts)
{
    char dur[32], warm[32];
    sim__format_duration(sc->duration, dur, sizeof dur);
    sim__format_duration(sc->warmup, warm, sizeof warm);
    fprintf(f, "archsim %s: %s (%s)\n", SIM_VERSION, sc->name, file);
    fprintf(f, "seed %llu, %d replication%s of %s, the first %s deleted as warm-up\n",
            (unsigned long long)sc->seed, res->replications, res->replications == 1 ? "" : "s", dur,
            warm);
    const struct sim__precision *p = &res->precision;
    if (p->target > 0 && p->decided_by)
        fprintf(f, "precision %.4g%%: %s after %d replications (cap %d); %s decided, its 95%% "
                   "interval within %.3g%% of its mean\n",
                p->target * 100, p->met ? "met" : "NOT met", res->replications, p->cap, p->decided_by,
                p->achieved * 100);
    if (res->workload_description) fprintf(f, "workload: %s\n", res->workload_description);
    fprintf(f, "\n%-30s %14s%s\n", "headline", "mean",
            res->replications > 1 ? "   95% interval (Student t, across replications)" : "");
    for (size_t i = 0; i < res->n; i++)
        if (!sim__has_section(res->metrics[i].path))
            print_metric(f, res->metrics[i].path, &res->metrics[i], res->replications);
    struct sim__sections secs;
    sim__sections_build(&secs, res);
    print_faults(f, res, &secs);
    for (int k = 0; k < res->nnodes; k++) {
        const struct sim__node_info *node = &res->nodes[k];
        fprintf(f, "\nnode %s (%s): %s\n", node->name, node->type, node->description);
        char prefix[128];
        snprintf(prefix, sizeof prefix, "nodes.%s.", node->name);
        print_section(f, res, &secs, prefix);
    }
    sim__sections_fini(&secs);
    fprintf(f, "\n(a node's counts and ratios that are zero in every replication are not "
               "shown; --json has every figure)\n");
    if (sc->nexpect) {
        fprintf(f, "\nexpectations\n");
        for (int i = 0; i < sc->nexpect; i++) {
            const struct sim__verdict *v = &verdicts[i];
            const struct sim__metric *m = sim__results_find(res, v->e->metric);
            char value[48], limit[48], upper[48];
            enum sim_unit unit = m ? m->unit : SIM_UNIT_NUMBER;
            sim__format_value(v->value, unit, value, sizeof value);
            sim__format_value(v->e->a, unit, limit, sizeof limit);
            sim__format_value(v->e->b, unit, upper, sizeof upper);
            static const char *const words[] = {"below", "above", "at most", "at least", "between"};
            fprintf(f, "  %-4s  %s %s %s%s%s: %s\n", v->pass ? "ok" : "FAIL", v->e->metric,
                    words[v->e->op], limit, v->e->op == EXPECT_BETWEEN ? " and " : "",
                    v->e->op == EXPECT_BETWEEN ? upper : "", value);
        }
    }
}

void sim__json_add_u64(cJSON *obj, const char *key, uint64_t v)
{
    char digits[24];
    snprintf(digits, sizeof digits, "%llu", (unsigned long long)v);
    if (!cJSON_AddRawToObject(obj, key, digits)) sim__out_of_memory();
}

char *sim__json_text(const cJSON *root)
{
    char *text = cJSON_Print(root);
    if (!text) sim__out_of_memory();
    size_t len = strlen(text);
    char *out = sim_alloc(len + 2);
    memcpy(out, text, len);
    out[len] = '\n';
    cJSON_free(text);
    return out;
}

int sim__write_text(const char *path, char *text)
{
    bool ok = sim__write_file(path, text ? text : "");
    if (!ok) fprintf(stderr, "archsim: cannot write %s: %s\n", path, strerror(errno));
    sim_free(text);
    return ok ? 0 : 2;
}

bool sim__write_file(const char *path, const char *text)
{
    struct sim__output *out = sim__output_open(path);
    if (!out) return false;
    size_t len = strlen(text);
    if (fwrite(text, 1, len, sim__output_file(out)) != len) {
        int saved = errno;
        sim__output_abort(out);
        errno = saved;
        return false;
    }
    return sim__output_commit(out);
}

bool sim__expect_holds(const struct sim__expect *e, double v)
{
    switch (e->op) {
    case EXPECT_BELOW: return v < e->a;
    case EXPECT_ABOVE: return v > e->a;
    case EXPECT_AT_MOST: return v <= e->a;
    case EXPECT_AT_LEAST: return v >= e->a;
    case EXPECT_BETWEEN: return v >= e->a && v <= e->b;
    }
    return false;
}

bool sim__expect_check(const struct sim__scenario *sc, const struct sim__results *res,
                       struct sim__verdict *out, char *err, size_t errn)
{
    for (int i = 0; i < sc->nexpect; i++) {
        const struct sim__expect *e = &sc->expect[i];
        const struct sim__metric *m = sim__results_find(res, e->metric);
        if (!m) {
            const char **paths = sim_alloc((res->n + 1) * sizeof *paths);
            for (size_t k = 0; k < res->n; k++) paths[k] = res->metrics[k].path;
            const char *close = sim__closest(e->metric, paths, res->n);
            snprintf(err, errn, "%s.metric: no reported figure named '%s'%s%s%s", e->path,
                     e->metric, close ? " (did you mean '" : "", close ? close : "",
                     close ? "'?)" : "");
            sim_free(paths);
            return false;
        }
        out[i] = (struct sim__verdict){e, m->ci.mean, sim__expect_holds(e, m->ci.mean)};
    }
    return true;
}
