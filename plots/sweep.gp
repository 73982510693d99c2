# sweep.gp: a figure against the varied field, one curve per value of the second field,
# with 95% interval bars. Inputs (-e): datafile (blocks "x mean low high", one per curve),
# outfile, term, plottitle, xlabel, ylabel, titles (one word per curve), curves.
if (term eq 'svg') { set terminal svg size 900,560 dynamic font 'sans,11' } else { set terminal pngcairo size 900,560 font 'sans,11' }
set output outfile
set title plottitle
set xlabel xlabel
set ylabel ylabel
set key top left box opaque
set grid
set yrange [0:*]
plot for [i=0:curves-1] datafile index i using 1:2:3:4 with yerrorlines lw 2 pt 7 ps 0.8 title word(titles, i+1)
