# latency-cdf.gp: the latency tail of successful requests, every replication merged: the
# share of requests slower than x (complementary CDF), both axes logarithmic, so p99 and
# p999 are read where the curve crosses 1% and 0.1%. Inputs (-e): datafile ("ms fraction"),
# outfile, term, scenario.
if (term eq 'svg') { set terminal svg size 900,520 dynamic font 'sans,11' } else { set terminal pngcairo size 900,520 font 'sans,11' }
set termoption noenhanced  # labels are plain text: '_' and '&' print as themselves
set output outfile
set title sprintf('%s: latency tail (successful requests, all replications)', scenario)
set xlabel 'latency (ms, log scale)'
set ylabel 'share of requests slower (log scale)'
set logscale xy
set autoscale xfix
set yrange [1e-5:1]
set format y '%g'
set ytics ('100%%' 1, '10%%' 0.1, '1%%' 0.01, '0.1%%' 0.001, '0.01%%' 1e-4, '0.001%%' 1e-5)
set grid xtics ytics mxtics
set key below horizontal
set arrow 1 from graph 0, first 0.01 to graph 1, first 0.01 nohead dt 2 lc rgb '#888888'
set arrow 2 from graph 0, first 0.001 to graph 1, first 0.001 nohead dt 2 lc rgb '#888888'
set label 1 'p99' at graph 0.01, first 0.013
set label 2 'p999' at graph 0.01, first 0.0013
plot datafile using 1:(1 - $2 > 0 ? 1 - $2 : 1/0) with lines lw 2 title 'share slower than x'
