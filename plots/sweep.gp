# sweep.gp: a figure against the varied field, one curve per value of the second field,
# with 95% interval bars, and the scenario's expectation on the figure as a red line.
# Inputs (-e): datafile (blocks "x mean low high label", one per curve), outfile, term,
# plottitle, xlabel, ylabel (both with their units), titles (one word per curve), curves,
# categorical (1: x is a list of names, drawn as labels), slo and slotitle ('' for none).
if (term eq 'svg') { set terminal svg size 900,560 dynamic font 'sans,11' } else { set terminal pngcairo size 900,560 font 'sans,11' }
set termoption noenhanced  # labels are plain text: '_' and '&' print as themselves
set output outfile
set title plottitle
set xlabel xlabel
set ylabel ylabel
set key below horizontal
set grid
set yrange [0:*]
stats datafile using 4 nooutput
if (STATS_max <= 0) { set yrange [0:1] }  # a figure at zero everywhere (no errors)
set offsets graph 0.03, graph 0.03, 0, 0
if (strlen(slotitle) > 0) {
    set arrow 1 from graph 0, first slo to graph 1, first slo nohead lw 1.5 dt 2 lc rgb '#c5221f'
    set label 1 slotitle at graph 0.99, first slo right offset 0, 0.6 tc rgb '#c5221f'
    # the line stays in view even above the data
    if (STATS_max < slo * 1.05) { set yrange [0:slo * 1.1] }
}
if (categorical) {
    plot for [i=0:curves-1] datafile index i using 1:2:3:4:xtic(5) with yerrorlines lw 2 pt 7 ps 0.8 title word(titles, i+1)
} else {
    plot for [i=0:curves-1] datafile index i using 1:2:3:4 with yerrorlines lw 2 pt 7 ps 0.8 title word(titles, i+1)
}
