/* report.c: the readable report on stdout and the JSON report, both from the gathered
 * results. JSON keeps the dotted paths as nested objects, SI units, the mean as the plain
 * value and its interval under the parallel "ci95" tree. Files are written whole:
 * a temporary name, then a rename. */
#include <errno.h>
#include <math.h>
#include <sys/resource.h>
#include <unistd.h>

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

/* A node's counts and ratios that are zero in every replication (no retries, no errors
 * of a kind) are left out of the text; the headline and the JSON have every figure. */
static bool all_zero(const struct sim__metric *m, int reps)
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
    if (all_zero(m, reps)) return;
    sim__format_value(m->ci.mean, m->unit, v, sizeof v);
    if (reps < 2 || isnan(m->ci.mean)) {
        fprintf(f, "  %-28s %14s\n", label, v);
        return;
    }
    sim__format_value(m->ci.low, m->unit, lo, sizeof lo);
    sim__format_value(m->ci.high, m->unit, hi, sizeof hi);
    fprintf(f, "  %-28s %14s   [%s, %s]\n", label, v, lo, hi);
}

/* Figures printed in a section of their own rather than in the headline. */
static bool has_section(const char *path)
{
    return !strncmp(path, "nodes.", 6) || !strncmp(path, "faults.", 7) || !strncmp(path, "slo.", 4);
}

static void print_section(FILE *f, const struct sim__results *res, const char *prefix)
{
    size_t plen = strlen(prefix);
    for (size_t i = 0; i < res->n; i++)
        if (!strncmp(res->metrics[i].path, prefix, plen))
            print_metric(f, res->metrics[i].path + plen, &res->metrics[i], res->replications);
}

