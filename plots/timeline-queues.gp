# timeline-queues.gp: every node's calls waiting and in service at the end of each
# interval (queues, busy workers, pools, backlogs, lag, whatever its type samples), and for
# autoscaled services their instance count on the right axis.
# A service's capacity (workers and queue limit times instances) is a dotted line, named.
# Inputs (-e): datafile, outfile, term, scenario, warmup, columns and scaled (space-separated),
# caps ("column value" pairs).
if (term eq 'svg') { set terminal svg size 900,560 dynamic font 'sans,11' } else { set terminal pngcairo size 900,560 font 'sans,11' }
set termoption noenhanced  # labels are plain text: '_' and '&' print as themselves
set output outfile
set datafile separator ','
set title sprintf('%s: calls waiting and in service over time, per node', scenario)
set xlabel 'simulated time (s)'
set ylabel 'calls (all instances of a node together)'
set key below horizontal
set grid
set yrange [0:*]
set offsets 0, 0, graph 0.08, 0  # a capacity line at the top stays off the border
load plotdir.'/fault-shading.gp'
# capacity lines: drawn as constant curves (so the y range takes them in) and named at their end
ncaps = exists('caps') ? words(caps) / 2 : 0
capv(i) = i <= ncaps ? word(caps, 2*i) + 0 : NaN  # an empty loop still evaluates once
if (ncaps > 0) {
    do for [i = 1:ncaps] {
        set label 400 + i sprintf('%s limit %s', word(caps, 2*i - 1), word(caps, 2*i)) at graph 0.99, first word(caps, 2*i) + 0 \
            right offset 0, 0.5 font ',9' tc rgb '#5f6368'
    }
}
if (warmup > 0) { set object 1 rect from 0, graph 0 to warmup, graph 1 fc rgb '#e8e8e8' fs solid behind; set label 1 'warm-up' at warmup/2, graph 0.04 center }
if (strlen(scaled) > 0) {
    set y2label 'instances'; set y2tics; set ytics nomirror; set y2range [0:*]
    plot for [c in columns] datafile using 1:(column(c)) with lines lw 2 title c, \
         for [n in scaled] datafile using 1:(column(n.'.instances')) axes x1y2 with steps lw 2 dt 3 title n.'.instances (right axis)', \
         for [i=1:ncaps] capv(i) with lines dt 3 lw 1.5 lc rgb '#5f6368' notitle
} else {
    plot for [c in columns] datafile using 1:(column(c)) with lines lw 2 title c, \
         for [i=1:ncaps] capv(i) with lines dt 3 lw 1.5 lc rgb '#5f6368' notitle
}
