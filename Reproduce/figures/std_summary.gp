# Figure (study §5, the talk's summary): the BNN standard deviation σ of the predicted output
# node when each class is removed from training in turn — median and 16–84 % band of the removed
# class (anomaly) and of the nine known classes, one pair per removed class.
#   make target:  figures  (rule in Reproduce/figures.mk; data from `make anomaly`)
#   reads:        DATA/std_summary.dat  (calobnn evaluate anomaly: row σ16 σ50 σ84 of the anomaly,
#                 σ16 σ50 σ84 of the known classes), DATA/class_labels.txt (row "label")
#   variables:    data, out
load 'Reproduce/figures/common.gp'
file = sprintf("%s/std_summary.dat", data); eval require
f = file
file = sprintf("%s/class_labels.txt", data); eval require
stats f using 1 nooutput
n = STATS_records
set xrange [-0.6:n-0.4]
set yrange [0:*]
set xtics () rotate by 35 right noenhanced
do for [i = 0:n-1] { set xtics add (label_from_txt(file, i) i) }
set ylabel "σ of the predicted output node" offset 1, 0
set xlabel "removed class (the anomaly)"
set tics out nomirror scale 0.5
set grid ytics lc rgb '#e0e0e0'
set key top left samplen 1.5
set bars 2
do for [ext in EXTS] {
  eval terminal(ext, 6.4, 3.2)
  set lmargin at screen 0.11; set rmargin at screen 0.98; set bmargin at screen 0.33; set tmargin at screen 0.96
  plot f using ($1 - 0.15):3:2:4 with yerrorbars pt 7 ps 0.7 lw 1.5 lc rgb ANOMALY_COLOR title "anomaly (removed class): median, 16–84 %", \
       f using ($1 + 0.15):6:5:7 with yerrorbars pt 5 ps 0.7 lw 1.5 lc rgb KNOWN_COLOR title "known classes: median, 16–84 %"
}