static void print_faults(FILE *f, const struct sim__results *res)
{
    for (int k = 0; k < res->nfaults; k++) {
        fprintf(f, "\nfault %d: %s\n", k, res->faults[k]);
        char prefix[32];
        snprintf(prefix, sizeof prefix, "faults.%d.", k);
        print_section(f, res, prefix);
    }
    if (sim__results_find(res, "slo.outage")) {
        fprintf(f, "\navailability objective (over a sliding window)\n");
        print_section(f, res, "slo.");
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
        char detect[64], recover[64], outage[64], lost[64], window[64], failed[64];
        fault_value(res, k, "detect", detect, sizeof detect);
        fault_value(res, k, "recover", recover, sizeof recover);
        fault_value(res, k, "outage", outage, sizeof outage);
        fault_value(res, k, "rpo_writes", lost, sizeof lost);
        fault_value(res, k, "rpo_window", window, sizeof window);
        fault_value(res, k, "failed.total", failed, sizeof failed);
        fprintf(f, "  fault %d, %s:\n", k, res->faults[k]);
        if (!strcmp(detect, "never")) fprintf(f, "    not detected (nothing watched it); ");
        else fprintf(f, "    detected after %s; ", detect);
        if (!strcmp(recover, "never")) fprintf(f, "service not back by the end of the run\n");
        else fprintf(f, "service back after %s (RTO)\n", recover);
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
            (unsigned long long)sc->seed, sc->replications, sc->replications == 1 ? "" : "s", dur,
            warm);
    if (res->workload_description) fprintf(f, "workload: %s\n", res->workload_description);
    fprintf(f, "\n%-30s %14s%s\n", "headline", "mean",
            res->replications > 1 ? "   95% interval (Student t, across replications)" : "");
    for (size_t i = 0; i < res->n; i++)
        if (!has_section(res->metrics[i].path))
            print_metric(f, res->metrics[i].path, &res->metrics[i], res->replications);
    print_faults(f, res);
    for (int k = 0; k < res->nnodes; k++) {
        const struct sim__node_info *node = &res->nodes[k];
        fprintf(f, "\nnode %s (%s): %s\n", node->name, node->type, node->description);
        char prefix[128];
        snprintf(prefix, sizeof prefix, "nodes.%s.", node->name);
        print_section(f, res, prefix);
    }
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

/* The object at the dotted path's parent, created as needed; *leaf gets the last name. */
static cJSON *parent_of(cJSON *root, const char *path, char *leaf, size_t n)
{
    cJSON *at = root;
    const char *p = path;
    const char *dot;
    while ((dot = strchr(p, '.'))) {
        char name[128];
        size_t len = (size_t)(dot - p) < sizeof name - 1 ? (size_t)(dot - p) : sizeof name - 1;
        memcpy(name, p, len);
        name[len] = 0;
        cJSON *next = cJSON_GetObjectItemCaseSensitive(at, name);
        if (!next) next = cJSON_AddObjectToObject(at, name);
        at = next;
        p = dot + 1;
    }
    snprintf(leaf, n, "%s", p);
    return at;
}

static cJSON *number(double v)
{
    return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

char *sim__report_json(const struct sim_loader *ld, const struct sim__scenario *sc,
                       const struct sim__results *res, const struct sim__verdict *verdicts,
                       bool timing)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *repro = cJSON_AddObjectToObject(root, "reproducibility");
    char hash[32];
    snprintf(hash, sizeof hash, "%016llx", (unsigned long long)sim__loader_hash(ld));
    cJSON_AddStringToObject(repro, "archsim", SIM_VERSION);
    cJSON_AddStringToObject(repro, "scenario_hash", hash);
    cJSON_AddNumberToObject(repro, "seed", (double)sc->seed);
    cJSON_AddStringToObject(repro, "generator", sim__rng_generator_name());
    cJSON_AddNumberToObject(repro, "events", (double)res->events);
    cJSON *scen = cJSON_AddObjectToObject(root, "scenario");
    cJSON_AddStringToObject(scen, "name", sc->name);
    cJSON_AddNumberToObject(scen, "duration", (double)sc->duration / SIM_S);
    cJSON_AddNumberToObject(scen, "warmup", (double)sc->warmup / SIM_S);
    cJSON_AddNumberToObject(scen, "replications", sc->replications);
    if (timing) {
        cJSON *perf = cJSON_AddObjectToObject(root, "performance");
        cJSON_AddNumberToObject(perf, "wall_seconds", res->wall_seconds);
        double wall = res->wall_seconds > 0 ? res->wall_seconds : 1e-9, requests = 0;
        const struct sim__metric *fin = sim__results_find(res, "requests.finished");
        for (int r = 0; fin && r < res->replications; r++) requests += fin->values[r];
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        cJSON_AddNumberToObject(perf, "events_per_second", (double)res->events / wall);
        cJSON_AddNumberToObject(perf, "requests_per_second", requests / wall);
        cJSON_AddNumberToObject(perf, "peak_rss_bytes", (double)ru.ru_maxrss * 1024);
    }
    if (res->unstable.on) {
        const struct sim__unstable *u = &res->unstable;
        char message[512];
        sim__unstable_describe(u, message, sizeof message);
        cJSON *j = cJSON_AddObjectToObject(root, "unstable");
        cJSON_AddStringToObject(j, "message", message);
        if (u->node[0]) cJSON_AddStringToObject(j, "node", u->node);
        cJSON_AddNumberToObject(j, "offered", u->offered);
        cJSON_AddItemToObject(j, "capacity", u->capacity > 0 ? cJSON_CreateNumber(u->capacity) : cJSON_CreateNull());
        cJSON_AddNumberToObject(j, "waiting", (double)u->waiting);
        cJSON_AddNumberToObject(j, "at", u->at);
        cJSON_AddNumberToObject(j, "replication", u->replication);
        cJSON_AddNumberToObject(j, "memory_held", u->held);
        cJSON_AddNumberToObject(j, "max_memory", u->budget);
    }
    cJSON *ci = res->replications > 1 ? cJSON_CreateObject() : NULL;
    for (size_t i = 0; i < res->n; i++) {
        const struct sim__metric *m = &res->metrics[i];
        char leaf[128];
        cJSON *parent = parent_of(root, m->path, leaf, sizeof leaf);
        cJSON_AddItemToObject(parent, leaf, number(m->ci.mean));
        if (ci) {
            cJSON *pair = cJSON_CreateArray();
            cJSON_AddItemToArray(pair, number(m->ci.low));
            cJSON_AddItemToArray(pair, number(m->ci.high));
            cJSON_AddItemToObject(parent_of(ci, m->path, leaf, sizeof leaf), leaf, pair);
        }
    }
    if (ci) cJSON_AddItemToObject(root, "ci95", ci);
    if (sc->nexpect) {
        cJSON *list = cJSON_AddArrayToObject(root, "expect");
        static const char *const ops[] = {"below", "above", "at_most", "at_least", "between"};
        for (int i = 0; i < sc->nexpect; i++) {
            cJSON *e = cJSON_CreateObject();
            cJSON_AddStringToObject(e, "metric", verdicts[i].e->metric);
            cJSON_AddStringToObject(e, "op", ops[verdicts[i].e->op]);
            cJSON_AddItemToObject(e, "limit", number(verdicts[i].e->a));
            if (verdicts[i].e->op == EXPECT_BETWEEN)
                cJSON_AddItemToObject(e, "upper", number(verdicts[i].e->b));
            cJSON_AddItemToObject(e, "value", number(verdicts[i].value));
            cJSON_AddBoolToObject(e, "pass", verdicts[i].pass);
            cJSON_AddItemToArray(list, e);
        }
    }
    char *out = sim__json_text(root);
    cJSON_Delete(root);
    return out;
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
    char tmp[4096];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= sizeof tmp) {
        errno = ENAMETOOLONG;
        return false;
    }
    FILE *f = fopen(tmp, "w");
    if (!f) return false;
    size_t len = strlen(text);
    bool ok = fwrite(text, 1, len, f) == len;
    ok = (fclose(f) == 0) && ok;
    if (ok && rename(tmp, path) == 0) return true;
    int saved = errno;
    remove(tmp);
    errno = saved;
    return false;
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
