/* sweep.c: `archsim sweep FILE --vary PATH=FROM:TO:STEP|A,B,C [--vary ...]`. A grid over
 * one or two fields; every point runs the scenario's replications, all points in one pool
 * of threads; a table with intervals, and CSV, JSON and plots of each figure against the
 * first field, a curve per value of the second. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "cli.h"
#include "run/html.h"
#include "run/plot.h"

/* A grid this large is surely a typo in FROM:TO:STEP; memory and time are linear in it. */
#define MAX_POINTS 100000

static const char *const default_metrics[] = {"latency.p99", "latency.mean", "goodput",
                                              "errors.ratio"};

struct axis {
    char *path;
    char **values; /* as --set takes them */
    int n;
};

static void axis_add(struct axis *a, const char *value)
{
    a->values = sim_realloc(a->values, (size_t)(a->n + 1) * sizeof *a->values);
    a->values[a->n++] = sim_strdup(value);
}

/* A number or a duration; *is_duration says which. */
static bool parse_scalar(const char *s, double *out, bool *is_duration)
{
    char *end;
    sim_time t;
    if (sim__parse_duration(s, &t)) {
        *out = (double)t;
        *is_duration = true;
        return true;
    }
    *out = strtod(s, &end);
    *is_duration = false;
    return end != s && !*end && isfinite(*out);
}

/* "path=from:to:step" (numbers or durations) or "path=a,b,c", of any length. */
static bool parse_vary(const char *spec, struct axis *a)
{
    const char *eq = strchr(spec, '=');
    if (!eq || eq == spec) {
        fprintf(stderr, "archsim: --vary '%s': expected PATH=FROM:TO:STEP or PATH=A,B,C\n", spec);
        return false;
    }
    a->path = sim_alloc((size_t)(eq - spec) + 1);
    memcpy(a->path, spec, (size_t)(eq - spec));
    char *buf = sim_strdup(eq + 1);
    bool ok = true;
    if (strchr(buf, ':')) {
        char *p2 = strchr(buf, ':'), *p3 = p2 ? strchr(p2 + 1, ':') : NULL;
        double from, to, step;
        bool d1, d2, d3;
        if (!p3) goto bad_range;
        *p2 = *p3 = 0;
        if (!parse_scalar(buf, &from, &d1) || !parse_scalar(p2 + 1, &to, &d2) ||
            !parse_scalar(p3 + 1, &step, &d3) || d1 != d2 || d2 != d3 || !(step > 0) || to < from)
            goto bad_range;
        if ((to - from) / step >= MAX_POINTS) {
            fprintf(stderr, "archsim: --vary '%s': more than %d values\n", spec, MAX_POINTS);
            ok = false;
            goto out;
        }
        for (int i = 0;; i++) {
            double x = from + i * step;
            if (x > to + step * 1e-9 || a->n >= MAX_POINTS) break;
            char text[64]; /* a number or a duration: %.12g or sim__format_duration fits */
            if (d1) sim__format_duration((sim_time)llround(x), text, sizeof text);
            else snprintf(text, sizeof text, "%.12g", x);
            axis_add(a, text);
        }
        goto out;
    bad_range:
        fprintf(stderr, "archsim: --vary '%s': expected FROM:TO:STEP, numbers or durations of one "
                        "kind, FROM <= TO and STEP > 0\n", spec);
        ok = false;
        goto out;
    }
    /* a list: every value taken as written, an empty one refused */
    for (char *tok = buf;;) {
        char *comma = strchr(tok, ',');
        if (comma) *comma = 0;
        if (!*tok) {
            fprintf(stderr, "archsim: --vary '%.60s%s': value %d is empty\n", spec,
                    strlen(spec) > 60 ? "..." : "", a->n + 1);
            ok = false;
            break;
        }
        if (a->n >= MAX_POINTS) {
            fprintf(stderr, "archsim: --vary: more than %d values\n", MAX_POINTS);
            ok = false;
            break;
        }
        axis_add(a, tok);
        if (!comma) break;
        tok = comma + 1;
    }
out:
    sim_free(buf);
    return ok;
}

