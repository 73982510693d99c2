/* trace.c: a request log replayed exactly: one request per line at the line's time
 * (divided by `speed`), with its operation, key and client zone when the line gives them.
 *
 * CSV: a header names the columns (time, and any of op, key, zone, size), then a line per
 * request; JSON lines: an object per line with the same names. Times are seconds, never
 * decreasing; blank lines and lines starting with '#' are skipped. The whole file is
 * checked when the scenario loads, so a replay meets no error, and lines are never held in
 * memory: a replay reads the file again as it goes. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "loader.h"
#include "kernel/text.h"
#include "trace.h"

#define LINE_MAX_BYTES (1 << 20) /* a request's line: far more than any log writes */

static const char *const column_names[SIM__TRACE_COLUMNS] = {"time", "op", "key", "zone", "size"};

/* A line's fields before they are checked; an error is written into err. */
struct fields {
    const char *value[SIM__TRACE_COLUMNS]; /* NULL: absent */
};

/* Reads one line into t->buf, without its end of line; false at the end, or (with *toolong)
 * at a line over LINE_MAX_BYTES, which no log has: a binary file, or no line ends at all. */
static bool read_line(struct sim__trace *t, bool *toolong)
{
    size_t len = 0;
    int c;
    *toolong = false;
    while ((c = getc_unlocked(t->f)) != EOF && c != '\n') {
        if (len >= LINE_MAX_BYTES) {
            *toolong = true;
            t->lineno++;
            return false;
        }
        if (len + 2 > t->cap) {
            t->cap = t->cap ? 2 * t->cap : 256;
            t->buf = sim_realloc(t->buf, t->cap);
        }
        t->buf[len++] = (char)c;
    }
    if (c == EOF && len == 0) return false;
    if (!t->buf) t->buf = sim_alloc(t->cap = 256);
    if (len && t->buf[len - 1] == '\r') len--;
    t->buf[len] = 0;
    t->lineno++;
    return true;
}

static bool skipped(const char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    return !*s || *s == '#';
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t')) *--e = 0;
    return s;
}

/* Splits a CSV line in place into the columns the header named. */
static bool split_csv(struct sim__trace *t, struct fields *f, struct sim__text *err)
{
    memset(f, 0, sizeof *f);
    char *s = t->buf;
    int col = 0;
    for (;;) {
        char *comma = strchr(s, ',');
        if (comma) *comma = 0;
        if (strchr(s, '"')) {
            sim__text_add(err, "expected plain values (no quotes)");
            return false;
        }
        if (col < t->ncolumns) {
            for (int k = 0; k < SIM__TRACE_COLUMNS; k++)
                if (t->column[k] == col && *trim(s)) f->value[k] = trim(s);
        }
        col++;
        if (!comma) break;
        s = comma + 1;
    }
    if (col != t->ncolumns) {
        sim__text_add(err, "expected %d values (as the header), got %d", t->ncolumns, col);
        return false;
    }
    return true;
}

/* The header: which column is which. */
static bool read_header(struct sim__trace *t, struct sim__text *err)
{
    for (int k = 0; k < SIM__TRACE_COLUMNS; k++) t->column[k] = -1;
    char *s = t->buf;
    int col = 0;
    for (;;) {
        char *comma = strchr(s, ',');
        if (comma) *comma = 0;
        char *name = trim(s);
        int k = 0;
        while (k < SIM__TRACE_COLUMNS && strcmp(name, column_names[k])) k++;
        if (k == SIM__TRACE_COLUMNS) {
            sim__text_add(err, "expected a header of column names (time, and any of op, key, zone, size), "
                               "got '%s'", name);
            return false;
        }
        if (t->column[k] >= 0) {
            sim__text_add(err, "the header names '%s' twice", name);
            return false;
        }
        t->column[k] = col++;
        if (!comma) break;
        s = comma + 1;
    }
    t->ncolumns = col;
    if (t->column[SIM__TRACE_TIME] < 0) {
        sim__text_add(err, "the header has no 'time' column");
        return false;
    }
    return true;
}

/* A JSON line's members as text (numbers printed back exactly as cJSON read them). */
static bool split_json(struct sim__trace *t, cJSON **doc, struct fields *f, char num[][40], struct sim__text *err)
{
    memset(f, 0, sizeof *f);
    *doc = cJSON_ParseWithLength(t->buf, strlen(t->buf));
    if (!cJSON_IsObject(*doc)) {
        sim__text_add(err, "expected a JSON object on the line");
        return false;
    }
    const cJSON *m;
    cJSON_ArrayForEach(m, *doc)
    {
        int k = 0;
        while (k < SIM__TRACE_COLUMNS && strcmp(m->string, column_names[k])) k++;
        if (k == SIM__TRACE_COLUMNS) {
            sim__text_add(err, "unknown field '%s' (expected time, op, key, zone, size)", m->string);
            return false;
        }
        if (cJSON_IsString(m)) {
            f->value[k] = m->valuestring;
        } else if (cJSON_IsNumber(m)) {
            snprintf(num[k], 40, "%.17g", m->valuedouble);
            f->value[k] = num[k];
        } else {
            sim__text_add(err, "%s: expected a number or a string", m->string);
            return false;
        }
    }
    if (!f->value[SIM__TRACE_TIME]) {
        sim__text_add(err, "expected a 'time'");
        return false;
    }
    return true;
}

