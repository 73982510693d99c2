# timeline-latency.gp: p50 and p99 of each interval over time (first replication), the
# warm-up and faults shaded. Inputs (-e): datafile (timeline CSV), outfile, term, scenario, warmup.
if (term eq 'svg') { set terminal svg size 900,500 dynamic font 'sans,11' } else { set terminal pngcairo size 900,500 font 'sans,11' }
set output outfile
set datafile separator ','
set title sprintf('%s: latency over time (successful requests, per interval)', scenario)
set xlabel 'simulated time (s)'
set ylabel 'latency (ms)'
set key top right box opaque
set grid
set yrange [0:*]
load plotdir.'/fault-shading.gp'
if (warmup > 0) { set object 1 rect from 0, graph 0 to warmup, graph 1 fc rgb '#e8e8e8' fs solid behind; set label 1 'warm-up' at warmup/2, graph 0.04 center }
plot datafile using 1:(column('p99')*1000) with lines lw 2 title 'p99', \
     datafile using 1:(column('p50')*1000) with lines lw 2 title 'p50'
