/* baseline.c: CI checks. `--baseline FILE.json --tolerance 5%` compares a run with a
 * stored JSON report figure by figure: a change fails the run only when it is both
 * significant (the 95% interval of the difference, Welch, excludes zero) and beyond the
 * tolerance, and is not an improvement. `--junit FILE.xml` writes every expectation and
 * baseline check as a test case. */
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>

#include "cli.h"

/* The number at a dotted path of a report, or NULL. */
static const cJSON *at_path(const cJSON *root, const char *path)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", path);
    const cJSON *node = root;
    for (char *save = NULL, *tok = strtok_r(buf, ".", &save); tok && node; tok = strtok_r(NULL, ".", &save))
        node = cJSON_GetObjectItemCaseSensitive(node, tok);
    return node;
}

/* The standard error behind a 95% interval of n replications. */
static double standard_error(double half, int n)
{
    return n >= 2 ? half / gsl_cdf_tdist_Pinv(0.975, n - 1) : 0;
}

static bool selected(const struct options *o, const char *path)
{
    if (!o->nmetrics) return true;
    for (int i = 0; i < o->nmetrics; i++)
        if (!strcmp(o->metrics[i], path)) return true;
    return false;
}

bool sim__baseline_check(const struct options *o, const struct sim__results *res,
                         struct sim__check **out, int *nout)
{
    FILE *f = fopen(o->baseline, "rb");
    char *text = NULL;
    size_t len = 0;
    if (f) {
        fseek(f, 0, SEEK_END);
        long n = ftell(f);
        rewind(f);
        if (n >= 0 && n < (1 << 26)) {
            text = sim_alloc((size_t)n + 1);
            len = fread(text, 1, (size_t)n, f);
        }
        fclose(f);
    }
    cJSON *base = text ? cJSON_ParseWithLength(text, len) : NULL;
    sim_free(text);
    const cJSON *reps = at_path(base, "scenario.replications");
    if (!base || !cJSON_IsNumber(reps)) {
        fprintf(stderr, "archsim: --baseline %s: expected a JSON report written by archsim run --json\n",
                o->baseline);
        cJSON_Delete(base);
        return false;
    }
    int nbase = (int)reps->valuedouble;
    double tol = isnan(o->tolerance) ? 0.05 : o->tolerance;
    struct sim__check *checks = sim_alloc((res->n + 1) * sizeof *checks);
    int n = 0;
    for (size_t i = 0; i < res->n; i++) {
        const struct sim__metric *m = &res->metrics[i];
        if (!selected(o, m->path)) continue;
        const cJSON *b = at_path(base, m->path);
        if (!cJSON_IsNumber(b)) continue;
        char ci_path[300];
        snprintf(ci_path, sizeof ci_path, "ci95.%s", m->path);
        const cJSON *bci = at_path(base, ci_path);
        double bhalf = 0;
        if (cJSON_IsArray(bci) && cJSON_GetArraySize(bci) == 2 && cJSON_IsNumber(cJSON_GetArrayItem(bci, 0)))
            bhalf = (cJSON_GetArrayItem(bci, 1)->valuedouble - cJSON_GetArrayItem(bci, 0)->valuedouble) / 2;
        struct sim__check *c = &checks[n++];
        c->metric = m;
        c->base = b->valuedouble;
        c->diff = m->ci.mean - c->base;
        /* Welch: the difference's interval from both standard errors. */
        double sa = standard_error(m->ci.half, m->ci.n), sb = standard_error(bhalf, nbase);
        double se = sqrt(sa * sa + sb * sb);
        if (se > 0) {
            double va = sa * sa, vb = sb * sb;
            double df = (va + vb) * (va + vb) /
                        ((m->ci.n > 1 ? va * va / (m->ci.n - 1) : 0) + (nbase > 1 ? vb * vb / (nbase - 1) : 0));
            c->half = gsl_cdf_tdist_Pinv(0.975, df > 1 ? df : 1) * se;
        }
        c->significant = fabs(c->diff) > c->half;
        c->beyond = fabs(c->diff) > tol * fabs(c->base);
        struct sim_interval d = {c->diff, c->diff - c->half, c->diff + c->half, c->half, 2};
        c->verdict = c->significant ? sim__verdict_word(m->path, d) : "no significant difference";
        c->fail = c->significant && c->beyond && strcmp(c->verdict, "better");
    }
    cJSON_Delete(base);
    *out = checks;
    *nout = n;
    return true;
}

void sim__baseline_print(FILE *f, const struct options *o, const struct sim__check *c, int n)
{
    int failed = 0, changed = 0;
    for (int i = 0; i < n; i++) {
        failed += c[i].fail;
        changed += c[i].significant && c[i].beyond;
    }
    double tol = isnan(o->tolerance) ? 0.05 : o->tolerance;
    fprintf(f, "\nbaseline %s (tolerance %g%%): %d figures compared, %d changed significantly beyond "
               "the tolerance, %d of them for the worse\n", o->baseline, tol * 100, n, changed, failed);
    for (int i = 0; i < n; i++) {
        if (!(c[i].significant && c[i].beyond)) continue;
        char now[32], was[32], d[32];
        sim__format_value(c[i].metric->ci.mean, c[i].metric->unit, now, sizeof now);
        sim__format_value(c[i].base, c[i].metric->unit, was, sizeof was);
        sim__format_value(c[i].diff, c[i].metric->unit, d, sizeof d);
        fprintf(f, "  %-4s  %s: %s, was %s (%s%s, %s)\n", c[i].fail ? "FAIL" : "ok", c[i].metric->path,
                now, was, c[i].diff > 0 ? "+" : "", d, c[i].verdict);
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
                     const struct sim__verdict *v, const struct sim__check *c, int nchecks)
{
    static const char *const words[] = {"below", "above", "at_most", "at_least", "between"};
    struct sim__text t = {0};
    int failures = 0;
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