static bool number(const char *s, double *out)
{
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    if (end == s || *end || !isfinite(x) || errno == ERANGE) return false;
    *out = x;
    return true;
}

static const char *intern(struct sim__trace *t, const char *name)
{
    if (t->nnames == t->names_cap) {
        t->names_cap = t->names_cap ? 2 * t->names_cap : 8;
        t->names = sim_realloc(t->names, (size_t)t->names_cap * sizeof *t->names);
    }
    return t->names[t->nnames++] = sim_strdup(name);
}

/* Checks a line's fields and fills out; a (not NULL: loading) registers the op and zone
 * names it meets, and a replay finds them there. */
static bool parse(struct sim__trace *t, const struct fields *f, struct sim_cfg *a,
                  struct sim__trace_line *out, double *time, struct sim__text *err)
{
    if (!number(f->value[SIM__TRACE_TIME], time) || *time < 0) {
        sim__text_add(err, "time: expected seconds (a number, at least 0), got '%s'", f->value[SIM__TRACE_TIME]);
        return false;
    }
    double size;
    if (f->value[SIM__TRACE_SIZE] && (!number(f->value[SIM__TRACE_SIZE], &size) || size < 0)) {
        sim__text_add(err, "size: expected bytes (a number, at least 0), got '%s'", f->value[SIM__TRACE_SIZE]);
        return false;
    }
    out->has_key = f->value[SIM__TRACE_KEY] != NULL;
    if (out->has_key) {
        const char *k = f->value[SIM__TRACE_KEY];
        char *end;
        errno = 0;
        unsigned long long v = strtoull(k, &end, 10);
        double d;
        if (*k >= '0' && *k <= '9' && !*end && errno != ERANGE) {
            out->key = v;
        } else if (number(k, &d) && d >= 0 && d <= 9007199254740992.0 && d == floor(d)) {
            out->key = (uint64_t)d; /* a JSON number: exact up to 2^53 */
        } else {
            sim__text_add(err, "key: expected an integer from 0 to 2^64-1, got '%s'", k);
            return false;
        }
    }
    out->op = out->zone = -1;
    static const int named[] = {SIM__TRACE_OP, SIM__TRACE_ZONE};
    for (int n = 0; n < 2; n++) {
        int which = named[n];
        const char *name = f->value[which];
        if (!name) continue;
        struct sim__namemap *map = which == SIM__TRACE_OP ? &t->ops : &t->zones;
        uint32_t id = sim__namemap_get(map, name);
        if (!id && a) {
            int v = which == SIM__TRACE_OP ? sim_cfg_op(a, name) : sim__zone_lookup(a, "file", name);
            if (sim_cfg_failed(a)) return false;
            sim__namemap_put(map, intern(t, name), (uint32_t)v + 1);
            id = (uint32_t)v + 1;
        }
        if (!id) {
            sim__text_add(err, "%s '%s' was not in the file when it was loaded", column_names[which], name);
            return false;
        }
        if (which == SIM__TRACE_OP) out->op = (int)id - 1;
        else out->zone = (int)id - 1;
    }
    return true;
}

/* Reads the next request line into out (its time still in the trace's seconds). */
static bool next_request(struct sim__trace *t, struct sim_cfg *a, struct sim__trace_line *out,
                         double *time, struct sim__text *err, bool *failed)
{
    *failed = false;
    bool toolong;
    while (read_line(t, &toolong)) {
        if (skipped(t->buf)) continue;
        struct fields f;
        cJSON *doc = NULL;
        char num[SIM__TRACE_COLUMNS][40];
        bool ok = t->jsonl ? split_json(t, &doc, &f, num, err) : split_csv(t, &f, err);
        ok = ok && parse(t, &f, a, out, time, err);
        cJSON_Delete(doc);
        if (!ok) *failed = true;
        return ok;
    }
    if (toolong) {
        sim__text_add(err, "a line longer than %d bytes (is it a trace?)", LINE_MAX_BYTES);
        *failed = true;
    }
    return false;
}

static bool ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), k = strlen(tail);
    return n >= k && !strcmp(s + n - k, tail);
}

/* The file's path: as given when absolute, else beside the scenario's file. */
static char *resolve(struct sim_cfg *a, const char *file)
{
    const char *label = sim__loader_label(sim__cfg_loader(a));
    const char *slash = label ? strrchr(label, '/') : NULL;
    if (file[0] == '/' || !slash) return sim_strdup(file);
    size_t dir = (size_t)(slash - label) + 1, n = strlen(file);
    char *p = sim_alloc(dir + n + 1);
    memcpy(p, label, dir);
    memcpy(p + dir, file, n + 1);
    return p;
}

