/* html.c: the --html page (see html.h). The markup is XHTML-compatible HTML5 (every
 * element closed, attributes quoted), so an XML parser can check it; the style is inline
 * and the pictures are gnuplot's SVG, their ids prefixed per picture. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <unistd.h>

#include "html.h"
#include "plot.h"

static const char style[] =
    "body{font-family:sans-serif;max-width:1000px;margin:1em auto;padding:0 1em;color:#202124}"
    "h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #ddd}"
    "h3{font-size:1em}table{border-collapse:collapse;margin:.4em 0}"
    "td,th{padding:.15em .7em;border-bottom:1px solid #eee;text-align:left}"
    "td.num{text-align:right;font-variant-numeric:tabular-nums}"
    ".ok{color:#188038;font-weight:bold}.fail{color:#c5221f;font-weight:bold}"
    ".missing{color:#b06000}pre{background:#f6f6f6;padding:.6em;white-space:pre-wrap}"
    "figure{margin:1em 0}figure svg{width:100%;height:auto}.meta{color:#555}";

void sim__html_escape(struct sim__html *h, const char *text)
{
    for (const char *c = text ? text : ""; *c; c++) {
        switch (*c) {
        case '&': sim__text_add(&h->t, "&amp;"); break;
        case '<': sim__text_add(&h->t, "&lt;"); break;
        case '>': sim__text_add(&h->t, "&gt;"); break;
        case '"': sim__text_add(&h->t, "&quot;"); break;
        case '\'': sim__text_add(&h->t, "&#39;"); break;
        default:
            if ((unsigned char)*c < 0x20 && *c != '\n' && *c != '\t') sim__text_add(&h->t, "?");
            else sim__text_add(&h->t, "%c", *c);
        }
    }
}

void sim__html_element(struct sim__html *h, const char *tag, const char *text)
{
    sim__text_add(&h->t, "<%s>", tag);
    sim__html_escape(h, text);
    const char *space = strchr(tag, ' ');
    sim__text_add(&h->t, "</%.*s>", space ? (int)(space - tag) : (int)strlen(tag), tag);
}

void sim__html_begin(struct sim__html *h, const char *title)
{
    *h = (struct sim__html){0};
    const char *tmp = getenv("TMPDIR");
    struct sim__text dir = {0};
    sim__text_add(&dir, "%s/archsim-html-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(dir.text)) {
        h->dir = dir.text;
    } else {
        fprintf(stderr, "archsim: --html: cannot make a folder for the pictures (%s): %s; the "
                        "page is written without them\n", dir.text, strerror(errno));
        sim_free(dir.text);
    }
    sim__text_add(&h->t, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
                         "<meta name=\"generator\" content=\"archsim %s\"/>\n", SIM_VERSION);
    sim__html_element(h, "title", title);
    sim__text_add(&h->t, "\n<style>%s</style>\n</head>\n<body>\n", style);
    sim__html_element(h, "h1", title);
    sim__text_add(&h->t, "\n");
}

void sim__html_figure_cells(struct sim__html *h, const struct sim__metric *m, int reps)
{
    char v[48], lo[48], hi[48], interval[112] = "";
    sim__format_value(m->ci.mean, m->unit, v, sizeof v);
    if (reps >= 2 && !isnan(m->ci.mean)) {
        sim__format_value(m->ci.low, m->unit, lo, sizeof lo);
        sim__format_value(m->ci.high, m->unit, hi, sizeof hi);
        snprintf(interval, sizeof interval, "[%s, %s]", lo, hi);
    }
    sim__html_element(h, "td class=\"num\"", v);
    sim__html_element(h, "td class=\"num\"", interval);
}

/* The whole file in memory, or NULL. */
static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *text = sim__text_read(f, NULL);
    fclose(f);
    return text;
}

/* Copies gnuplot's <svg> element, its ids and the references to them prefixed with pN-
 * so that several pictures on one page do not share an id. */
static void inline_svg(struct sim__html *h, const char *svg)
{
    static const char *const refs[] = {" id=\"", " id='", "href=\"#", "href='#", "url(#"};
    int n = ++h->pictures;
    for (const char *c = svg; *c;) {
        size_t k = 0, len = 0;
        for (; k < sizeof refs / sizeof *refs; k++)
            if (!strncmp(c, refs[k], len = strlen(refs[k]))) break;
        if (k < sizeof refs / sizeof *refs) {
            sim__text_add(&h->t, "%sp%d-", refs[k], n);
            c += len;
            continue;
        }
        const char *next = c + 1;
        while (*next && *next != ' ' && *next != 'h' && *next != 'u') next++;
        sim__text_add(&h->t, "%.*s", (int)(next - c), c);
        c = next;
    }
}

