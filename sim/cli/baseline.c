/* baseline.c: CI checks. `--baseline FILE.json --tolerance 5%` compares a run with a
 * stored JSON report. It checks the scenario's expectations, the headline figures (latency
 * mean, p50, p99, errors.ratio, goodput, each node's utilisation) and each --metric. A
 * figure fails the run only when it is worse by the direction it declared, significantly
 * (paired when the seeds and replications match, Welch otherwise, each figure at the
 * level that keeps the whole check at 95%) and beyond the tolerance; a neutral figure that
 * changes so is reported "changed" and fails nothing. `--junit FILE.xml` writes every
 * expectation and baseline check as a test case. */
#include <errno.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"

/* The item at a dotted path of a report, or NULL. */
static const cJSON *at_path(const cJSON *root, const char *prefix, const char *path)
{
    size_t n = strlen(prefix) + strlen(path) + 1;
    char *buf = sim_alloc(n);
    snprintf(buf, n, "%s%s", prefix, path);
    const cJSON *node = root;
    for (char *save = NULL, *tok = strtok_r(buf, ".", &save); tok && node; tok = strtok_r(NULL, ".", &save))
        node = cJSON_GetObjectItemCaseSensitive(node, tok);
    sim_free(buf);
    return node;
}

/* The report at path, or on stdin for "-" (read once, like a scenario). */
static char *read_file(const char *path, size_t *len)
{
    char err[1024];
    if (strcmp(path, "-") && access(path, F_OK) != 0 && errno == ENOENT) {
        fprintf(stderr, "archsim: --baseline %s: no such file\n", path);
        return NULL;
    }
    char *text = sim__read_input(path, len, err, sizeof err);
    if (!text) fprintf(stderr, "archsim: --baseline %s\n", err);
    return text;
}

/* The figures this run checks: expectations, headline figures, each --metric. Their
 * direction is the figure's own; a neutral figure under an expectation takes its side. */
static int direction_of(const struct sim__scenario *sc, const struct sim__metric *m, bool *wanted)
{
    *wanted = sim__headline_figure(m->path);
    int dir = m->direction;
    for (int i = 0; i < sc->nexpect; i++) {
        if (strcmp(sc->expect[i].metric, m->path)) continue;
        *wanted = true;
        if (!dir && sc->expect[i].op != EXPECT_BETWEEN)
            dir = sc->expect[i].op == EXPECT_BELOW || sc->expect[i].op == EXPECT_AT_MOST ? -1 : 1;
    }
    return dir;
}

static bool listed(const struct options *o, const char *path)
{
    for (int i = 0; i < o->nmetrics; i++)
        if (!strcmp(o->metrics[i], path)) return true;
    return false;
}

/* The baseline's replications of one figure: stored values when the report has them,
 * else a sample rebuilt from its mean and 95% interval. values gets NULL then. */
static struct sim__sample base_sample(const cJSON *base, const char *path, double mean, int nbase,
                                      double **values)
{
    *values = NULL;
    const cJSON *v = at_path(base, "replication_values.", path);
    if (cJSON_IsArray(v) && cJSON_GetArraySize(v) == nbase) {
        *values = sim_alloc((size_t)nbase * sizeof **values);
        for (int r = 0; r < nbase; r++) {
            const cJSON *x = cJSON_GetArrayItem(v, r);
            (*values)[r] = cJSON_IsNumber(x) ? x->valuedouble : NAN;
        }
        return sim__sample_of(*values, nbase);
    }
    const cJSON *ci = at_path(base, "ci95.", path);
    double half = 0;
    if (cJSON_IsArray(ci) && cJSON_GetArraySize(ci) == 2 && cJSON_IsNumber(cJSON_GetArrayItem(ci, 0)) &&
        cJSON_IsNumber(cJSON_GetArrayItem(ci, 1)))
        half = (cJSON_GetArrayItem(ci, 1)->valuedouble - cJSON_GetArrayItem(ci, 0)->valuedouble) / 2;
    double se = nbase >= 2 ? half / gsl_cdf_tdist_Pinv(0.975, nbase - 1) : 0;
    return (struct sim__sample){mean, se * se * nbase, nbase};
}

bool sim__unknown_metric(const struct options *o, const struct sim__results *res)
{
    for (int i = 0; i < o->nmetrics; i++) {
        if (sim__results_find(res, o->metrics[i])) continue;
        const char *near = sim__figure_near(res, o->metrics[i]);
        fprintf(stderr, "archsim: --metric %s: this run reports no such figure", o->metrics[i]);
        if (near) fprintf(stderr, " (did you mean '%s'?)", near);
        fprintf(stderr, "\n");
        return true;
    }
    return false;
}

