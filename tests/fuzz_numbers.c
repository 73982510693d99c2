/* fuzz_numbers.c: the second libFuzzer target's mutator. It keeps a scenario well-formed
 * and changes what the user sizes: one number (rates, counts, sizes) to an extreme or a
 * power of ten more or less, one duration string likewise, or one list grown by copies of
 * its last element (faults, schedules, calls, sweep values). Byte mutations rarely get
 * past the JSON parser with a 10^5 in the right place; this reaches the loader's and the
 * run's big cases. Linked with fuzz_loader.c built with a larger event budget (fuzz.sh). */
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);

static uint64_t next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* The numbers, duration strings and arrays under v, in document order. */
struct places {
    cJSON **items;
    size_t n, cap;
};

static bool is_duration(const cJSON *v)
{
    if (!cJSON_IsString(v) || !v->valuestring[0]) return false;
    char *end;
    strtod(v->valuestring, &end);
    return end != v->valuestring && strchr("numsh", *end) && strlen(end) <= 2;
}

static void collect(cJSON *v, struct places *p)
{
    for (cJSON *c = v ? v->child : NULL; c; c = c->next) {
        if (cJSON_IsNumber(c) || is_duration(c) || (cJSON_IsArray(c) && c->child)) {
            if (p->n == p->cap) {
                p->cap = p->cap ? 2 * p->cap : 64;
                cJSON **items = realloc(p->items, p->cap * sizeof *items);
                if (!items) abort();
                p->items = items;
            }
            p->items[p->n++] = c;
        }
        collect(c, p);
    }
}

static const double extremes[] = {0, 1, -1, 2, 0.5, 1e-9, 1e3, 1e5, 1e6, 1e9, 1e12, 1e18,
                                  2147483648.0, 4294967296.0, 9007199254740993.0, 1e308};
static const char *const durations[] = {"0s", "1ns", "1us", "1ms", "100000h", "9223372036s",
                                        "1000000s", "2562047h"};

static void mutate_one(cJSON *v, uint64_t *s)
{
    uint64_t r = next(s);
    if (cJSON_IsNumber(v)) {
        double x = r % 2 ? extremes[(r >> 8) % (sizeof extremes / sizeof *extremes)]
                         : v->valuedouble * (r % 4 == 0 ? 1e-3 : 1e3) * (double)(1 + (r >> 8) % 100);
        cJSON_SetNumberValue(v, x);
    } else if (cJSON_IsString(v)) {
        char buf[64];
        if (r % 2) {
            snprintf(buf, sizeof buf, "%s", durations[(r >> 8) % (sizeof durations / sizeof *durations)]);
        } else {
            char *end;
            double x = strtod(v->valuestring, &end);
            snprintf(buf, sizeof buf, "%.17g%s", x * (double)(1 + (r >> 8) % 100000), end);
        }
        cJSON_SetValuestring(v, buf);
    } else {
        /* A long list: copies of its last element (10 to 10^4 of them). */
        static const int counts[] = {10, 100, 1000, 10000};
        int k = counts[(r >> 8) % 4];
        cJSON *last = v->child->prev ? v->child->prev : v->child;
        for (int i = 0; i < k; i++) {
            cJSON *copy = cJSON_Duplicate(last, true);
            if (!copy) return;
            cJSON_AddItemToArray(v, copy);
        }
    }
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
    cJSON *root = cJSON_ParseWithLength((const char *)data, size);
    struct places p = {0};
    collect(root, &p);
    if (!p.n) {
        cJSON_Delete(root);
        free(p.items);
        return LLVMFuzzerMutate(data, size, max_size);
    }
    uint64_t s = seed | 1ULL << 40;
    int changes = 1 + (int)(next(&s) % 3);
    for (int i = 0; i < changes; i++) mutate_one(p.items[next(&s) % p.n], &s);
    char *text = cJSON_PrintUnformatted(root);
    size_t len = text ? strlen(text) : 0;
    if (text && len <= max_size) memcpy(data, text, len);
    else len = LLVMFuzzerMutate(data, size, max_size);
    cJSON_free(text);
    cJSON_Delete(root);
    free(p.items);
    return len;
}
