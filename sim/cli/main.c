/* main.c: the command line. Exit codes: 0 every expectation holds, 1 an expectation
 * failed, 2 bad input or usage, 3 internal error, 4 unstable (the memory budget ran out). */
#include <errno.h>
#include <gsl/gsl_errno.h>
#include <stdlib.h>

#include <math.h>

#include "cli.h"
#include "run/warmup.h"
#include "estimate.h"
#include "run/output.h"
#include "help.h"
#include "run/plot.h"
#include "run/html.h"

static const char usage[] =
    "usage: archsim run FILE [options]        simulate a scenario and report\n"
    "       archsim check FILE [--set ...]     validate a scenario and summarise the design\n"
    "       archsim compare A.json B.json...   paired comparison of designs (common random\n"
    "                                          numbers), with a verdict per figure\n"
    "       archsim sweep FILE --vary PATH=FROM:TO:STEP|A,B,C [--vary ...]\n"
    "                                          a grid over one or two fields, a table of\n"
    "                                          figures with intervals, CSV, JSON, plots\n"
    "       archsim limit FILE --vary PATH --slo 'METRIC<VALUE'...\n"
    "                                          the highest load that meets every SLO, and\n"
    "                                          the node that saturates first\n"
    "       archsim limit FILE --minimise PATH --slo ...\n"
    "                                          the least capacity that meets every SLO\n"
    "       archsim theory FILE                closed-form predictions beside the simulated\n"
    "                                          figures, and a capacity estimate\n"
    "       archsim drill FILE [options]       run, and first tell the faults' story in time\n"
    "                                          order: failed, detected, acted, recovered, lost\n"
    "       archsim estimate [FILE.json] [--dau N --requests-per-user N | --qps N | --peak-qps N]\n"
    "                [--peak-factor F] [--read-share S | --read-write R:W] [--writes-per-day N]\n"
    "                [--record-size SIZE] [--response-size SIZE] [--retention PERIOD]\n"
    "                [--replication N] [--server-qps N] [--headroom F] [--service-time D]\n"
    "                [--json FILE] [--scenario FILE] [--quiet]\n"
    "                                          the guide's back-of-the-envelope figures: QPS,\n"
    "                                          storage, bandwidth, servers; --scenario writes a\n"
    "                                          runnable scenario sized from them\n"
    "       archsim fields FILE [--paths]      the fields the loader accepts at each object\n"
    "                                          of FILE, as JSON (the schema's source)\n"
    "       archsim help COMMAND | COMMAND --help   a command's options and examples\n"
    "       archsim --help | --version | --man\n"
    "\n"
    "options:\n"
    "  --seed N             the scenario seed, 0 to 2^64-1 exactly (same seed, same bytes)\n"
    "  --replications R     independent replications; figures get 95% intervals when R >= 2\n"
    "  --duration D         simulated time per replication, e.g. 120s\n"
    "  --max-memory SIZE    the memory the replications running at once may hold together\n"
    "                       for calls in flight and queued, e.g. 512MB, 4GiB (default: a\n"
    "                       quarter of physical memory, at most 2GiB; scenario field\n"
    "                       max_memory). A replication that outgrows it stops: the run is\n"
    "                       unstable (exit 4)\n"
    "  --warmup D|auto      time deleted before measuring; auto runs replication 0 once and\n"
    "                       takes the end of its transient found by MSER (run warns when the\n"
    "                       declared warm-up is shorter than that)\n"
    "  --set PATH=VALUE     change any field, e.g. --set nodes.app.instances=6 (repeatable)\n"
    "  --fault SPEC         inject a fault: TARGET:KIND@AT[+FOR], e.g. db.primary:crash@40s+60s,\n"
    "                       app.1:slow*5@30s+20s, api:error=10%@10s+5s, a|b:partition@20s\n"
    "                       (repeatable; see docs/faults.md)\n"
    "  --json FILE          write the report as JSON (SI units, ci95 tree beside the means)\n"
    "                       ('-': stdout, instead of the text report; so for every output)\n"
    "  --timeline FILE.csv  run: write per-interval series of the first replication, row by\n"
    "                       row as the run goes on\n"
    "  --timing             run: add wall-clock figures to the JSON (not reproducible)\n"
    "  --metric PATH        compare, sweep: add a figure to the table; run: check it too\n"
    "                       against --baseline (repeatable; an unknown figure is exit 2)\n"
    "  --baseline FILE      run: compare with a stored --json report ('-': stdin): the\n"
    "                       expectations, latency mean/p50/p99, errors.ratio, goodput, each\n"
    "                       node's utilisation and each --metric. Exit 1 when one got worse (by the\n"
    "                       direction its model declares), significantly (paired when the\n"
    "                       seeds match, else Welch; 95% over the whole check) and beyond\n"
    "                       --tolerance; a neutral figure (utilisation) is only 'changed'\n"
    "  --tolerance T        run: the change --baseline tolerates: 5% or 0.05 (default 5%)\n"
    "  --junit FILE         run: write expectations and baseline checks as JUnit XML\n"
    "  --independent        compare: give each design its own seed instead of common\n"
    "                       random numbers (to see what they buy)\n"
    "  --vary SPEC          sweep: PATH=FROM:TO:STEP (numbers or durations) or PATH=A,B,C\n"
    "  --csv FILE           sweep: write the table as CSV (SI units, low and high columns);\n"
    "                       compare: a row per figure: means, paired difference, verdict\n"
    "  --plot DIR           run, compare, sweep: write pictures (PNG) with gnuplot into DIR\n"
    "  --svg                pictures as SVG instead of PNG\n"
    "  --html FILE          run, compare, sweep, drill: write one self-contained page (tables,\n"
    "                       verdicts, SVG pictures inline; no script, no network)\n"
    "  --slo 'M<V'          limit: an objective, e.g. 'latency.p99 < 200ms', 'errors.ratio<1%'\n"
    "                       (<, <=, >, >=); a duration needs its unit. Met when its 95%\n"
    "                       interval meets it; uncertain (straddling) values rerun with 2x,\n"
    "                       then 4x the replications, then the mean decides; a percentile q\n"
    "                       measured on fewer than 10/(1-q) requests per replication (p99:\n"
    "                       1000) is not measured, never met; an unstable value misses.\n"
    "                       Bracketing stops at 1024x the scenario's value (\"no limit found\n"
    "                       below X\") or the field's range. See docs/limit.md\n"
    "  --precision P        run, drill: add replications (in parallel batches, up to the\n"
    "                       scenario's max_replications, default 100) until the 95% interval\n"
    "                       of every headline figure, or of each --metric, is within P of\n"
    "                       its mean (2% or 0.02); the report names the figure that decided.\n"
    "                       compare: add replications until each verdict is decided.\n"
    "                       limit: stop bisecting within P of the limit (default 1%)\n"
    "  -j N                 run replications on N threads (default: every core); the\n"
    "                       figures do not depend on N\n"
    "  --quiet              nothing on stdout, no progress: the exit code tells\n"
    "\n"
    "estimate's inputs (flags, or the same names with '_' as fields of FILE.json; flags win):\n"
    "  --dau N, --requests-per-user N   average QPS = N x N / 86,400 s (counts take K, M, B)\n"
    "  --qps N | --peak-qps N           or the average or the peak rate directly\n"
    "  --peak-factor F      peak / average (default 3)\n"
    "  --read-share S       reads / requests, 0.9 or 90%; or --read-write 10:1\n"
    "  --writes-per-day N   default: average QPS x write share x 86,400 s\n"
    "  --record-size SIZE   bytes per write: 500B, 2KB (decimal: 1 KB = 1000 B; KiB binary)\n"
    "  --response-size SIZE bytes per read answer (default --record-size)\n"
    "  --retention PERIOD   how long writes are kept: 30d, 6w, 5y (a year is 365 days)\n"
    "  --replication N      copies of each record (default 3)\n"
    "  --server-qps N       one server's capacity; --headroom F (default 1.5)\n"
    "  --service-time D     --scenario: a request's mean time on a server (default 20ms)\n"
    "\n"
    "stdin and stdout: FILE '-' is stdin (messages say <stdin>); an output '-' is stdout,\n"
    "which then carries it alone (no text report; one such output at most). Results go to\n"
    "stdout; progress, warnings, 'wrote FILE' lines and gnuplot's messages to stderr.\n"
    "\n"
    "exit codes: 0 expectations hold, 1 an expectation or a baseline check failed (limit:\n"
    "no value meets the SLOs), 2 bad input or usage, 3 internal error, 4 unstable: what\n"
    "waits outgrew --max-memory (the message names the node, its offered rate, its capacity),\n"
    "130/143 stopped by SIGINT/SIGTERM (files not yet written are left as they were).\n"
    "See README.md and docs/scenario.md.\n";