/* Reads the report and says why it cannot serve as this run's baseline; NULL then. */
static cJSON *open_baseline(const struct options *o, const struct sim_loader *ld,
                            const struct sim__scenario *sc, struct sim__baseline *out)
{
    size_t len = 0;
    char *text = read_file(o->baseline, &len);
    if (!text) return NULL;
    cJSON *base = cJSON_ParseWithLength(text, len);
    sim_free(text);
    const cJSON *reps = at_path(base, "", "scenario.replications");
    const cJSON *name = at_path(base, "", "scenario.name");
    if (!base || !cJSON_IsNumber(reps) || reps->valuedouble < 1 || !cJSON_IsString(name)) {
        fprintf(stderr, "archsim: --baseline %s: expected a JSON report written by archsim run --json\n",
                o->baseline);
        cJSON_Delete(base);
        return NULL;
    }
    if (strcmp(name->valuestring, sc->name)) {
        fprintf(stderr, "archsim: --baseline %s is a report of scenario '%s', not of '%s': write one "
                        "with archsim run %s --json %s\n",
                o->baseline, name->valuestring, sc->name, sim__input_label(o->files[0]), o->baseline);
        cJSON_Delete(base);
        return NULL;
    }
    const cJSON *hash = at_path(base, "", "reproducibility.scenario_hash");
    char mine[32];
    snprintf(mine, sizeof mine, "%016llx", (unsigned long long)sim__loader_hash(ld));
    if (cJSON_IsString(hash) && strcmp(hash->valuestring, mine))
        snprintf(out->note, sizeof out->note,
                 "the baseline was written from another version of the scenario file (hash %s, "
                 "this one %s): the figures are compared by name",
                 hash->valuestring, mine);
    return base;
}

bool sim__baseline_check(const struct options *o, const struct sim_loader *ld,
                         const struct sim__scenario *sc, const struct sim__results *res,
                         struct sim__baseline *out)
{
    *out = (struct sim__baseline){.tolerance = isnan(o->tolerance) ? 0.05 : o->tolerance};
    if (sim__unknown_metric(o, res)) return false;
    cJSON *base = open_baseline(o, ld, sc, out);
    if (!base) return false;
    int nbase = (int)at_path(base, "", "scenario.replications")->valuedouble;
    const cJSON *seed = at_path(base, "", "reproducibility.seed");
    bool same_seeds = cJSON_IsNumber(seed) && (uint64_t)seed->valuedouble == sc->seed &&
                      nbase == res->replications;
    out->checks = sim_alloc((res->n + 1) * sizeof *out->checks);
    double **base_values = sim_alloc((res->n + 1) * sizeof *base_values);
    struct sim__sample *samples = sim_alloc((res->n + 1) * sizeof *samples);
    for (size_t i = 0; i < res->n; i++) {
        const struct sim__metric *m = &res->metrics[i];
        bool wanted;
        int dir = direction_of(sc, m, &wanted);
        if (!wanted && !listed(o, m->path)) continue;
        const cJSON *b = at_path(base, "", m->path);
        if (!cJSON_IsNumber(b) || isnan(m->ci.mean)) continue; /* new, or n/a in either run */
        struct sim__check *c = &out->checks[out->n];
        *c = (struct sim__check){.metric = m, .direction = dir, .base = b->valuedouble};
        samples[out->n] = base_sample(base, m->path, c->base, nbase, &base_values[out->n]);
        out->n++;
    }
    /* Bonferroni: each of n figures at 1 - 5%/n, so an unchanged design fails the whole
     * check at most 5% of the time. */
    out->level = out->n > 1 ? 1 - 0.05 / out->n : 0.95;
    out->paired = same_seeds;
    for (int k = 0; k < out->n; k++) {
        struct sim__check *c = &out->checks[k];
        const struct sim__metric *m = c->metric;
        c->paired = same_seeds && base_values[k];
        c->ci = c->paired ? sim__paired_interval(base_values[k], m->values, nbase, out->level)
                          : sim__welch_interval(samples[k], sim__sample_of(m->values, res->replications),
                                                out->level);
        c->diff = m->ci.mean - c->base;
        c->significant = c->ci.n >= 2 && (c->ci.low > 0 || c->ci.high < 0);
        c->beyond = fabs(c->diff) > out->tolerance * fabs(c->base);
        c->verdict = sim__verdict_word(c->direction, c->ci);
        c->fail = c->significant && c->beyond && !strcmp(c->verdict, "worse");
        sim_free(base_values[k]);
    }
    sim_free(base_values);
    sim_free(samples);
    cJSON_Delete(base);
    return true;
}

