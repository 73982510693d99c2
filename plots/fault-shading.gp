# fault-shading.gp: loaded by the timeline scripts. Shades each fault occurrence of the
# first replication (red), marks its detection (dashed orange) and the moment service came
# back (dashed green). Inputs: fault_begin, fault_end, fault_detect, fault_back, word lists
# of seconds from archsim (-1: never).
if (exists('fault_begin') && words(fault_begin) > 0) {
    do for [i = 1:words(fault_begin)] {
        set object 100 + i rect from word(fault_begin, i) + 0, graph 0 to word(fault_end, i) + 0, graph 1 \
            fc rgb '#f4c7c3' fs solid 0.6 noborder behind
        if (word(fault_detect, i) + 0 >= 0) {
            set arrow 200 + i from word(fault_detect, i) + 0, graph 0 to word(fault_detect, i) + 0, graph 1 \
                nohead dt 2 lw 1.5 lc rgb '#e8710a'
        }
        if (word(fault_back, i) + 0 >= 0) {
            set arrow 300 + i from word(fault_back, i) + 0, graph 0 to word(fault_back, i) + 0, graph 1 \
                nohead dt 2 lw 1.5 lc rgb '#188038'
        }
    }
    set label 99 'fault (shaded), detected (orange dashes), service back (green dashes)' at graph 1, graph 1.015 right font ',9'
}
