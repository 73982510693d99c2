/* fault_flag.c: --fault 'TARGET:KIND@AT[+FOR]' as one more entry of the scenario's
 * `faults`, so a drill can be varied without editing its file. KIND may carry its setting:
 * slow*3, slow+200ms (or both: slow*2+10ms), error=0.2 or error=20%. A partition's target is
 * two groups, "A|B" (both ways) or "A>B" (one way), each a comma-separated list of nodes,
 * zone:Z and region:R. The entry is checked like any other, at faults.N. */
#include <stdlib.h>

#include "cli.h"

static cJSON *string_list(const char *text, size_t n)
{
    cJSON *list = cJSON_CreateArray();
    char buf[256];
    snprintf(buf, sizeof buf, "%.*s", (int)(n < sizeof buf ? n : sizeof buf - 1), text);
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
        cJSON_AddItemToArray(list, cJSON_CreateString(tok));
    return list;
}

/* The kind and its setting ("slow*2+10ms", "error=5%"); false on a malformed setting. */
static bool read_kind(cJSON *f, const char *kind)
{
    char name[32];
    size_t n = strcspn(kind, "*+=");
    if (n >= sizeof name) return false;
    snprintf(name, sizeof name, "%.*s", (int)n, kind);
    cJSON_AddStringToObject(f, "kind", name);
    const char *p = kind + n;
    if (*p == '=') {
        double ratio;
        if (!sim__parse_limit(p + 1, &ratio)) return false;
        cJSON_AddNumberToObject(f, "ratio", ratio);
        return true;
    }
    if (*p == '*') {
        char *end;
        double factor = strtod(p + 1, &end);
        if (end == p + 1) return false;
        cJSON_AddNumberToObject(f, "factor", factor);
        p = end;
    }
    if (*p == '+') {
        sim_time d;
        if (!sim__parse_duration(p + 1, &d)) return false;
        cJSON_AddStringToObject(f, "add", p + 1);
        return true;
    }
    return *p == 0;
}

bool sim__fault_flag(struct sim_loader *ld, const char *spec, char *err, size_t errn)
{
    const char *at = strrchr(spec, '@');
    char head[256];
    size_t hn = at ? (size_t)(at - spec) : 0;
    const char *colon = NULL;
    if (at && hn < sizeof head) {
        snprintf(head, sizeof head, "%.*s", (int)hn, spec);
        char *c = strrchr(head, ':');
        colon = c ? spec + (c - head) : NULL;
    }
    cJSON *f = cJSON_CreateObject();
    bool ok = colon && colon > spec && colon + 1 < at;
    if (ok) {
        char kind[64];
        snprintf(kind, sizeof kind, "%.*s", (int)(at - colon - 1), colon + 1);
        ok = read_kind(f, kind);
        const char *bar = memchr(spec, '|', (size_t)(colon - spec));
        const char *arrow = memchr(spec, '>', (size_t)(colon - spec));
        const char *split = bar ? bar : arrow;
        if (split) {
            cJSON_AddItemToObject(f, "from", string_list(spec, (size_t)(split - spec)));
            cJSON_AddItemToObject(f, "to", string_list(split + 1, (size_t)(colon - split - 1)));
            if (arrow) cJSON_AddBoolToObject(f, "one_way", true);
        } else {
            char target[200];
            snprintf(target, sizeof target, "%.*s", (int)(colon - spec), spec);
            cJSON_AddStringToObject(f, "target", target);
        }
        char when[64];
        snprintf(when, sizeof when, "%s", at + 1);
        char *plus = strchr(when, '+');
        if (plus) *plus++ = 0;
        sim_time t;
        ok = ok && sim__parse_duration(when, &t) && (!plus || sim__parse_duration(plus, &t));
        cJSON_AddStringToObject(f, "at", when);
        if (plus) cJSON_AddStringToObject(f, "for", plus);
        cJSON_AddStringToObject(f, "name", spec);
    }
    if (!ok) {
        cJSON_Delete(f);
        snprintf(err, errn, "archsim: --fault '%s': expected TARGET:KIND@AT[+FOR], e.g. "
                            "'db.primary:crash@40s+60s', 'app.1:slow*5@30s+20s', "
                            "'api:error=10%%@10s+5s' or 'zone:a|zone:b:partition@20s+30s'", spec);
        return false;
    }
    cJSON *root = sim__loader_json(ld);
    cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "faults");
    if (!list) list = cJSON_AddArrayToObject(root, "faults");
    if (!cJSON_IsArray(list)) {
        cJSON_Delete(f);
        snprintf(err, errn, "%s: faults: expected an array (to add --fault '%s' to)",
                 sim__loader_label(ld), spec);
        return false;
    }
    cJSON_AddItemToArray(list, f);
    return true;
}