/* --seed 7 becomes --set seed=7, so every override takes one path; its errors still name
 * --seed 7. */
static void add_set(struct options *o, const char *flag, const char *field, const char *value)
{
    struct sim__text set = {0}, typed = {0};
    sim__text_add(&set, "%s=%s", field, value);
    sim__text_add(&typed, "%s %s", flag, value);
    o->set_flags[o->nsets] = typed.text;
    o->sets[o->nsets++] = set.text;
}

/* Which commands take an option: r run, c check, C compare, s sweep, l limit, t theory,
 * d drill. */
struct option_spec {
    const char *name;
    bool takes_value;
    const char *commands;
};

static const struct option_spec option_specs[] = {
    {"--seed", true, "rcCsltd"},     {"--replications", true, "rcCsltd"},
    {"--duration", true, "rcCsltd"}, {"--set", true, "rcCsltd"},
    {"--max-memory", true, "rcCsltd"},
    {"--warmup", true, "rcCsltd"},
    {"--fault", true, "rcCsltd"},    {"--json", true, "rCsltd"},
    {"--timeline", true, "rd"},      {"--timing", false, "rd"},
    {"--metric", true, "rCsd"},      {"--independent", false, "C"},
    {"-j", true, "rCsltd"},          {"--quiet", false, "rcCsltd"},
    {"--vary", true, "sl"},          {"--csv", true, "sC"},
    {"--plot", true, "rCsd"},        {"--svg", false, "rCsd"},
    {"--html", true, "rCsd"},
    {"--slo", true, "l"},            {"--minimise", true, "l"},
    {"--precision", true, "lrdC"},      {"--baseline", true, "rd"},
    {"--tolerance", true, "rd"},     {"--junit", true, "rd"},
};

