# timeline-queues.gp: each service's queue length and busy workers at the end of each
# interval, and for autoscaled services their instance count on the right axis.
# Inputs (-e): datafile, outfile, term, scenario, warmup, nodes and scaled (space-separated).
if (term eq 'svg') { set terminal svg size 900,500 dynamic font 'sans,11' } else { set terminal pngcairo size 900,500 font 'sans,11' }
set output outfile
set datafile separator ','
set title sprintf('%s: queues and busy workers over time', scenario)
set xlabel 'simulated time (s)'
set ylabel 'calls'
set key outside right top
set grid
set yrange [0:*]
if (warmup > 0) { set object 1 rect from 0, graph 0 to warmup, graph 1 fc rgb '#e8e8e8' fs solid behind; set label 1 'warm-up' at warmup/2, graph 0.04 center }
if (strlen(scaled) > 0) {
    set y2label 'instances'; set y2tics; set ytics nomirror; set y2range [0:*]
    plot for [n in nodes] datafile using 1:(column(n.'.queue')) with lines lw 2 title n.' queued', \
         for [n in nodes] datafile using 1:(column(n.'.busy')) with lines lw 2 dt 2 title n.' busy', \
         for [n in scaled] datafile using 1:(column(n.'.instances')) axes x1y2 with steps lw 2 title n.' instances (right axis)'
} else {
    plot for [n in nodes] datafile using 1:(column(n.'.queue')) with lines lw 2 title n.' queued', \
         for [n in nodes] datafile using 1:(column(n.'.busy')) with lines lw 2 dt 2 title n.' busy'
}