void sim__baseline_fini(struct sim__baseline *b)
{
    sim_free(b->checks);
    b->checks = NULL;
}

void sim__baseline_print(FILE *f, const struct options *o, const struct sim__baseline *b)
{
    int failed = 0, changed = 0, paired = 0;
    for (int i = 0; i < b->n; i++) {
        failed += b->checks[i].fail;
        changed += b->checks[i].significant && b->checks[i].beyond;
        paired += b->checks[i].paired;
    }
    fprintf(f, "\nbaseline %s (tolerance %g%%; %s; each figure at %.3g%% for 95%% over all): %d figures "
               "compared, %d changed significantly beyond the tolerance, %d of them for the worse\n",
            o->baseline, b->tolerance * 100,
            paired == b->n && b->n ? "paired replications, same seeds"
            : paired               ? "paired where the report keeps replications, Welch elsewhere"
                                   : "Welch, other seeds",
            b->level * 100, b->n, changed, failed);
    if (b->note[0]) fprintf(f, "  note: %s\n", b->note);
    for (int i = 0; i < b->n; i++) {
        const struct sim__check *c = &b->checks[i];
        if (!(c->significant && c->beyond)) continue;
        enum sim_unit u = c->metric->unit;
        char now[32], was[32], d[32], lo[32], hi[32];
        sim__format_value(c->metric->ci.mean, u, now, sizeof now);
        sim__format_value(c->base, u, was, sizeof was);
        sim__format_value(c->diff, u, d, sizeof d);
        sim__format_value(c->ci.low, u, lo, sizeof lo);
        sim__format_value(c->ci.high, u, hi, sizeof hi);
        const char *status = c->fail ? "FAIL" : c->direction ? "better" : "changed";
        fprintf(f, "  %-7s  %s: %s, was %s (%s%s [%s, %s], %s%s)\n", status, c->metric->path, now, was,
                c->diff > 0 ? "+" : "", d, lo, hi, c->verdict, c->direction ? "" : ": neutral");
    }
}

static void xml_text(struct sim__text *t, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': sim__text_add(t, "&lt;"); break;
        case '>': sim__text_add(t, "&gt;"); break;
        case '&': sim__text_add(t, "&amp;"); break;
        case '"': sim__text_add(t, "&quot;"); break;
        default: sim__text_add(t, "%c", *s);
        }
    }
}

static void test_case(struct sim__text *t, const char *suite, const char *name, const char *failure)
{
    sim__text_add(t, "    <testcase classname=\"");
    xml_text(t, suite);
    sim__text_add(t, "\" name=\"");
    xml_text(t, name);
    sim__text_add(t, "\"");
    if (!failure) {
        sim__text_add(t, "/>\n");
        return;
    }
    sim__text_add(t, ">\n      <failure message=\"");
    xml_text(t, failure);
    sim__text_add(t, "\"/>\n    </testcase>\n");
}

int sim__junit_write(const char *path, const char *file, const struct sim__scenario *sc,
                     const struct sim__verdict *v, const struct sim__baseline *b)
{
    static const char *const words[] = {"below", "above", "at_most", "at_least", "between"};
    struct sim__text t = {0};
    int failures = 0, nchecks = b ? b->n : 0;
    const struct sim__check *c = b ? b->checks : NULL;
    for (int i = 0; i < sc->nexpect; i++) failures += !v[i].pass;
    for (int i = 0; i < nchecks; i++) failures += c[i].fail;
    sim__text_add(&t, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n  <testsuite name=\"");
    xml_text(&t, file);
    sim__text_add(&t, "\" tests=\"%d\" failures=\"%d\">\n", sc->nexpect + nchecks, failures);
    for (int i = 0; i < sc->nexpect; i++) {
        char name[400], why[400];
        snprintf(name, sizeof name, "expect %s %s %.9g%s", v[i].e->metric, words[v[i].e->op], v[i].e->a,
                 v[i].e->op == EXPECT_BETWEEN ? " and upper" : "");
        snprintf(why, sizeof why, "%s = %.9g", v[i].e->metric, v[i].value);
        test_case(&t, "expect", name, v[i].pass ? NULL : why);
    }
    for (int i = 0; i < nchecks; i++) {
        char name[400], why[400];
        snprintf(name, sizeof name, "baseline %s", c[i].metric->path);
        snprintf(why, sizeof why, "%.9g, was %.9g: %s beyond the tolerance", c[i].metric->ci.mean, c[i].base,
                 c[i].verdict);
        test_case(&t, "baseline", name, c[i].fail ? why : NULL);
    }
    sim__text_add(&t, "  </testsuite>\n</testsuites>\n");
    return sim__write_text(path, t.text);
}
