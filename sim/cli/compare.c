/* compare.c: `archsim compare A.json B.json ...`. Every design runs with the same seed
 * and replications, so replication r of each sees the same arrivals (the streams are
 * named, common random numbers); each figure gets its per-design mean, the paired
 * difference against the first design with its 95% interval, and a verdict from the
 * direction the figure declared where it was reported (verdict.c). */
#include <math.h>

#include "cli.h"
#include "run/html.h"
#include "run/plot.h"

static const char *const default_metrics[] = {
    "requests.offered", "throughput", "goodput",     "errors.ratio", "latency.mean",
    "latency.p50",      "latency.p90", "latency.p99", "latency.p999",
};

struct design {
    const char *file;
    struct sim_loader *ld;
    struct sim__scenario sc;
    struct sim__results *res;
};

static void print_value(const struct sim__metric *m, char *buf, size_t n)
{
    char v[32], lo[32], hi[32];
    sim__format_value(m->ci.mean, m->unit, v, sizeof v);
    sim__format_value(m->ci.low, m->unit, lo, sizeof lo);
    sim__format_value(m->ci.high, m->unit, hi, sizeof hi);
    snprintf(buf, n, "%s [%s, %s]", v, lo, hi);
}

static void print_diff(struct sim_interval d, enum sim_unit unit, char *buf, size_t n)
{
    char v[32], lo[32], hi[32];
    sim__format_value(d.mean, unit, v, sizeof v);
    sim__format_value(d.low, unit, lo, sizeof lo);
    sim__format_value(d.high, unit, hi, sizeof hi);
    snprintf(buf, n, "%s%s [%s, %s]", d.mean > 0 ? "+" : "", v, lo, hi);
}

/* A CSV field: quoted (RFC 4180) when it holds a comma, a quote or a line break. */
static void csv_field(struct sim__text *t, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        sim__text_add(t, "%s", s);
        return;
    }
    sim__text_add(t, "\"");
    for (const char *c = s; *c; c++) sim__text_add(t, *c == '"' ? "\"\"" : "%c", *c);
    sim__text_add(t, "\"");
}

static const char *unit_name(enum sim_unit unit)
{
    switch (unit) {
    case SIM_UNIT_SECONDS: return "s";
    case SIM_UNIT_RATE: return "1/s";
    case SIM_UNIT_RATIO: return "ratio";
    case SIM_UNIT_COUNT: return "count";
    default: return "";
    }
}

/* --csv: one row per figure and compared design (B, C...: its letter and file), in SI
 * units: A's and its means with their 95% intervals, the paired difference (it - A) with
 * its interval, and the verdict. */
static void csv_header(struct sim__text *t)
{
    sim__text_add(t, "figure,unit,design,file,a,a.low,a.high,b,b.low,b.high,difference,"
                     "difference.low,difference.high,verdict\n");
}

static void csv_row(struct sim__text *t, const char *path, int design, const char *file,
                    const struct sim__metric *a, const struct sim__metric *b, struct sim_interval diff,
                    const char *verdict)
{
    csv_field(t, path);
    sim__text_add(t, ",%s,%c,", unit_name(a->unit), 'A' + design);
    csv_field(t, sim__input_label(file));
    sim__text_add(t, ",%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%s\n", a->ci.mean, a->ci.low,
                  a->ci.high, b->ci.mean, b->ci.low, b->ci.high, diff.mean, diff.low, diff.high, verdict);
}

static cJSON *pair(double a, double b)
{
    cJSON *p = cJSON_CreateArray();
    cJSON_AddItemToArray(p, isfinite(a) ? cJSON_CreateNumber(a) : cJSON_CreateNull());
    cJSON_AddItemToArray(p, isfinite(b) ? cJSON_CreateNumber(b) : cJSON_CreateNull());
    return p;
}

