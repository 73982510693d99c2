# latency-cdf.gp: the end-to-end latency CDF of successful requests, every replication
# merged, on a log latency axis. Inputs (-e): datafile ("ms fraction"), outfile, term, scenario.
if (term eq 'svg') { set terminal svg size 900,500 dynamic font 'sans,11' } else { set terminal pngcairo size 900,500 font 'sans,11' }
set output outfile
set title sprintf('%s: latency CDF (successful requests, all replications)', scenario)
set xlabel 'latency (ms, log scale)'
set ylabel 'fraction of requests at or below'
set logscale x
set yrange [0:1]
set ytics 0.1
set grid xtics ytics mxtics
set key bottom right box opaque
set arrow 1 from graph 0, first 0.99 to graph 1, first 0.99 nohead dt 2 lc rgb '#888888'
set label 1 'p99' at graph 0.02, first 0.975
plot datafile using 1:2 with lines lw 2 title 'CDF'
