/* mva.c: mean value analysis (Reiser and Lavenberg) of a closed product-form network: n
 * users cycle between thinking (a delay station, any think-time distribution) and FCFS
 * stations with exponential service. The arrival theorem drives the recursion: a user
 * arriving at a station with n in the network finds it as it is, on average, with n - 1.
 *
 * One server: R_k(n) = D_k (1 + Q_k(n - 1)), exact, all sums of positive terms.
 * c servers: R_k(n) = D_k / c (1 + Q_k(n - 1) + sum_{j<c-1} (c - 1 - j) p_k(j | n - 1)),
 * with the marginals p_k(j | n) = D_k X(n) p_k(j - 1 | n - 1) / j for 0 < j < c. The
 * textbook takes p_k(0 | n) from the utilisation law, c - X D_k - sum (c - j) p_k(j), a
 * difference that loses every digit near saturation (at 8 servers the response comes out
 * twice the truth). Here p_k(0 | n) = p_k(0 | n - 1) X(n) / X_-k(n) instead (from
 * p_k(0 | n) = G_-k(n) / G(n)), X_-k being the throughput of the network without station k,
 * solved alongside: a product of positive ratios, stable. That complement must itself be
 * all single-server, so this is exact for at most one multi-server station (copies count
 * as stations); with more, every multi-server station is Seidmann's approximation, a
 * single server of demand D / c followed by a delay of D (c - 1) / c. */
#include <math.h>

#include "sim.h"

double sim_mva(struct sim_mva_station *st, int nst, int64_t users, double think, bool *exact)
{
    int nld = 0, ld = -1, servers = 0;
    for (int k = 0; k < nst; k++) {
        servers += st[k].servers;
        if (st[k].servers > 1) {
            nld += st[k].copies;
            ld = k;
        }
    }
    *exact = nld <= 1;
    if (users < 1 || nst < 1 || (double)servers * (double)users > SIM_MVA_MAX_WORK) return NAN;
    if (!*exact) ld = -1;
    /* per station: the queue the recursion carries (Seidmann: its queueing part only), the
     * response at n, the complement network's queue; then the marginals of station ld */
    double *q = sim_alloc((size_t)nst * 3 * sizeof *q), *r = q + nst, *qc = r + nst;
    int c = ld >= 0 ? st[ld].servers : 1;
    double *p = sim_alloc((size_t)c * sizeof *p);
    p[0] = 1;
    double x = 0, xprev = 0;
    for (int64_t n = 1; n <= users; n++) {
        double cycle = think, cyclec = think;
        for (int k = 0; k < nst; k++) {
            struct sim_mva_station *s = &st[k];
            if (k == ld) {
                double extra = 0, below = 0; /* idle servers an arrival finds; P(some idle) */
                for (int j = 0; j < c; j++) {
                    below += p[j];
                    if (j < c - 1) extra += (double)(c - 1 - j) * p[j];
                }
                s->wait_probability = below < 1 ? 1 - below : 0;
                r[k] = s->demand / c * (1 + q[k] + extra);
            } else if (s->servers > 1) {
                s->wait_probability = NAN;
                r[k] = s->demand / s->servers * (1 + q[k]);
            } else {
                s->wait_probability = xprev * s->demand; /* busy share at n - 1 */
                r[k] = s->demand * (1 + q[k]);
            }
            s->response = s->servers > 1 && k != ld ? r[k] + s->demand * (s->servers - 1) / s->servers
                                                    : r[k];
            cycle += (double)s->copies * s->response;
            if (ld >= 0 && k != ld) cyclec += (double)s->copies * s->demand * (1 + qc[k]);
        }
        x = (double)n / cycle;
        double xc = cyclec > 0 ? (double)n / cyclec : INFINITY;
        for (int k = 0; k < nst; k++) {
            q[k] = x * r[k];
            st[k].queue = x * st[k].response;
            if (ld >= 0 && k != ld) qc[k] = xc * st[k].demand * (1 + qc[k]);
        }
        if (ld >= 0) {
            for (int j = c - 1; j >= 1; j--) p[j] = st[ld].demand * x * p[j - 1] / j;
            p[0] = isinf(xc) ? 0 : p[0] * x / xc;
        }
        xprev = x;
    }
    for (int k = 0; k < nst; k++) st[k].utilisation = x * st[k].demand / st[k].servers;
    sim_free(p);
    sim_free(q);
    return x;
}