static char command_letter(const char *command)
{
    static const char *const names[] = {"run", "check", "compare", "sweep", "limit", "theory",
                                        "drill"};
    static const char letters[] = "rcCsltd";
    for (int i = 0; i < 7; i++)
        if (!strcmp(names[i], command)) return letters[i];
    return 0;
}

static bool push(const char **list, int *n, const char *item)
{
    if (*n >= SIM_MAX_LIST) return false;
    list[(*n)++] = item;
    return true;
}

static int parse_args(int argc, char **argv, struct options *o)
{
    char letter = command_letter(o->command);
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || !strcmp(a, "-")) { /* "-": standard input */
            if (!push(o->files, &o->nfiles, a)) return sim__cli_usage_error("too many files%s", "");
            continue;
        }
        const struct option_spec *spec = NULL;
        for (size_t k = 0; k < sizeof option_specs / sizeof *option_specs; k++)
            if (!strcmp(option_specs[k].name, a)) spec = &option_specs[k];
        if (!spec) return sim__cli_usage_error("unknown option '%s'", a);
        if (!strchr(spec->commands, letter)) {
            fprintf(stderr, "archsim: %s does not take %s\n(archsim --help for usage)\n",
                    o->command, a);
            return 2;
        }
        const char *v = NULL;
        if (spec->takes_value) {
            if (i + 1 >= argc) return sim__cli_usage_error("%s needs a value", a);
            v = argv[++i];
        }
        bool is_set = !strcmp(a, "--seed") || !strcmp(a, "--replications") ||
                      !strcmp(a, "--duration") || !strcmp(a, "--set") || !strcmp(a, "--max-memory") ||
                      !strcmp(a, "--warmup");
        if (is_set && o->nsets >= SIM_MAX_LIST) return sim__cli_usage_error("too many %s", a);
        if (!strcmp(a, "--seed")) add_set(o, a, "seed", v);
        else if (!strcmp(a, "--replications")) add_set(o, a, "replications", v);
        else if (!strcmp(a, "--duration")) add_set(o, a, "duration", v);
        else if (!strcmp(a, "--max-memory")) add_set(o, a, "max_memory", v);
        else if (!strcmp(a, "--warmup") && !strcmp(v, "auto")) o->warmup_auto = true;
        else if (!strcmp(a, "--warmup")) add_set(o, a, "warmup", v);
        else if (!strcmp(a, "--set")) o->sets[o->nsets++] = sim_strdup(v);
        else if (!strcmp(a, "--json")) o->json = v;
        else if (!strcmp(a, "--timeline")) o->timeline = v;
        else if (!strcmp(a, "--timing")) o->timing = true;
        else if (!strcmp(a, "--independent")) o->independent = true;
        else if (!strcmp(a, "--quiet")) o->quiet = true;
        else if (!strcmp(a, "--csv")) o->csv = v;
        else if (!strcmp(a, "--plot")) o->plot = v;
        else if (!strcmp(a, "--html")) o->html = v;
        else if (!strcmp(a, "--svg")) o->svg = true;
        else if (!strcmp(a, "--fault") && !push(o->faults, &o->nfaults, v))
            return sim__cli_usage_error("too many %s", a);
        else if (!strcmp(a, "--vary") && !push(o->varies, &o->nvaries, v))
            return sim__cli_usage_error("too many %s", a);
        else if (!strcmp(a, "--slo") && !push(o->slos, &o->nslos, v))
            return sim__cli_usage_error("too many %s", a);
        else if (!strcmp(a, "--minimise")) o->minimise = v;
        else if (!strcmp(a, "--baseline")) o->baseline = v;
        else if (!strcmp(a, "--junit")) o->junit = v;
        else if (!strcmp(a, "--tolerance") &&
                 (!sim__parse_limit(v, &o->tolerance) || !(o->tolerance >= 0) ||
                  strpbrk(v, "smhdnu") || (!strchr(v, '%') && o->tolerance > 1)))
            return sim__cli_usage_error("--tolerance takes a share such as 0.05 or 5%%, got '%s' "
                                        "(a bare number is a share from 0 to 1)", v);
        else if (!strcmp(a, "--precision") &&
                 (!sim__parse_limit(v, &o->precision) || !(o->precision > 0 && o->precision < 1)))
            return sim__cli_usage_error("--precision takes a ratio such as 0.01 or 1%%, got '%s'", v);
        else if (!strcmp(a, "--metric") && !push(o->metrics, &o->nmetrics, v))
            return sim__cli_usage_error("too many %s", a);
        else if (!strcmp(a, "-j")) {
            char *end;
            long n = strtol(v, &end, 10);
            if (*end || n < 1 || n > 1024)
                return sim__cli_usage_error("-j needs a thread count from 1 to 1024, got '%s'", v);
            o->threads = (int)n;
        }
    }
    if (letter == 'C') {
        if (o->nfiles < 2) return sim__cli_usage_error("%s needs two or more scenario files", o->command);
    } else if (o->nfiles != 1) {
        return o->nfiles ? sim__cli_usage_error("%s takes one scenario file", o->command)
                         : sim__cli_usage_error("%s needs a scenario FILE", o->command);
    }
    return 0;
}