/* --html: who is compared, the way the text report says it. */
static void html_head(struct sim__html *page, const struct options *o, const struct design *d, int n)
{
    const struct sim__precision *p = &d[0].res->precision;
    sim__text_add(&page->t, "<p class=\"meta\">%d designs, %d %s replications of each, seed %llu</p>\n<ul>\n",
                  n, d[0].res->replications, o->independent ? "independent" : "paired",
                  (unsigned long long)d[0].sc.seed);
    for (int k = 0; k < n; k++) {
        sim__text_add(&page->t, "<li>%c = ", 'A' + k);
        sim__html_escape(page, sim__input_label(d[k].file));
        sim__text_add(&page->t, " (");
        sim__html_escape(page, d[k].sc.name);
        sim__text_add(&page->t, ")</li>\n");
    }
    sim__text_add(&page->t, "</ul>\n");
    if (p->target > 0 && p->decided_by) {
        sim__text_add(&page->t, "<p>precision %.4g%%: every verdict %s after %d replications (cap %d); ",
                      p->target * 100, p->met ? "decided" : "NOT decided", d[0].res->replications, p->cap);
        sim__html_escape(page, p->decided_by);
        sim__text_add(&page->t, " decided</p>\n");
    }
}

static int report(const struct options *o, struct design *d, int n, const char **paths, int npaths,
                  struct sim__html *page)
{
    int reps = d[0].res->replications, width = 16;
    for (int i = 0; i < npaths; i++)
        if ((int)strlen(paths[i]) > width) width = (int)strlen(paths[i]);
    const struct sim__metric **m = sim_alloc((size_t)n * sizeof *m);
    cJSON *root = cJSON_CreateObject();
    cJSON *designs = cJSON_AddArrayToObject(root, "designs");
    for (int k = 0; k < n; k++) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "file", sim__input_label(d[k].file));
        cJSON_AddStringToObject(e, "name", d[k].sc.name);
        cJSON_AddItemToArray(designs, e);
    }
    sim__json_add_u64(root, "seed", d[0].sc.seed); /* every digit, not a double */
    cJSON_AddNumberToObject(root, "replications", reps);
    cJSON_AddBoolToObject(root, "common_random_numbers", !o->independent);
    const struct sim__precision *p = &d[0].res->precision;
    if (p->target > 0) {
        cJSON *prec = cJSON_AddObjectToObject(root, "precision");
        cJSON_AddNumberToObject(prec, "target", p->target);
        cJSON_AddNumberToObject(prec, "max_replications", p->cap);
        cJSON_AddBoolToObject(prec, "met", p->met);
        if (p->decided_by) cJSON_AddStringToObject(prec, "decided_by", p->decided_by);
    }
    cJSON *figures = cJSON_AddObjectToObject(root, "metrics");
    FILE *out = o->text;
    fprintf(out, "archsim compare: %d designs, %d %s replications of each, seed %llu\n", n, reps,
            o->independent ? "independent" : "paired", (unsigned long long)d[0].sc.seed);
    if (p->target > 0 && p->decided_by)
        fprintf(out, "precision %.4g%%: every verdict %s after %d replications (cap %d); %s decided\n",
                p->target * 100, p->met ? "decided" : "NOT decided", reps, p->cap, p->decided_by);
    for (int k = 0; k < n; k++)
        fprintf(out, "  %c = %s (%s)\n", 'A' + k, sim__input_label(d[k].file), d[k].sc.name);
    if (page) html_head(page, o, d, n);
    struct sim__text csv = {0};
    csv_header(&csv);
    for (int k = 1; k < n; k++) {
        if (page)
            sim__text_add(&page->t, "<h2>%c against A: the paired difference %c - A and its 95%% "
                                    "interval decide the verdict</h2>\n<table>\n<tr><th>figure</th>"
                                    "<th>A</th><th>A: 95%% interval</th><th>%c</th><th>%c: 95%% interval</th>"
                                    "<th>%c - A</th><th>95%% interval</th><th>verdict</th></tr>\n",
                          'A' + k, 'A' + k, 'A' + k, 'A' + k, 'A' + k);
        char b[8], dname[8];
        snprintf(b, sizeof b, "%c", 'A' + k);
        snprintf(dname, sizeof dname, "%c - A", 'A' + k);
        fprintf(out, "\n%-*s %-34s %-34s %-34s %s\n", width, "figure", "A", b, dname, "verdict");
        for (int i = 0; i < npaths; i++) {
            for (int j = 0; j < n; j++) m[j] = sim__results_find(d[j].res, paths[i]);
            if (!m[0] || !m[k]) continue;
            struct sim_interval diff = sim__paired_difference(m[0], m[k], reps);
            const char *verdict = sim__verdict_word(m[0]->direction, diff);
            char a[128], bv[128], dd[128];
            print_value(m[0], a, sizeof a);
            print_value(m[k], bv, sizeof bv);
            print_diff(diff, m[0]->unit, dd, sizeof dd);
            fprintf(out, "%-*s %-34s %-34s %-34s %s\n", width, paths[i], a, bv, dd, verdict);
            csv_row(&csv, paths[i], k, d[k].file, m[0], m[k], diff, verdict);
            if (page) {
                char v[48], lo[48], hi[48], interval[112];
                sim__format_value(diff.mean, m[0]->unit, v, sizeof v);
                sim__format_value(diff.low, m[0]->unit, lo, sizeof lo);
                sim__format_value(diff.high, m[0]->unit, hi, sizeof hi);
                snprintf(interval, sizeof interval, "[%s, %s]", lo, hi);
                sim__text_add(&page->t, "<tr>");
                sim__html_element(page, "td", paths[i]);
                sim__html_figure_cells(page, m[0], reps);
                sim__html_figure_cells(page, m[k], reps);
                sim__text_add(&page->t, "<td class=\"num\">%s", diff.mean > 0 ? "+" : "");
                sim__html_escape(page, v);
                sim__text_add(&page->t, "</td>");
                sim__html_element(page, "td class=\"num\"", interval);
                sim__html_element(page, strcmp(verdict, "worse") ? (strcmp(verdict, "better") ? "td" : "td class=\"ok\"")
                                                                 : "td class=\"fail\"", verdict);
                sim__text_add(&page->t, "</tr>\n");
            }
            cJSON *f = cJSON_GetObjectItemCaseSensitive(figures, paths[i]);
            if (!f) {
                f = cJSON_AddObjectToObject(figures, paths[i]);
                cJSON *means = cJSON_AddArrayToObject(f, "mean");
                cJSON *cis = cJSON_AddArrayToObject(f, "ci95");
                for (int j = 0; j < n; j++) {
                    cJSON_AddItemToArray(means, m[j] ? cJSON_CreateNumber(m[j]->ci.mean) : cJSON_CreateNull());
                    cJSON_AddItemToArray(cis, m[j] ? pair(m[j]->ci.low, m[j]->ci.high) : cJSON_CreateNull());
                }
                cJSON_AddArrayToObject(f, "difference");
                cJSON_AddArrayToObject(f, "difference_ci95");
                cJSON_AddArrayToObject(f, "verdict");
            }
            cJSON_AddItemToArray(cJSON_GetObjectItem(f, "difference"), cJSON_CreateNumber(diff.mean));
            cJSON_AddItemToArray(cJSON_GetObjectItem(f, "difference_ci95"), pair(diff.low, diff.high));
            cJSON_AddItemToArray(cJSON_GetObjectItem(f, "verdict"), cJSON_CreateString(verdict));
        }
        if (page) sim__text_add(&page->t, "</table>\n");
    }
    int code = 0;
    if (o->csv) code = sim__write_text(o->csv, csv.text);
    else sim_free(csv.text);
    if (o->json && !code) code = sim__write_text(o->json, sim__json_text(root));
    cJSON_Delete(root);
    sim_free(m);
    return code;
}