static void axis_fini(struct axis *a)
{
    sim_free(a->path);
    for (int i = 0; i < a->n; i++) sim_free(a->values[i]);
    sim_free(a->values);
}

struct sweep {
    struct axis axes[2];
    int naxes, npoints;
    const char **metrics;
    int nmetrics;
    struct sim_loader **lds;
    struct sim__scenario *scs;
    struct sim__results **res;
};

static int value_index(const struct sweep *s, int point, int axis)
{
    return axis == 0 ? point % s->axes[0].n : point / s->axes[0].n;
}

static void print_table(FILE *out, const struct sweep *s, const char *file)
{
    fprintf(out, "archsim sweep: %s, %d point%s, %d replication%s each, seed %llu\n", file,
            s->npoints, s->npoints == 1 ? "" : "s", s->scs[0].replications,
            s->scs[0].replications == 1 ? "" : "s", (unsigned long long)s->scs[0].seed);
    for (int a = 0; a < s->naxes; a++) fprintf(out, "%-24s ", s->axes[a].path);
    for (int m = 0; m < s->nmetrics; m++) fprintf(out, "%-34s ", s->metrics[m]);
    fprintf(out, "\n");
    for (int p = 0; p < s->npoints; p++) {
        for (int a = 0; a < s->naxes; a++)
            fprintf(out, "%-24s ", s->axes[a].values[value_index(s, p, a)]);
        for (int m = 0; m < s->nmetrics; m++) {
            const struct sim__metric *x = sim__results_find(s->res[p], s->metrics[m]);
            char v[32], lo[32], hi[32], cell[128];
            sim__format_value(x->ci.mean, x->unit, v, sizeof v);
            sim__format_value(x->ci.low, x->unit, lo, sizeof lo);
            sim__format_value(x->ci.high, x->unit, hi, sizeof hi);
            if (x->ci.n >= 2) snprintf(cell, sizeof cell, "%s [%s, %s]", v, lo, hi);
            else snprintf(cell, sizeof cell, "%s", v);
            fprintf(out, "%-34s ", cell);
        }
        fprintf(out, "\n");
    }
}

/* CSV: the fields' values, then each figure's mean, low and high, in SI units. */
static char *csv_text(const struct sweep *s)
{
    struct sim__text t = {0};
    for (int a = 0; a < s->naxes; a++) sim__text_add(&t, "%s%s", a ? "," : "", s->axes[a].path);
    for (int m = 0; m < s->nmetrics; m++)
        sim__text_add(&t, ",%s,%s.low,%s.high", s->metrics[m], s->metrics[m], s->metrics[m]);
    sim__text_add(&t, "\n");
    for (int p = 0; p < s->npoints; p++) {
        for (int a = 0; a < s->naxes; a++)
            sim__text_add(&t, "%s%s", a ? "," : "", s->axes[a].values[value_index(s, p, a)]);
        for (int m = 0; m < s->nmetrics; m++) {
            const struct sim__metric *x = sim__results_find(s->res[p], s->metrics[m]);
            sim__text_add(&t, ",%.9g,%.9g,%.9g", x->ci.mean, x->ci.low, x->ci.high);
        }
        sim__text_add(&t, "\n");
    }
    return t.text;
}