static int check(struct sim_loader *ld, const struct sim__scenario *sc, const char *file, FILE *out)
{
    struct sim_world *w = sim__world_build(ld, sc, 0);
    if (!w) {
        fprintf(stderr, "%s\n", sim__loader_error(ld));
        return 2;
    }
    struct sim__results *res = sim_alloc(sizeof *res);
    sim__results_describe(res, w);
    char dur[32], warm[32];
    sim__format_duration(sc->duration, dur, sizeof dur);
    sim__format_duration(sc->warmup, warm, sizeof warm);
    fprintf(out, "%s: ok\n", sim__input_label(file));
    fprintf(out, "scenario  %s%s%s\n", sc->name, sc->description[0] ? ": " : "", sc->description);
    fprintf(out, "run       %s (warm-up %s), %d replication%s, seed %llu\n", dur, warm,
            sc->replications, sc->replications == 1 ? "" : "s", (unsigned long long)sc->seed);
    fprintf(out, "workload  %s\n", res->workload_description ? res->workload_description : "");
    fprintf(out, "nodes     %d\n", res->nnodes);
    for (int i = 0; i < res->nnodes; i++)
        fprintf(out, "  %-12s %-8s %s\n", res->nodes[i].name, res->nodes[i].type,
                res->nodes[i].description);
    if (res->nfaults) fprintf(out, "faults    %d\n", res->nfaults);
    for (int i = 0; i < res->nfaults; i++) fprintf(out, "  %d  %s\n", i, res->faults[i]);
    if (sc->nexpect) fprintf(out, "expect    %d clause%s\n", sc->nexpect, sc->nexpect == 1 ? "" : "s");
    sim__results_destroy(res);
    sim__world_destroy(w);
    return 0;
}