/* How far the verdict on one figure is from decided: 0 when its paired difference is
 * significant, else the difference's half-width over precision x design A's mean (<= 1:
 * any difference is known to be smaller than that share, "no significant difference"
 * is then a decided verdict). */
static double undecided(const struct sim__metric *a, const struct sim__metric *b, int reps, double target)
{
    struct sim_interval diff = sim__paired_difference(a, b, reps);
    if (diff.n < 2 || diff.low > 0 || diff.high < 0 || diff.half == 0) return 0;
    struct sim__metric scale = *a;
    scale.ci.half = diff.half;
    return sim__precision_gap(&scale, target);
}

/* --precision: adds replications to every design, in batches, until each verdict is
 * decided or the cap is reached. Reads only the figures: the same bytes at any -j. */
static void precise(struct design *d, int n, const char **paths, int npaths, double target)
{
    int cap = d[0].sc.max_replications;
    for (;;) {
        int reps = d[0].res->replications;
        double gap = 0;
        const char *worst = NULL;
        for (int k = 1; k < n; k++)
            for (int i = 0; i < npaths; i++) {
                const struct sim__metric *a = sim__results_find(d[0].res, paths[i]);
                const struct sim__metric *b = sim__results_find(d[k].res, paths[i]);
                double g = a && b ? undecided(a, b, reps, target) : 0;
                if (a && b && (!worst || g > gap)) {
                    gap = g;
                    worst = a->path;
                }
            }
        if (gap <= 1 || reps >= cap) {
            d[0].res->precision = (struct sim__precision){target, cap, worst, gap * target, gap <= 1};
            return;
        }
        double want = isfinite(gap) ? ceil(reps * gap * gap) : 2.0 * reps;
        int next = want > 2.0 * reps ? 2 * reps : (int)want;
        if (next <= reps) next = reps + 1;
        if (next > cap) next = cap;
        for (int k = 0; k < n; k++) sim__run_more(d[k].ld, &d[k].sc, d[k].res, next - reps);
    }
}