static char *json_text(const struct sweep *s, const char *file)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "scenario", file);
    sim__json_add_u64(root, "seed", s->scs[0].seed); /* every digit, not a double */
    cJSON_AddNumberToObject(root, "replications", s->scs[0].replications);
    cJSON *vary = cJSON_AddArrayToObject(root, "vary");
    for (int a = 0; a < s->naxes; a++) cJSON_AddItemToArray(vary, cJSON_CreateString(s->axes[a].path));
    cJSON *points = cJSON_AddArrayToObject(root, "points");
    for (int p = 0; p < s->npoints; p++) {
        cJSON *pt = cJSON_CreateObject();
        cJSON *values = cJSON_AddObjectToObject(pt, "values");
        for (int a = 0; a < s->naxes; a++)
            cJSON_AddStringToObject(values, s->axes[a].path, s->axes[a].values[value_index(s, p, a)]);
        cJSON *figures = cJSON_AddObjectToObject(pt, "metrics");
        for (int m = 0; m < s->nmetrics; m++) {
            const struct sim__metric *x = sim__results_find(s->res[p], s->metrics[m]);
            cJSON *f = cJSON_AddObjectToObject(figures, s->metrics[m]);
            cJSON_AddNumberToObject(f, "mean", x->ci.mean);
            cJSON *ci = cJSON_AddArrayToObject(f, "ci95");
            cJSON_AddItemToArray(ci, cJSON_CreateNumber(x->ci.low));
            cJSON_AddItemToArray(ci, cJSON_CreateNumber(x->ci.high));
        }
        cJSON_AddItemToArray(points, pt);
    }
    char *text = sim__json_text(root);
    cJSON_Delete(root);
    return text;
}

/* The first field's values as the x axis: numbers as they are, durations in seconds (with
 * "(s)" for the label), anything else (a list of names) as categories. */
static const char *x_axis(const struct axis *a, double *x, bool *categorical)
{
    bool durations = false;
    *categorical = false;
    for (int i = 0; i < a->n; i++) {
        char *end;
        sim_time t;
        x[i] = strtod(a->values[i], &end);
        if (end != a->values[i] && !*end && isfinite(x[i])) continue;
        if (sim__parse_duration(a->values[i], &t)) {
            x[i] = (double)t / SIM_S;
            durations = true;
        } else {
            *categorical = true;
        }
    }
    double most = 0;
    for (int i = 0; i < a->n; i++) most = fmax(most, fabs(x[i]));
    if (*categorical || !durations) return "";
    if (most >= 1) return " (s)";
    for (int i = 0; i < a->n; i++) x[i] *= 1e3;
    return " (ms)";
}

/* The scenario's expectations on a figure, as a line on its picture: the value in the
 * picture's unit and a title ("expect below 50ms"); false when it has none. */
static bool slo_line(const struct sim__scenario *sc, const char *metric, enum sim_unit unit,
                     double scale, double *value, struct sim__text *title)
{
    static const char *const words[] = {"below", "above", "at most", "at least", "between"};
    for (int e = 0; e < sc->nexpect; e++) {
        const struct sim__expect *x = &sc->expect[e];
        if (strcmp(x->metric, metric)) continue;
        char a[48], b[48];
        sim__format_value(x->a, unit, a, sizeof a);
        sim__format_value(x->b, unit, b, sizeof b);
        *value = (x->op == EXPECT_BETWEEN ? x->b : x->a) * scale;
        sim__text_add(title, "expect %s %s%s%s", words[x->op], a, x->op == EXPECT_BETWEEN ? " and " : "",
                      x->op == EXPECT_BETWEEN ? b : "");
        return true;
    }
    return false;
}

/* One picture per figure: the figure against the first field, a curve per value of the
 * second, with interval bars, and the scenario's expectation on it as a line. */