/* The timeline is streamed while the run goes on (its memory stays one row): to --timeline,
 * to the plot directory's timeline.csv and to the HTML page's pictures folder, each opened
 * before the run and committed after. */
static bool open_timeline(const struct options *o, const struct sim__scenario *sc,
                          const char *html_dir, struct sim__timeline **tl,
                          struct sim__output *sinks[3])
{
    *tl = NULL;
    sinks[0] = sinks[1] = sinks[2] = NULL;
    if (!o->timeline && !o->plot && !o->html) return true;
    *tl = sim__timeline_create(sc->timeline_interval);
    struct sim__text plot_csv = {0}, html_csv = {0};
    if (o->plot) {
        if (!sim__plot_dir(o->plot)) return false;
        sim__text_add(&plot_csv, "%s/timeline.csv", o->plot);
    }
    if (html_dir) sim__text_add(&html_csv, "%s/timeline.csv", html_dir);
    const char *paths[3] = {o->timeline, plot_csv.text, html_csv.text};
    for (int i = 0; i < 3; i++) {
        if (!paths[i]) continue;
        sinks[i] = sim__output_open(paths[i]);
        if (!sinks[i]) {
            fprintf(stderr, "archsim: cannot write %s: %s\n", paths[i], strerror(errno));
            sim_free(plot_csv.text);
            sim_free(html_csv.text);
            return false;
        }
        sim__timeline_stream(*tl, sim__output_file(sinks[i]));
    }
    sim_free(plot_csv.text);
    sim_free(html_csv.text);
    return true;
}