/* Each design's paired difference from A per figure, in % of A's mean (what the verdicts
 * are about); a figure whose A mean is 0 has no share: '?', a gap. */
static int plot_differences(const char *dir, bool svg, struct design *d, int n, const char **paths,
                            int npaths)
{
    struct sim__text data = {0}, titles = {0}, datafile = {0};
    int reps = d[0].res->replications;
    for (int k = 1; k < n; k++) {
        sim__text_add(&titles, "%s%c=%s", k > 1 ? " " : "", 'A' + k, d[k].sc.name);
        for (int i = 0; i < npaths; i++) {
            const struct sim__metric *a = sim__results_find(d[0].res, paths[i]);
            const struct sim__metric *b = sim__results_find(d[k].res, paths[i]);
            struct sim_interval diff = a && b ? sim__paired_difference(a, b, reps) : (struct sim_interval){0};
            double base = a ? fabs(a->ci.mean) : 0;
            if (base > 0 && isfinite(diff.low) && isfinite(diff.high))
                sim__text_add(&data, "%s %.9g %.9g %.9g\n", paths[i], diff.mean / base * 100,
                              diff.low / base * 100, diff.high / base * 100);
            else
                sim__text_add(&data, "%s ? ? ?\n", paths[i]);
        }
        sim__text_add(&data, "\n\n");
    }
    sim__text_add(&datafile, "%s/compare-differences.dat", dir);
    int code = sim__write_text(datafile.text, data.text);
    if (!code) {
        struct sim__plot p = {.script = "compare-differences.gp", .dir = dir, .name = "compare-differences", .svg = svg};
        sim__plot_var(&p, "datafile", datafile.text);
        sim__plot_var(&p, "titles", titles.text);
        sim__plot_num(&p, "designs", n - 1);
        sim__plot_num(&p, "figures", npaths);
        sim__plot_run(&p);
    }
    sim_free(titles.text);
    sim_free(datafile.text);
    return code;
}

/* Bars per design for the latency figures, with their 95% intervals, then the differences. */
static int plot(const char *dir, bool svg, struct design *d, int n, const char **paths, int npaths)
{
    static const char *const figures[] = {"latency.mean", "latency.p50", "latency.p90",
                                          "latency.p99", "latency.p999"};
    if (!sim__plot_dir(dir)) return 2;
    struct sim__text data = {0}, titles = {0};
    for (int k = 0; k < n; k++) sim__text_add(&titles, "%s%s", k ? " " : "", d[k].sc.name);
    for (size_t i = 0; i < sizeof figures / sizeof *figures; i++) {
        sim__text_add(&data, "%s", figures[i] + strlen("latency."));
        for (int k = 0; k < n; k++) {
            const struct sim__metric *m = sim__results_find(d[k].res, figures[i]);
            sim__text_add(&data, " %.9g %.9g %.9g", m->ci.mean * 1e3, m->ci.low * 1e3, m->ci.high * 1e3);
        }
        sim__text_add(&data, "\n");
    }
    struct sim__text datafile = {0};
    sim__text_add(&datafile, "%s/compare-latency.dat", dir);
    int code = sim__write_text(datafile.text, data.text);
    if (!code) {
        struct sim__plot p = {.script = "compare.gp", .dir = dir, .name = "compare-latency", .svg = svg};
        sim__plot_var(&p, "datafile", datafile.text);
        sim__plot_var(&p, "titles", titles.text);
        sim__plot_num(&p, "designs", n);
        sim__plot_run(&p);
    }
    sim_free(titles.text);
    sim_free(datafile.text);
    return code ? code : plot_differences(dir, svg, d, n, paths, npaths);
}