bool sim__html_picture(struct sim__html *h, const char *name)
{
    struct sim__text path = {0};
    sim__text_add(&path, "%s/%s.svg", h->dir ? h->dir : "", name);
    char *svg = h->dir ? read_all(path.text) : NULL;
    const char *start = svg ? strstr(svg, "<svg") : NULL;
    if (start) {
        sim__text_add(&h->t, "<figure>\n");
        inline_svg(h, start);
        sim__text_add(&h->t, "</figure>\n");
    }
    if (h->dir) unlink(path.text);
    sim_free(svg);
    sim_free(path.text);
    return start != NULL;
}

void sim__html_draw_begin(void)
{
    sim__plot_announce(false);
}

void sim__html_draw_end(struct sim__html *h, int drawn)
{
    sim__plot_announce(true);
    if (!drawn)
        sim__text_add(&h->t, "<p class=\"missing\">The pictures are missing: gnuplot is not "
                             "installed (Debian: gnuplot-nox) or could not draw them (archsim said "
                             "why on stderr).</p>\n");
}

/* Removes the pictures' folder and whatever the plots left in it (data files). */
static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        struct sim__text path = {0};
        sim__text_add(&path, "%s/%s", dir, e->d_name);
        unlink(path.text);
        sim_free(path.text);
    }
    if (d) closedir(d);
    rmdir(dir);
}

int sim__html_end(struct sim__html *h, const char *path)
{
    int code = 0;
    if (path) {
        sim__text_add(&h->t, "<p class=\"meta\">written by archsim %s; this page needs no network "
                             "and no script</p>\n</body>\n</html>\n", SIM_VERSION);
        code = sim__write_text(path, h->t.text);
        if (!code && strcmp(path, "-")) fprintf(stderr, "archsim: wrote %s\n", path);
    } else {
        sim_free(h->t.text);
    }
    if (h->dir) remove_dir(h->dir);
    sim_free(h->dir);
    *h = (struct sim__html){0};
    return code;
}

/* ---- the run and drill page ---- */

/* A section's figures as rows (label, mean, interval), hidden ones left out. */
static void section_rows(struct sim__html *h, const struct sim__results *res,
                         const struct sim__sections *s, const char *prefix)
{
    size_t from, to, plen = strlen(prefix);
    sim__sections_find(s, prefix, &from, &to);
    sim__text_add(&h->t, "<table>\n");
    for (size_t j = from; j < to; j++) {
        const struct sim__metric *m = &res->metrics[s->order[j]];
        if (sim__figure_hidden(m, res->replications)) continue;
        sim__text_add(&h->t, "<tr>");
        sim__html_element(h, "td", m->path + plen);
        sim__html_figure_cells(h, m, res->replications);
        sim__text_add(&h->t, "</tr>\n");
    }
    sim__text_add(&h->t, "</table>\n");
}

static void expectations(struct sim__html *h, const struct sim__scenario *sc,
                         const struct sim__results *res, const struct sim__verdict *verdicts)
{
    if (!sc->nexpect) return;
    int failed = 0;
    for (int i = 0; i < sc->nexpect; i++) failed += !verdicts[i].pass;
    sim__text_add(&h->t, "<h2>Expectations: <span class=\"%s\">%d of %d hold</span></h2>\n<table>\n"
                         "<tr><th>verdict</th><th>figure</th><th>clause</th><th>value</th></tr>\n",
                  failed ? "fail" : "ok", sc->nexpect - failed, sc->nexpect);
    static const char *const words[] = {"below", "above", "at most", "at least", "between"};
    for (int i = 0; i < sc->nexpect; i++) {
        const struct sim__verdict *v = &verdicts[i];
        const struct sim__metric *m = sim__results_find(res, v->e->metric);
        enum sim_unit unit = m ? m->unit : SIM_UNIT_NUMBER;
        char value[48], limit[48], upper[48], clause[160];
        sim__format_value(v->value, unit, value, sizeof value);
        sim__format_value(v->e->a, unit, limit, sizeof limit);
        sim__format_value(v->e->b, unit, upper, sizeof upper);
        snprintf(clause, sizeof clause, "%s %s%s%s", words[v->e->op], limit,
                 v->e->op == EXPECT_BETWEEN ? " and " : "", v->e->op == EXPECT_BETWEEN ? upper : "");
        sim__text_add(&h->t, "<tr><td class=\"%s\">%s</td>", v->pass ? "ok" : "fail", v->pass ? "ok" : "FAIL");
        sim__html_element(h, "td", v->e->metric);
        sim__html_element(h, "td", clause);
        sim__html_element(h, "td class=\"num\"", value);
        sim__text_add(&h->t, "</tr>\n");
    }
    sim__text_add(&h->t, "</table>\n");
}

/* The drill's story as the text report tells it, preformatted. */
static void story(struct sim__html *h, const char *file, const struct sim__scenario *sc,
                  const struct sim__results *res)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) sim__out_of_memory();
    sim__story_print(f, file, sc, res);
    fclose(f);
    sim__text_add(&h->t, "<h2>The drill&#39;s story</h2>\n");
    sim__html_element(h, "pre", text);
    sim__text_add(&h->t, "\n");
    free(text); /* open_memstream's, not ours */
}