static int run(struct sim_loader *ld, const struct sim__scenario *sc, const struct options *o)
{
    const char *label = sim__loader_label(ld); /* the file, or <stdin> */
    struct sim__timeline *tl;
    struct sim__output *sinks[3];
    struct sim__html page = {0};
    if (o->html) sim__html_begin(&page, sc->name);
    if (!open_timeline(o, sc, page.dir, &tl, sinks)) {
        for (int i = 0; i < 3; i++) sim__output_abort(sinks[i]);
        sim__html_end(&page, NULL);
        sim__timeline_destroy(tl);
        return 2;
    }
    struct sim__results *res = sc->precision > 0
        ? sim__run_precise(ld, sc, tl, o->nmetrics ? o->metrics : NULL, o->nmetrics)
        : tl ? sim__run_with_timeline(ld, sc, tl) : sim__run(ld, sc, false);
    if (!res) {
        for (int i = 0; i < 3; i++) sim__output_abort(sinks[i]);
        sim__html_end(&page, NULL);
        fprintf(stderr, "%s\n", sim__loader_error(ld));
        return 2;
    }
    struct sim__verdict *verdicts = sim_alloc((size_t)(sc->nexpect + 1) * sizeof *verdicts);
    char err[512];
    int code = 0;
    if (res->unstable.on) {
        /* The figures cover a cut-short run: only the verdict and the JSON that records it. */
        fprintf(stderr, "archsim: %s: %s\n", label, res->unstable.message);
        code = 4;
        if (!o->json) goto out;
        if (!sim__expect_check(sc, res, verdicts, err, sizeof err)) {
            fprintf(stderr, "%s: %s\n", label, err);
            code = 2;
        } else if (sim__write_text(o->json, sim__report_json(ld, sc, res, verdicts, o->timing))) {
            code = 2;
        }
        goto out;
    }
    if (sim__unknown_metric(o, res)) {
        code = 2;
        goto out;
    }
    if (!sim__expect_check(sc, res, verdicts, err, sizeof err)) {
        fprintf(stderr, "%s: %s\n", label, err);
        code = 2;
        goto out;
    }
    for (int i = 0; i < sc->nexpect; i++)
        if (!verdicts[i].pass) code = 1;
    struct sim__baseline base = {0};
    if (o->baseline && !sim__baseline_check(o, ld, sc, res, &base)) {
        code = 2;
        goto out;
    }
    for (int i = 0; i < base.n; i++)
        if (base.checks[i].fail) code = 1;
    if (!strcmp(o->command, "drill")) sim__story_print(o->text, label, sc, res);
    sim__report_text(o->text, label, sc, res, verdicts);
    sim__warmup_warn(stderr, label, ld, sc, res); /* a warning, not the report: always */
    if (o->report && o->baseline) sim__baseline_print(stdout, o, &base);
    else if (base.note[0]) fprintf(stderr, "archsim: --baseline: %s\n", base.note);
    if (o->junit && sim__junit_write(o->junit, label, sc, verdicts, o->baseline ? &base : NULL))
        code = 2;
    sim__baseline_fini(&base);
    if (o->json) {
        char *text = sim__report_json(ld, sc, res, verdicts, o->timing);
        bool ok = sim__write_file(o->json, text);
        sim_free(text);
        if (!ok) {
            fprintf(stderr, "archsim: cannot write %s: %s\n", o->json, strerror(errno));
            code = 2;
        }
    }
    for (int i = 0; i < 3; i++) {
        if (!sinks[i]) continue;
        bool ok = sim__output_commit(sinks[i]);
        sinks[i] = NULL;
        if (!ok) {
            const char *name[] = {o->timeline, o->plot, page.dir};
            fprintf(stderr, "archsim: cannot write %s%s: %s\n", name[i], i ? "/timeline.csv" : "",
                    strerror(errno));
            code = 2;
        }
    }
    if (o->plot && code != 2 && sim__plot_run_pictures(o->plot, ld, sc, res, o->svg)) code = 2;
    if (o->html && code != 2) {
        sim__html_run(&page, label, ld, sc, res, verdicts, !strcmp(o->command, "drill"));
        if (sim__html_end(&page, o->html)) code = 2;
    }
    fflush(stdout);
    if (!o->quiet)
        fprintf(stderr, "archsim: %llu events in %.2fs of wall time (%.3g events/s)\n",
                (unsigned long long)res->events, res->wall_seconds,
                res->wall_seconds > 0 ? (double)res->events / res->wall_seconds : 0.0);
out:
    for (int i = 0; i < 3; i++) sim__output_abort(sinks[i]);
    sim__html_end(&page, NULL);
    sim_free(verdicts);
    sim__results_destroy(res);
    return code;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    sim__signals_install();
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
        (!strcmp(argv[1], "help") && argc == 2)) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "help")) return sim__help_print(stdout, argv[2]);
    if (!strcmp(argv[1], "--man")) {
        sim__help_man(stdout, SIM_VERSION);
        return 0;
    }
    for (int i = 2; i < argc && sim__help_is_command(argv[1]); i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) return sim__help_print(stdout, argv[1]);
    if (!strcmp(argv[1], "--version")) {
        printf("archsim %s\n", SIM_VERSION);
        return 0;
    }
    if (!strcmp(argv[1], "estimate")) return sim__cmd_estimate(argc, argv);
    if (!strcmp(argv[1], "fields")) return sim__cmd_fields(argc, argv);
    struct options o = {.command = argv[1], .tolerance = NAN, .precision = NAN};
    char letter = command_letter(o.command);
    if (!letter) return sim__cli_usage_error("unknown command '%s'", o.command);
    int code = parse_args(argc, argv, &o);
    if (!code) code = sim__cli_streams(&o);
    if (!code && letter == 'C') {
        code = sim__cmd_compare(&o);
    } else if (!code && letter == 's') {
        code = sim__cmd_sweep(&o);
    } else if (!code && letter == 'l') {
        code = sim__cmd_limit(&o);
    } else if (!code && letter == 't') {
        code = sim__cmd_theory(&o);
    } else if (!code) {
        struct sim__scenario sc = {0};
        struct sim_loader *ld = sim__cli_load(&o, o.files[0], NULL, 0, NULL, &sc);
        if (ld && !isnan(o.precision)) sc.precision = o.precision;
        if (!ld) code = 2;
        else code = letter == 'c' ? check(ld, &sc, o.files[0], o.text) : run(ld, &sc, &o);
        sim__scenario_fini(&sc);
        sim__loader_destroy(ld);
    }
    for (int i = 0; i < o.nsets; i++) {
        sim_free((char *)o.sets[i]);
        sim_free((char *)o.set_flags[i]);
    }
    sim__cli_streams_fini(&o);
    if (sim__stop_requested()) sim__stop_exit(); /* a signal after the run (during the plots) */
    return code;
}