void sim__trace_configure(struct sim__trace *t, struct sim_cfg *a)
{
    memset(t, 0, sizeof *t);
    const char *file = sim_cfg_string(a, "file", NULL);
    t->speed = sim_cfg_number(a, "speed", 1, 1e-9, 1e9);
    t->loop = sim_cfg_bool(a, "loop", false);
    if (sim_cfg_has(a, "rate")) sim_cfg_error(a, "rate", "a trace sets its own times: remove \"rate\"");
    if (!file) {
        if (!sim_cfg_failed(a)) sim_cfg_error(a, "file", "expected the trace's file (CSV or JSON lines)");
        return;
    }
    t->path = resolve(a, file);
    t->jsonl = ends_with(file, ".jsonl") || ends_with(file, ".ndjson");
    struct stat st;
    if (stat(t->path, &st) == 0 && !S_ISREG(st.st_mode)) { /* a FIFO could be read only once */
        sim_cfg_error(a, "file", "%s: expected a regular file (it is read again for each replication)", t->path);
        return;
    }
    t->f = fopen(t->path, "rb");
    if (!t->f) {
        sim_cfg_error(a, "file", "cannot read %s: %s", t->path, strerror(errno));
        return;
    }
    struct sim__text err = {0};
    bool failed = false, toolong = false;
    if (!t->jsonl) { /* the header: the first line not skipped */
        bool found = false;
        while (!found && read_line(t, &toolong)) found = !skipped(t->buf);
        if (toolong) sim__text_add(&err, "a line longer than %d bytes (is it a trace?)", LINE_MAX_BYTES);
        else if (!found) sim__text_add(&err, "expected a header line (time, and any of op, key, zone, size)");
        failed = !found || !read_header(t, &err);
    }
    struct sim__trace_line line;
    double time, last = 0;
    while (!failed && next_request(t, a, &line, &time, &err, &failed)) {
        if (t->lines && time < last) {
            sim__text_add(&err, "times must not decrease: %.17g after %.17g", time, last);
            failed = true;
            break;
        }
        if (!t->lines) t->first = time;
        last = time;
        t->lines++;
    }
    if (failed && !sim_cfg_failed(a)) {
        sim_cfg_error(a, "file", "%s:%llu: %s", t->path, (unsigned long long)t->lineno, err.text ? err.text : "unreadable");
    } else if (!failed && !t->lines) {
        sim_cfg_error(a, "file", "%s: no requests in the trace", t->path);
    } else if (!failed) {
        t->span = last - t->first;
        if (t->loop && (t->lines < 2 || t->span <= 0))
            sim_cfg_error(a, "loop", "a trace loops over the span of its times: %s has none", t->path);
        /* A loop starts again one mean gap after the last line: the rate stays the trace's. */
        t->period = t->lines > 1 ? t->span + t->span / (double)(t->lines - 1) : 0;
    }
    sim_free(err.text);
    fclose(t->f);
    t->f = NULL;
}

void sim__trace_start(struct sim__trace *t)
{
    t->f = fopen(t->path, "rb");
    t->lineno = t->pass = 0;
    if (!t->f) {
        fprintf(stderr, "archsim: %s: cannot read it again to replay it: %s\n", t->path, strerror(errno));
        exit(2);
    }
    bool toolong;
    if (!t->jsonl) /* past the header, checked when loading */
        while (read_line(t, &toolong) && skipped(t->buf)) continue;
}

bool sim__trace_next(struct sim__trace *t, struct sim__trace_line *out)
{
    struct sim__text err = {0};
    double time;
    bool failed;
    for (int tries = 0; tries < 2; tries++) {
        if (next_request(t, NULL, out, &time, &err, &failed)) {
            out->at = ((time - t->first) + (double)t->pass * t->period) / t->speed;
            return true;
        }
        if (failed) {
            fprintf(stderr, "archsim: %s:%llu: changed since it was loaded: %s\n", t->path,
                    (unsigned long long)t->lineno, err.text ? err.text : "");
            exit(2);
        }
        if (!t->loop) return false;
        rewind(t->f); /* the next pass */
        t->lineno = 0;
        t->pass++;
        bool toolong;
        if (!t->jsonl)
            while (read_line(t, &toolong) && skipped(t->buf)) continue;
    }
    return false;
}

void sim__trace_fini(struct sim__trace *t)
{
    if (t->f) fclose(t->f);
    sim__namemap_fini(&t->ops);
    sim__namemap_fini(&t->zones);
    for (int i = 0; i < t->nnames; i++) sim_free(t->names[i]);
    sim_free(t->names);
    sim_free(t->buf);
    sim_free(t->path);
    memset(t, 0, sizeof *t);
}
