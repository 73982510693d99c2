# timeline-availability.gp: availability over the scenario's sliding SLO window and the
# error ratio per interval, the objective as a line, faults shaded (first replication).
# Inputs (-e): datafile, outfile, term, scenario, warmup, slo, plotdir, fault_* lists.
if (term eq 'svg') { set terminal svg size 900,500 dynamic font 'sans,11' } else { set terminal pngcairo size 900,500 font 'sans,11' }
set termoption noenhanced  # labels are plain text: '_' and '&' print as themselves
set output outfile
set datafile separator ','
set title sprintf('%s: availability over the SLO window, faults shaded', scenario)
set xlabel 'simulated time (s)'
set ylabel 'availability (%)'
set key below horizontal
set grid
set yrange [*:100.5]
load plotdir.'/fault-shading.gp'
plot datafile using 1:(column('slo.window_availability')*100) with lines lw 2 title 'availability (sliding window)', \
     datafile using 1:((1 - column('error_ratio'))*100) with lines lw 1 dt 3 title 'per interval', \
     slo*100 with lines lw 1.5 dt 2 lc rgb '#c5221f' title sprintf('objective %.4g%%', slo*100)