int sim__cmd_compare(const struct options *o)
{
    int n = o->nfiles, code = 0;
    struct design *d = sim_alloc((size_t)n * sizeof *d);
    const char *paths[SIM_MAX_LIST + sizeof default_metrics / sizeof *default_metrics];
    int npaths = 0;
    for (size_t i = 0; i < sizeof default_metrics / sizeof *default_metrics; i++)
        paths[npaths++] = default_metrics[i];
    for (int i = 0; i < o->nmetrics; i++) paths[npaths++] = o->metrics[i];

    /* Every design takes the first one's seed and replications (or, with --independent,
     * a seed of its own). */
    char seed[64], reps[64];
    const char *extra[2] = {seed, reps};
    for (int k = 0; k < n && !code; k++) {
        d[k].file = o->files[k];
        if (k > 0)
            snprintf(seed, sizeof seed, "seed=%llu",
                     (unsigned long long)(d[0].sc.seed + (o->independent ? (uint64_t)k : 0)));
        d[k].ld = sim__cli_load(o, d[k].file, extra, k ? 2 : 0, NULL, &d[k].sc);
        if (!d[k].ld) {
            code = 2;
        } else if (k == 0) {
            if (!isnan(o->precision) && d[0].sc.replications < 3) d[0].sc.replications = 3; /* a pilot */
            snprintf(reps, sizeof reps, "replications=%d", d[0].sc.replications);
            if (d[0].sc.replications < 2) {
                fprintf(stderr, "archsim: compare needs 2 or more replications for an interval "
                                "on the difference (use --replications)\n");
                code = 2;
            }
        }
    }
    if (!code) {
        struct sim_loader **lds = sim_alloc((size_t)n * sizeof *lds);
        struct sim__scenario *scs = sim_alloc((size_t)n * sizeof *scs);
        struct sim__results **res = sim_alloc((size_t)n * sizeof *res);
        for (int k = 0; k < n; k++) {
            lds[k] = d[k].ld;
            scs[k] = d[k].sc;
        }
        if (sim__run_many(lds, scs, n, false, o->threads, res)) {
            for (int k = 0; k < n; k++) d[k].res = res[k];
        } else {
            for (int k = 0; k < n; k++)
                if (sim__loader_error(lds[k])) fprintf(stderr, "%s\n", sim__loader_error(lds[k]));
            code = 2;
        }
        sim_free(lds);
        sim_free(scs);
        sim_free(res);
    }
    for (int i = 0; i < o->nmetrics && !code; i++)
        if (!sim__results_find(d[0].res, o->metrics[i])) {
            const char *near = sim__figure_near(d[0].res, o->metrics[i]);
            fprintf(stderr, "archsim: --metric %s: %s reports no such figure", o->metrics[i],
                    sim__input_label(d[0].file));
            if (near) fprintf(stderr, " (did you mean '%s'?)", near);
            fprintf(stderr, "\n");
            code = 2;
        }
    if (!code && !isnan(o->precision)) precise(d, n, paths, npaths, o->precision);
    struct sim__html page = {0};
    if (!code && o->html) sim__html_begin(&page, "archsim compare");
    if (!code) code = report(o, d, n, paths, npaths, o->html ? &page : NULL);
    if (!code && o->plot) code = plot(o->plot, o->svg, d, n, paths, npaths);
    if (!code && o->html) {
        sim__text_add(&page.t, "<h2>Pictures</h2>\n");
        sim__html_draw_begin();
        if (page.dir) plot(page.dir, true, d, n, paths, npaths);
        int drawn = sim__html_picture(&page, "compare-differences");
        drawn += sim__html_picture(&page, "compare-latency");
        sim__html_draw_end(&page, drawn);
        code = sim__html_end(&page, o->html);
    }
    sim__html_end(&page, NULL);
    for (int k = 0; k < n && code != 2; k++) /* its figures describe a cut-short run */
        if (sim__unstable_warn(sim__input_label(d[k].file), d[k].res) && !code) code = 4;
    for (int k = 0; k < n; k++) {
        sim__results_destroy(d[k].res);
        sim__scenario_fini(&d[k].sc);
        sim__loader_destroy(d[k].ld);
    }
    sim_free(d);
    return code;
}
