# timeline-latency.gp: p50 and p99 of each interval over time (first replication), and the
# share of requests that failed or timed out on the right axis, so an outage shows even
# when no request succeeds; warm-up and faults shaded.
# Inputs (-e): datafile (timeline CSV), outfile, term, scenario, warmup, plotdir, fault_*.
if (term eq 'svg') { set terminal svg size 900,520 dynamic font 'sans,11' } else { set terminal pngcairo size 900,520 font 'sans,11' }
set termoption noenhanced  # labels are plain text: '_' and '&' print as themselves
set output outfile
set datafile separator ','
set title sprintf('%s: latency over time (successful requests) and failures, per interval', scenario)
set xlabel 'simulated time (s)'
set ylabel 'latency of successful requests (ms)'
set y2label 'failed or timed out (% of requests)'
set ytics nomirror
set y2tics
set format y2 '%g%%'
set yrange [0:*]
stats datafile using (column('error_ratio')*100) nooutput
if (STATS_max > 0) { set y2range [0:*] } else { set y2range [0:1] }
set key below horizontal
set grid
set style fill transparent solid 0.35 noborder
load plotdir.'/fault-shading.gp'
if (warmup > 0) { set object 1 rect from 0, graph 0 to warmup, graph 1 fc rgb '#e8e8e8' fs solid behind; set label 1 'warm-up' at warmup/2, graph 0.04 center }
plot datafile using 1:(column('error_ratio')*100) axes x1y2 with boxes lc rgb '#c5221f' title 'failed or timed out (right axis)', \
     datafile using 1:(column('p99')*1000) with lines lw 2 lc rgb '#7b1fa2' title 'p99', \
     datafile using 1:(column('p50')*1000) with lines lw 2 lc rgb '#188038' title 'p50'