static int plot(const struct sweep *s, const char *dir, bool svg)
{
    double *x = sim_alloc((size_t)s->axes[0].n * sizeof *x);
    bool categorical;
    const char *xunit = x_axis(&s->axes[0], x, &categorical);
    for (int m = 0; m < s->nmetrics; m++) {
        const struct sim__metric *x0 = sim__results_find(s->res[0], s->metrics[m]);
        double scale;
        const char *unit = sim__plot_unit(x0->unit, &scale);
        struct sim__text data = {0};
        int curves = s->naxes > 1 ? s->axes[1].n : 1;
        struct sim__text titles = {0};
        for (int c = 0; c < curves; c++) {
            if (s->naxes > 1) sim__text_add(&titles, "%s%s=%s", c ? " " : "", s->axes[1].path, s->axes[1].values[c]);
            else sim__text_add(&titles, "%s", s->metrics[m]);
            for (int i = 0; i < s->axes[0].n; i++) {
                const struct sim__metric *f = sim__results_find(s->res[c * s->axes[0].n + i], s->metrics[m]);
                sim__text_add(&data, "%.12g %.9g %.9g %.9g %s\n", categorical ? i : x[i], f->ci.mean * scale,
                              f->ci.low * scale, f->ci.high * scale, s->axes[0].values[i]);
            }
            sim__text_add(&data, "\n\n");
        }
        struct sim__text name = {0}, datafile = {0}, title = {0}, ylabel = {0}, xlabel = {0}, slo_title = {0};
        double slo = 0;
        bool has_slo = slo_line(&s->scs[0], s->metrics[m], x0->unit, scale, &slo, &slo_title);
        sim__text_add(&xlabel, "%s%s", s->axes[0].path, xunit);
        sim__text_add(&name, "sweep-%s", s->metrics[m]);
        sim__text_add(&datafile, "%s/%s.dat", dir, name.text);
        sim__text_add(&title, "%s against %s", s->metrics[m], s->axes[0].path);
        sim__text_add(&ylabel, "%s%s", s->metrics[m], unit);
        bool ok = sim__write_file(datafile.text, data.text);
        if (!ok) {
            fprintf(stderr, "archsim: cannot write %s: %s\n", datafile.text, strerror(errno));
        } else {
            struct sim__plot p = {.script = "sweep.gp", .dir = dir, .name = name.text, .svg = svg};
            sim__plot_var(&p, "datafile", datafile.text);
            sim__plot_var(&p, "plottitle", title.text);
            sim__plot_var(&p, "xlabel", xlabel.text);
            sim__plot_num(&p, "categorical", categorical);
            sim__plot_var(&p, "slotitle", has_slo ? slo_title.text : "");
            sim__plot_num(&p, "slo", slo);
            sim__plot_var(&p, "ylabel", ylabel.text);
            sim__plot_var(&p, "titles", titles.text);
            sim__plot_num(&p, "curves", curves);
            sim__plot_run(&p);
        }
        sim_free(name.text);
        sim_free(datafile.text);
        sim_free(title.text);
        sim_free(ylabel.text);
        sim_free(xlabel.text);
        sim_free(slo_title.text);
        sim_free(data.text);
        sim_free(titles.text);
        if (!ok) {
            sim_free(x);
            return 2;
        }
    }
    sim_free(x);
    return 0;
}

/* --html: the table of print_table, then each figure's picture. */
static int html_page(const struct sweep *s, const char *file, const char *path)
{
    struct sim__html page;
    sim__html_begin(&page, "archsim sweep");
    sim__text_add(&page.t, "<p class=\"meta\">");
    sim__html_escape(&page, file);
    sim__text_add(&page.t, ": %d point%s, %d replication%s each, seed %llu</p>\n<table>\n<tr>",
                  s->npoints, s->npoints == 1 ? "" : "s", s->scs[0].replications,
                  s->scs[0].replications == 1 ? "" : "s", (unsigned long long)s->scs[0].seed);
    for (int a = 0; a < s->naxes; a++) sim__html_element(&page, "th", s->axes[a].path);
    for (int m = 0; m < s->nmetrics; m++) {
        sim__html_element(&page, "th", s->metrics[m]);
        sim__html_element(&page, "th", "95% interval");
    }
    sim__text_add(&page.t, "</tr>\n");
    for (int p = 0; p < s->npoints; p++) {
        sim__text_add(&page.t, "<tr>");
        for (int a = 0; a < s->naxes; a++) sim__html_element(&page, "td", s->axes[a].values[value_index(s, p, a)]);
        for (int m = 0; m < s->nmetrics; m++)
            sim__html_figure_cells(&page, sim__results_find(s->res[p], s->metrics[m]), s->res[p]->replications);
        sim__text_add(&page.t, "</tr>\n");
    }
    sim__text_add(&page.t, "</table>\n<h2>Pictures</h2>\n");
    sim__html_draw_begin();
    if (page.dir) plot(s, page.dir, true);
    int drawn = 0;
    for (int m = 0; m < s->nmetrics; m++) {
        struct sim__text name = {0};
        sim__text_add(&name, "sweep-%s", s->metrics[m]);
        drawn += sim__html_picture(&page, name.text);
        sim_free(name.text);
    }
    sim__html_draw_end(&page, drawn);
    return sim__html_end(&page, path);
}

