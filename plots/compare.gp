# compare.gp: latency figures of each design as grouped bars with 95% interval bars.
# Inputs (-e): datafile (rows "figure mean low high" repeated per design), outfile, term,
# titles (one word per design), designs.
if (term eq 'svg') { set terminal svg size 900,500 dynamic font 'sans,11' } else { set terminal pngcairo size 900,500 font 'sans,11' }
set termoption noenhanced  # labels are plain text: '_' and '&' print as themselves
set output outfile
set title 'latency of each design (successful requests), 95% intervals across replications'
set ylabel 'latency (ms)'
set style data histogram
set style histogram errorbars gap 2 lw 1
set style fill solid 0.6 border -1
set boxwidth 0.9
set key below horizontal
set grid ytics
set yrange [0:*]
plot for [k=0:designs-1] datafile using (column(2+3*k)):(column(3+3*k)):(column(4+3*k)):xtic(1) title word(titles, k+1)
