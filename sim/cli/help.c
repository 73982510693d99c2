/* help.c: `archsim help CMD`, `archsim CMD --help` and `archsim --man`, from one table of
 * commands and one of options, so the man page cannot drift from the help. Each command
 * lists only the options it takes; tests/scenarios.d/usability.sh checks the table against
 * the options main.c and estimate.c accept, and runs every example. */
#include <stdio.h>
#include <string.h>

#include "help.h"

struct command_help {
    const char *name;
    char letter; /* as in main.c's option table; 'e' for estimate */
    const char *synopsis;
    const char *summary; /* one line, for the man page's list */
    const char *text;
    const char *examples[2];
};

static const struct command_help commands[] = {
    {"run", 'r', "archsim run FILE [options]", "simulate a scenario and report",
     "Simulates the scenario in FILE (JSON, see docs/scenario.md) for its replications and\n"
     "prints latency percentiles with 95% intervals, throughput, errors, each node's figures\n"
     "and the faults' figures. Exit 0 when every expectation holds, 1 when one fails.",
     {"archsim run scenarios/examples/web-tier.json",
      "archsim run scenarios/examples/web-tier.json --set workload.arrivals.rate=1900 --json build/report.json --plot build/run"}},
    {"check", 'c', "archsim check FILE [--set PATH=VALUE]...",
     "validate a scenario and summarise the design",
     "Loads FILE without simulating it: every field is checked (unknown fields, types, units,\n"
     "references between nodes), then the run settings, the workload, the nodes and the faults\n"
     "are summarised. Exit 0 when the file is valid, 2 with the JSON path of the first error.",
     {"archsim check scenarios/examples/web-tier.json",
      "archsim check scenarios/drills/zone-outage.json --set nodes.app.instances=6"}},
    {"compare", 'C', "archsim compare A.json B.json [C.json...] [options]",
     "paired comparison of designs",
     "Runs two or more designs with common random numbers (the same arrivals and service\n"
     "draws in each replication) and gives, per figure, the difference from the first design\n"
     "with its 95% interval and a verdict: better, worse, higher, lower or no significant\n"
     "difference.",
     {"archsim compare scenarios/examples/web-tier.json scenarios/examples/web-tier-bigger-db.json",
      "archsim compare scenarios/examples/cdn-pull-vs-push.json scenarios/examples/cdn-push.json --metric latency.p50 --json build/compare.json"}},
    {"sweep", 's', "archsim sweep FILE --vary SPEC [--vary SPEC] [options]",
     "a grid over one or two fields",
     "Runs the scenario at each value of one field (or each pair of two: a curve per value\n"
     "of the second) and prints a table of p99, mean latency, goodput and errors with 95%\n"
     "intervals; --metric adds figures, --csv, --json and --plot write them.",
     {"archsim sweep scenarios/examples/web-tier.json --vary workload.arrivals.rate=600:2000:200",
      "archsim sweep scenarios/examples/web-tier.json --vary nodes.db.instances=1,2 --csv build/sweep.csv --plot build/sweep"}},
    {"limit", 'l', "archsim limit FILE (--vary PATH | --minimise PATH) --slo 'METRIC<VALUE'... [options]",
     "the highest load, or least capacity, that meets every SLO",
     "With --vary, finds the highest value of PATH (a load) at which every SLO holds; with\n"
     "--minimise, the least value (a capacity). It starts from the scenario's own value,\n"
     "doubles or halves until one side meets the SLOs and the other does not, then bisects to\n"
     "--precision, and names the node that saturates first. Exit 1 when no value meets them.",
     {"archsim limit scenarios/examples/web-tier.json --vary workload.arrivals.rate --slo 'latency.p99<100ms' --slo 'errors.ratio<1%'",
      "archsim limit scenarios/examples/web-tier.json --minimise nodes.db.workers --slo 'latency.p99<100ms' --precision 5%"}},
    {"theory", 't', "archsim theory FILE [options]",
     "closed-form predictions beside the simulated figures",
     "Prints what queueing theory predicts for each node (M/M/c, M/G/1, Erlang, ...) beside\n"
     "the simulated figures, and a capacity estimate; a prediction that is an approximation\n"
     "says so.",
     {"archsim theory scenarios/examples/web-tier.json",
      "archsim theory scenarios/validation/mmc4.json --json build/theory.json"}},
    {"drill", 'd', "archsim drill FILE [options]", "run, and tell the faults' story",
     "Runs the scenario like `run`, and first tells what to expect and, in time order, what\n"
     "the faults did: failed, detected, acted, recovered, lost.",
     {"archsim drill scenarios/drills/primary-db-down-async.json",
      "archsim drill scenarios/examples/web-tier.json --fault db:crash@2s+1s --html build/drill.html"}},
    {"estimate", 'e', "archsim estimate [FILE.json] [options]",
     "back-of-the-envelope sizing",
     "The guide's back-of-the-envelope figures: average and peak QPS, storage, bandwidth and\n"
     "servers, each with the formula that gave it. Inputs come from flags, or from the same\n"
     "names with '_' as fields of FILE.json (flags win). Counts take K, M, B; sizes are\n"
     "decimal (1 KB = 1000 B; KiB binary); a year is 365 days.",
     {"archsim estimate --dau 1M --requests-per-user 5",
      "archsim estimate --peak-qps 3000 --server-qps 500 --headroom 1.5 --scenario build/sized.json"}},
    {"fields", 'f', "archsim fields FILE [--paths]", "the fields the loader accepts",
     "Loads and checks FILE as `check` does, then prints, for each object the loader read,\n"
     "its JSON path, the fields the loader asked about there (those it accepts) and the\n"
     "names the user chose (a map's keys, such as node names). tools/schema.py makes the\n"
     "scenario schema (docs/scenario.schema.json) from it. With --paths: one dotted path a\n"
     "line, as --set takes them (bash completion offers them after --set and --vary).",
     {"archsim fields scenarios/examples/web-tier.json",
      "archsim fields scenarios/drills/zone-outage.json --paths"}},
};
#define NCOMMANDS (sizeof commands / sizeof *commands)

