/* fault_flag.c: --fault 'TARGET:KIND@AT[+FOR]' as one more entry of the scenario's
 * `faults`, so a drill can be varied without editing its file. KIND may carry its setting:
 * slow*3, slow+200ms (or both: slow*2+10ms), error=0.2 or error=20%. A partition's target is
 * two groups, "A|B" (both ways) or "A>B" (one way), each a comma-separated list of nodes,
 * zone:Z and region:R. The entry is checked like any other, at faults.N. */
#include <stdlib.h>

#include "cli.h"

/* "a,b,zone:c" as a JSON array of its items, each taken whole; NULL when one is empty. */
static cJSON *string_list(const char *text, size_t n)
{
    cJSON *list = cJSON_CreateArray();
    for (const char *p = text, *stop = text + n;;) {
        const char *comma = memchr(p, ',', (size_t)(stop - p));
        const char *item_end = comma ? comma : stop;
        if (item_end == p) {
            cJSON_Delete(list);
            return NULL;
        }
        char *item = sim_alloc((size_t)(item_end - p) + 1);
        memcpy(item, p, (size_t)(item_end - p));
        cJSON_AddItemToArray(list, cJSON_CreateString(item));
        sim_free(item);
        if (!comma) return list;
        p = comma + 1;
    }
}

/* A copy of n bytes of text, NUL-terminated: the caller frees it. */
static char *copy_of(const char *text, size_t n)
{
    char *s = sim_alloc(n + 1);
    memcpy(s, text, n);
    return s;
}

/* The kind and its setting ("slow*2+10ms", "error=5%"); false on a malformed setting. */
static bool read_kind(cJSON *f, const char *kind)
{
    size_t n = strcspn(kind, "*+=");
    char *name = copy_of(kind, n);
    cJSON_AddStringToObject(f, "kind", name);
    sim_free(name);
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
    const char *colon = NULL; /* the last ':' before the '@': zone:a|zone:b:partition */
    for (const char *p = at; p && p > spec && !colon; p--)
        if (p[-1] == ':') colon = p - 1;
    cJSON *f = cJSON_CreateObject();
    bool ok = colon && colon > spec && colon + 1 < at;
    if (ok) {
        char *kind = copy_of(colon + 1, (size_t)(at - colon - 1));
        ok = read_kind(f, kind);
        sim_free(kind);
        const char *bar = memchr(spec, '|', (size_t)(colon - spec));
        const char *arrow = memchr(spec, '>', (size_t)(colon - spec));
        const char *split = bar ? bar : arrow;
        if (split) {
            cJSON *from = string_list(spec, (size_t)(split - spec));
            cJSON *to = string_list(split + 1, (size_t)(colon - split - 1));
            ok = ok && from && to;
            if (from) cJSON_AddItemToObject(f, "from", from);
            if (to) cJSON_AddItemToObject(f, "to", to);
            if (arrow) cJSON_AddBoolToObject(f, "one_way", true);
        } else {
            char *target = copy_of(spec, (size_t)(colon - spec));
            cJSON_AddStringToObject(f, "target", target);
            sim_free(target);
        }
        char *when = sim_strdup(at + 1);
        char *plus = strchr(when, '+');
        if (plus) *plus++ = 0;
        sim_time t;
        ok = ok && sim__parse_duration(when, &t) && (!plus || sim__parse_duration(plus, &t));
        cJSON_AddStringToObject(f, "at", when);
        if (plus) cJSON_AddStringToObject(f, "for", plus);
        sim_free(when);
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
    struct sim__text path = {0}, flag = {0};
    sim__text_add(&path, "faults.%d", cJSON_GetArraySize(list) - 1);
    sim__text_add(&flag, "--fault '%s'", spec);
    sim__loader_origin(ld, path.text, flag.text); /* its errors name the flag, not the file */
    sim_free(path.text);
    sim_free(flag.text);
    return true;
}