int sim__cmd_sweep(const struct options *o)
{
    struct sweep s = {0};
    int code = 0;
    if (o->nvaries < 1 || o->nvaries > 2) return sim__cli_usage_error("sweep takes one or two --vary%s", "");
    for (int a = 0; a < o->nvaries && !code; a++)
        if (!parse_vary(o->varies[a], &s.axes[s.naxes++])) code = 2;
    if (!code) {
        s.npoints = s.axes[0].n * (s.naxes > 1 ? s.axes[1].n : 1);
        if (s.npoints > MAX_POINTS) {
            fprintf(stderr, "archsim: sweep: %d points, at most %d\n", s.npoints, MAX_POINTS);
            code = 2;
        }
    }
    if (!code) {
        s.lds = sim_alloc((size_t)s.npoints * sizeof *s.lds);
        s.scs = sim_alloc((size_t)s.npoints * sizeof *s.scs);
        s.res = sim_alloc((size_t)s.npoints * sizeof *s.res);
        for (int p = 0; p < s.npoints && !code; p++) {
            struct sim__text sets[2] = {{0}};
            const char *extra[2];
            for (int a = 0; a < s.naxes; a++) {
                sim__text_add(&sets[a], "%s=%s", s.axes[a].path, s.axes[a].values[value_index(&s, p, a)]);
                extra[a] = sets[a].text;
            }
            s.lds[p] = sim__cli_load(o, o->files[0], extra, s.naxes, "--vary", &s.scs[p]);
            for (int a = 0; a < s.naxes; a++) sim_free(sets[a].text);
            if (!s.lds[p]) code = 2;
        }
    }
    if (!code && !sim__run_many(s.lds, s.scs, s.npoints, false, o->threads, s.res)) {
        for (int p = 0; p < s.npoints; p++)
            if (sim__loader_error(s.lds[p])) {
                fprintf(stderr, "%s\n", sim__loader_error(s.lds[p]));
                break;
            }
        code = 2;
    }
    const char *metrics[SIM_MAX_LIST + 4];
    if (!code) {
        for (size_t i = 0; i < sizeof default_metrics / sizeof *default_metrics; i++)
            metrics[s.nmetrics++] = default_metrics[i];
        for (int i = 0; i < o->nmetrics; i++) metrics[s.nmetrics++] = o->metrics[i];
        s.metrics = metrics;
        for (int m = 0; m < s.nmetrics && !code; m++)
            for (int p = 0; p < s.npoints && !code; p++)
                if (!sim__results_find(s.res[p], metrics[m])) {
                    fprintf(stderr, "archsim: --metric %s: no such figure at point %d\n", metrics[m], p);
                    code = 2;
                }
    }
    if (!code) print_table(o->text, &s, sim__input_label(o->files[0]));
    if (!code && o->csv) code = sim__write_text(o->csv, csv_text(&s));
    if (!code && o->json) code = sim__write_text(o->json, json_text(&s, sim__input_label(o->files[0])));
    if (!code && o->plot) code = sim__plot_dir(o->plot) ? plot(&s, o->plot, o->svg) : 2;
    if (!code && o->html) code = html_page(&s, sim__input_label(o->files[0]), o->html);
    for (int p = 0; p < s.npoints && code != 2; p++) /* its figures describe a cut-short run */
        if (sim__unstable_warn(sim__input_label(o->files[0]), s.res[p]) && !code) code = 4;
    for (int p = 0; p < s.npoints && s.lds; p++) {
        sim__results_destroy(s.res[p]);
        sim__scenario_fini(&s.scs[p]);
        sim__loader_destroy(s.lds[p]);
    }
    sim_free(s.lds);
    sim_free(s.scs);
    sim_free(s.res);
    for (int a = 0; a < s.naxes; a++) axis_fini(&s.axes[a]);
    return code;
}