struct option_help {
    const char *name, *arg;
    const char *commands; /* letters, as in main.c's option table */
    const char *text;
};

static const struct option_help options[] = {
    {"--seed", "N", "rcCsltd", "the scenario seed (same seed, same bytes)"},
    {"--replications", "R", "rcCsltd",
     "independent replications; figures get 95% intervals when R >= 2"},
    {"--duration", "D", "rcCsltd", "simulated time per replication, e.g. 120s"},
    {"--warmup", "D|auto", "rcCsltd",
     "time deleted before measuring; auto runs replication 0 once and\n"
     "takes the end of its transient found by MSER (run warns when the\n"
     "declared warm-up is shorter than that)"},
    {"--max-memory", "SIZE", "rcCsltd",
     "what the replications running at once may hold for calls in flight\n"
     "and queued, e.g. 512MB (default: a quarter of physical memory, at\n"
     "most 2GiB); a replication that outgrows it stops as unstable (exit 4)"},
    {"--set", "PATH=VALUE", "rcCsltd",
     "change any field, e.g. --set nodes.app.instances=6 (repeatable)"},
    {"--fault", "SPEC", "rcCsltd",
     "inject a fault: TARGET:KIND@AT[+FOR], e.g. db.primary:crash@40s+60s,\n"
     "app.1:slow*5@30s+20s, api:error=10%@10s+5s, a|b:partition@20s\n"
     "(repeatable; see docs/faults.md)"},
    {"--json", "FILE", "rd",
     "write the report as JSON (SI units, ci95 tree beside the means);\n"
     "'-' writes it to stdout instead of the text report"},
    {"--json", "FILE", "C", "write the comparison as JSON ('-': stdout)"},
    {"--json", "FILE", "s", "write the table as JSON ('-': stdout)"},
    {"--json", "FILE", "l",
     "write the limit, the figures at it and at the first miss, and the\n"
     "node that saturates first as JSON ('-': stdout)"},
    {"--json", "FILE", "t", "write the predictions and the simulated figures as JSON ('-': stdout)"},
    {"--json", "FILE", "e", "write the figures as JSON ('-': stdout)"},
    {"--timeline", "FILE.csv", "rd", "write per-interval series of the first replication ('-': stdout)"},
    {"--timing", NULL, "rd", "add wall-clock figures to the JSON (not reproducible)"},
    {"--metric", "PATH", "Cs", "add a figure to the table, e.g. nodes.db.utilisation (repeatable)"},
    {"--metric", "PATH", "rd", "also check this figure against --baseline (repeatable)"},
    {"--baseline", "FILE", "rd",
     "compare with a stored --json report ('-': read it from stdin);\n"
     "fail (exit 1) when a figure got worse, significantly and beyond\n"
     "--tolerance"},
    {"--tolerance", "T", "rd", "the change --baseline tolerates: 5% or 0.05 (default 5%)"},
    {"--junit", "FILE", "rd", "write expectations and baseline checks as JUnit XML ('-': stdout)"},
    {"--independent", NULL, "C",
     "give each design its own seed instead of common random numbers\n"
     "(to see what they buy)"},
    {"--vary", "SPEC", "s", "PATH=FROM:TO:STEP (numbers or durations) or PATH=A,B,C; twice for a grid"},
    {"--vary", "PATH", "l", "the load to raise: the highest value that meets every SLO"},
    {"--minimise", "PATH", "l", "the capacity to lower: the least value that meets every SLO"},
    {"--slo", "'M<V'", "l",
     "an objective, e.g. 'latency.p99 < 200ms', 'errors.ratio<1%'\n"
     "(<, <=, >, >=; a duration needs its unit). Met when its 95%\n"
     "interval meets it; uncertain values rerun with 2x, then 4x the\n"
     "replications; a percentile q on fewer than 10/(1-q) requests per\n"
     "replication is not measured; an unstable value misses (repeatable;\n"
     "docs/limit.md)"},
    {"--precision", "P", "l", "stop bisecting within P of the limit (default 1%)"},
    {"--precision", "P", "rd",
     "add replications (in parallel batches, up to the scenario's\n"
     "max_replications, default 100) until the 95% interval of every\n"
     "headline figure, or of each --metric, is within P of its mean\n"
     "(2% or 0.02); the report names the figure that decided"},
    {"--precision", "P", "C", "add replications until each verdict is decided"},
    {"--csv", "FILE", "s", "write the table as CSV (SI units, low and high columns; '-': stdout)"},
    {"--csv", "FILE", "C",
     "write the verdicts as CSV ('-': stdout): a row per figure and\n"
     "design, its unit, A's and its means with 95% intervals, the paired\n"
     "difference with its interval, the verdict (SI units)"},
    {"--plot", "DIR", "rCsd", "write pictures (PNG) with gnuplot into DIR"},
    {"--svg", NULL, "rCsd", "pictures as SVG instead of PNG"},
    {"--html", "FILE", "rCsd",
     "write one self-contained page: the tables, the verdicts and the\n"
     "SVG pictures inline; no script, no network (without gnuplot it\n"
     "says the pictures are missing; '-': stdout)"},
    {"-j", "N", "rCsltd",
     "run replications on N threads (default: every core); the figures\n"
     "do not depend on N"},
    {"--quiet", NULL, "rcCsltd",
     "print nothing on stdout (no text report) and no progress on\n"
     "stderr: the exit code, errors and warnings tell"},
    {"--dau", "N", "e", "daily active users; with --requests-per-user,\naverage QPS = N x N / 86,400 s"},
    {"--requests-per-user", "N", "e", "requests per user per day"},
    {"--qps", "N", "e", "the average rate directly"},
    {"--peak-qps", "N", "e", "or the peak rate directly"},
    {"--peak-factor", "F", "e", "peak / average (default 3)"},
    {"--read-share", "S", "e", "reads / requests, 0.9 or 90%"},
    {"--read-write", "R:W", "e", "or the read:write ratio, e.g. 10:1"},
    {"--writes-per-day", "N", "e", "default: average QPS x write share x 86,400 s"},
    {"--record-size", "SIZE", "e", "bytes per write: 500B, 2KB"},
    {"--response-size", "SIZE", "e", "bytes per read answer (default --record-size)"},
    {"--retention", "PERIOD", "e", "how long writes are kept: 30d, 6w, 5y"},
    {"--replication", "N", "e", "copies of each record (default 3)"},
    {"--server-qps", "N", "e", "one server's capacity"},
    {"--headroom", "F", "e", "capacity over the peak (default 1.5)"},
    {"--service-time", "D", "e", "--scenario: a request's mean time on a server (default 20ms)"},
    {"--scenario", "FILE", "e",
     "write a runnable scenario sized from the figures ('-': stdout,\n"
     "e.g. | archsim run -)"},
    {"--quiet", NULL, "e", "print nothing on stdout (and no 'wrote' line)"},
    {"--paths", NULL, "f", "one dotted path a line (PATH.field, array elements by index)\n"
                          "instead of JSON"},
};
#define NOPTIONS (sizeof options / sizeof *options)

