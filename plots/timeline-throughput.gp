# timeline-throughput.gp: offered load, throughput and goodput per second over time (drawn
# wide to narrow, so lines that coincide stay visible), and the error ratio on the right
# axis in percent; faults shaded. Inputs (-e): datafile, outfile, term, scenario, warmup,
# plotdir, fault_*.
if (term eq 'svg') { set terminal svg size 900,520 dynamic font 'sans,11' } else { set terminal pngcairo size 900,520 font 'sans,11' }
set termoption noenhanced  # labels are plain text: '_' and '&' print as themselves
set output outfile
set datafile separator ','
set title sprintf('%s: throughput and errors over time', scenario)
set xlabel 'simulated time (s)'
set ylabel 'requests per second'
set y2label 'errors (% of requests)'
set ytics nomirror
set y2tics
set format y2 '%g%%'
set yrange [0:*]
stats datafile using (column('error_ratio')*100) nooutput
if (STATS_max > 0) { set y2range [0:*] } else { set y2range [0:1] }
set key below horizontal
set grid
load plotdir.'/fault-shading.gp'
if (warmup > 0) { set object 1 rect from 0, graph 0 to warmup, graph 1 fc rgb '#e8e8e8' fs solid behind; set label 1 'warm-up' at warmup/2, graph 0.04 center }
plot datafile using 1:(column('offered')) with lines lw 7 lc rgb '#c6dafc' title 'offered', \
     datafile using 1:(column('throughput')) with lines lw 3.5 lc rgb '#1a73e8' title 'throughput', \
     datafile using 1:(column('goodput')) with lines lw 1.5 dt 2 lc rgb '#202124' title 'goodput', \
     datafile using 1:(column('error_ratio')*100) axes x1y2 with lines lw 2 lc rgb '#c5221f' title 'errors (right axis)'
