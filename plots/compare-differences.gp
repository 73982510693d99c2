# compare-differences.gp: what compare's verdicts are about: for each figure, each design's
# paired difference from design A, as a share of A's mean, with its 95% interval. A bar
# that crosses zero is "no significant difference". Inputs (-e): datafile (rows "figure
# mean low high" per design after A, one block per design), outfile, term, titles (one
# word per design after A), designs (their count), figures (rows per block).
if (term eq 'svg') { set terminal svg size 900,560 dynamic font 'sans,11' } else { set terminal pngcairo size 900,560 font 'sans,11' }
set termoption noenhanced  # labels are plain text: '_' and '&' print as themselves
set output outfile
set datafile missing '?'
set title 'paired difference from design A, 95% intervals (a bar across 0: no significant difference)'
set xlabel 'difference (% of design A''s mean)'
set format x '%+g%%'
set yrange [figures:-1]
set ytics scale 0
set offsets graph 0.08, graph 0.08, 0, 0
set grid xtics
set key below horizontal
set arrow 1 from first 0, graph 0 to first 0, graph 1 nohead lc rgb '#555555'
step = 0.6 / designs
plot for [k=0:designs-1] datafile index k using 2:($0 + (k - (designs - 1) / 2.0) * step):3:4:ytic(1) \
     with xerrorbars pt 7 ps 1 lw 2 title word(titles, k+1)