/* Where input comes from and output goes: the same for every command. */
static const char streams[] =
    "A FILE given as '-' is stdin (read once; messages call it <stdin>). An output FILE\n"
    "given as '-' is stdout, which then carries that output alone: the text report is left\n"
    "out, as with --quiet, and a second output to stdout is refused (exit 2). Results go to\n"
    "stdout; progress, warnings, errors, 'wrote FILE' lines and gnuplot's messages go to\n"
    "stderr. An error in what --set, --seed, --fault or --vary wrote names that flag and\n"
    "its argument, not the file.";

static const char exit_codes[] =
    "0 expectations hold, 1 an expectation or a baseline check failed (limit: no value\n"
    "meets the SLOs), 2 bad input or usage, 3 internal error.";

static const struct command_help *find(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (!strcmp(commands[i].name, name)) return &commands[i];
    return NULL;
}

bool sim__help_is_command(const char *name)
{
    return find(name) != NULL;
}

/* Writes text with every line after the first indented by `indent` spaces. */
static void indented(FILE *f, const char *text, int indent)
{
    for (const char *c = text; *c; c++) {
        fputc(*c, f);
        if (*c == '\n') fprintf(f, "%*s", indent, "");
    }
}

int sim__help_print(FILE *f, const char *name)
{
    const struct command_help *c = find(name);
    if (!c) {
        fprintf(stderr, "archsim: help: unknown command '%s' (archsim --help lists them)\n", name);
        return 2;
    }
    fprintf(f, "usage: %s\n\n%s\n", c->synopsis, c->text);
    bool any = false;
    for (size_t i = 0; i < NOPTIONS; i++) {
        const struct option_help *o = &options[i];
        if (!strchr(o->commands, c->letter)) continue;
        if (!any) fputs("\noptions:\n", f);
        any = true;
        char head[64];
        snprintf(head, sizeof head, "%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        fprintf(f, "  %-22s ", head);
        indented(f, o->text, 25);
        fputc('\n', f);
    }
    fputs("\nstdin and stdout:\n  ", f);
    indented(f, streams, 2);
    fputs("\n\nexamples (from the repository's root):\n", f);
    for (int i = 0; i < 2; i++) fprintf(f, "  %s\n", c->examples[i]);
    fputs("\nexit codes:\n  ", f);
    indented(f, exit_codes, 2);
    fputc('\n', f);
    return 0;
}

/* roff: a backslash is written \e, and a line may not start with a dot or a quote. */
static void roff(FILE *f, const char *text)
{
    bool line_start = true;
    for (const char *c = text; *c; c++) {
        if (line_start && (*c == '.' || *c == '\'')) fputs("\\&", f);
        if (*c == '\\') fputs("\\e", f);
        else if (*c == '-') fputs("\\-", f);
        else fputc(*c, f);
        line_start = *c == '\n';
    }
}

void sim__help_man(FILE *f, const char *version)
{
    fprintf(f, ".TH ARCHSIM 1 \"\" \"archsim %s\" \"User Commands\"\n", version);
    fputs(".SH NAME\narchsim \\- discrete-event simulator for system-architecture trade-offs\n", f);
    fputs(".SH SYNOPSIS\n", f);
    for (size_t i = 0; i < NCOMMANDS; i++) {
        fputs(".br\n.B ", f);
        roff(f, commands[i].synopsis);
        fputc('\n', f);
    }
    fputs(".SH DESCRIPTION\n"
          "archsim reads a scenario (JSON: a workload, nodes, links, zones, the faults to inject)\n"
          "and simulates it request by request: latency percentiles with 95% confidence\n"
          "intervals, throughput, errors, utilisation and fault figures. The same seed gives the\n"
          "same bytes.\n"
          ".PP\n"
          "archsim help COMMAND (or archsim COMMAND \\-\\-help) prints what follows for one command.\n",
          f);
    fputs(".SH COMMANDS\n", f);
    for (size_t i = 0; i < NCOMMANDS; i++) {
        const struct command_help *c = &commands[i];
        fprintf(f, ".SS %s \\(em ", c->name);
        roff(f, c->summary);
        fputs("\n.B ", f);
        roff(f, c->synopsis);
        fputs("\n.PP\n", f);
        roff(f, c->text);
        fputc('\n', f);
        for (size_t k = 0; k < NOPTIONS; k++) {
            const struct option_help *o = &options[k];
            if (!strchr(o->commands, c->letter)) continue;
            fputs(".TP\n.B ", f);
            roff(f, o->name);
            if (o->arg) {
                fputs(" \"", f);
                roff(f, o->arg);
                fputc('"', f);
            }
            fputc('\n', f);
            roff(f, o->text);
            fputc('\n', f);
        }
        fputs(".PP\nExamples:\n", f);
        for (int k = 0; k < 2; k++) {
            fputs(".IP\n.nf\n", f);
            roff(f, c->examples[k]);
            fputs("\n.fi\n", f);
        }
    }
    fputs(".SH STANDARD INPUT AND OUTPUT\n", f);
    roff(f, streams);
    fputs("\n.SH EXIT STATUS\n", f);
    roff(f, exit_codes);
    fputs("\n.SH ENVIRONMENT\n.TP\n.B ARCHSIM_PLOTS\n"
          "the folder of gnuplot scripts, instead of the one found beside the program\n"
          "(../share/archsim/plots when installed, plots/ in the source tree).\n"
          ".SH FILES\n.TP\n.I PREFIX/share/archsim/scenarios\n"
          "example, drill and validation scenarios.\n"
          ".TP\n.I PREFIX/share/archsim/scenario.schema.json\n"
          "a JSON Schema for scenario files, for an editor's completion and inline errors.\n",
          f);
}