void sim__html_run(struct sim__html *h, const char *file, struct sim_loader *ld,
                   const struct sim__scenario *sc, const struct sim__results *res,
                   const struct sim__verdict *verdicts, bool drill)
{
    char dur[32], warm[32];
    sim__format_duration(sc->duration, dur, sizeof dur);
    sim__format_duration(sc->warmup, warm, sizeof warm);
    sim__text_add(&h->t, "<p class=\"meta\">");
    sim__html_escape(h, file);
    sim__text_add(&h->t, ": seed %llu, %d replication%s of %s, the first %s deleted as warm-up</p>\n",
                  (unsigned long long)sc->seed, res->replications, res->replications == 1 ? "" : "s",
                  dur, warm);
    if (sc->description[0]) sim__html_element(h, "p", sc->description);
    if (res->workload_description) {
        sim__text_add(&h->t, "<p>workload: ");
        sim__html_escape(h, res->workload_description);
        sim__text_add(&h->t, "</p>\n");
    }
    const struct sim__precision *p = &res->precision;
    if (p->target > 0 && p->decided_by) {
        char line[512];
        snprintf(line, sizeof line, "precision %.4g%%: %s after %d replications (cap %d); %s "
                 "decided, its 95%% interval within %.3g%% of its mean", p->target * 100,
                 p->met ? "met" : "NOT met", res->replications, p->cap, p->decided_by, p->achieved * 100);
        sim__html_element(h, "p", line);
    }
    if (res->unstable.on) {
        sim__text_add(&h->t, "<p class=\"fail\">unstable: ");
        sim__html_escape(h, res->unstable.message);
        sim__text_add(&h->t, "</p>\n");
    }
    expectations(h, sc, res, verdicts);
    if (drill) story(h, file, sc, res);
    sim__text_add(&h->t, "<h2>Headline</h2>\n<table>\n<tr><th>figure</th><th>mean</th><th>%s</th></tr>\n",
                  res->replications > 1 ? "95% interval (Student t, across replications)" : "");
    for (size_t i = 0; i < res->n; i++) {
        const struct sim__metric *m = &res->metrics[i];
        if (sim__has_section(m->path)) continue;
        sim__text_add(&h->t, "<tr>");
        sim__html_element(h, "td", m->path);
        sim__html_figure_cells(h, m, res->replications);
        sim__text_add(&h->t, "</tr>\n");
    }
    sim__text_add(&h->t, "</table>\n");
    struct sim__sections secs;
    sim__sections_build(&secs, res);
    if (sim__results_find(res, "slo.outage")) {
        sim__text_add(&h->t, "<h2>Availability objective (over a sliding window)</h2>\n");
        section_rows(h, res, &secs, "slo.");
    }
    for (int k = 0; k < res->nfaults; k++) {
        char prefix[32];
        snprintf(prefix, sizeof prefix, "faults.%d.", k);
        sim__text_add(&h->t, "<h2>Fault %d: ", k);
        sim__html_escape(h, res->faults[k]);
        sim__text_add(&h->t, "</h2>\n");
        section_rows(h, res, &secs, prefix);
    }
    sim__text_add(&h->t, "<h2>Pictures (replication 0; latency distribution: all)</h2>\n");
    sim__html_draw_begin();
    if (h->dir && res->timeline) sim__plot_run_pictures(h->dir, ld, sc, res, true);
    static const char *const pictures[] = {"latency-timeline", "throughput-timeline",
                                           "queues-timeline", "latency-cdf", "availability-timeline"};
    int drawn = 0;
    for (size_t i = 0; i < sizeof pictures / sizeof *pictures; i++) drawn += sim__html_picture(h, pictures[i]);
    sim__html_draw_end(h, drawn);
    sim__text_add(&h->t, "<h2>Nodes</h2>\n<p class=\"meta\">a node&#39;s counts and ratios that are zero "
                         "in every replication are not shown; --json has every figure</p>\n");
    for (int k = 0; k < res->nnodes; k++) {
        const struct sim__node_info *node = &res->nodes[k];
        struct sim__text prefix = {0};
        sim__text_add(&prefix, "nodes.%s.", node->name);
        sim__text_add(&h->t, "<h3>");
        sim__html_escape(h, node->name);
        sim__text_add(&h->t, " (");
        sim__html_escape(h, node->type);
        sim__text_add(&h->t, ")</h3>\n");
        if (node->description && *node->description) sim__html_element(h, "p", node->description);
        sim__text_add(&h->t, "\n");
        section_rows(h, res, &secs, prefix.text);
        sim_free(prefix.text);
    }
    sim__sections_fini(&secs);
}
