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
unset xlabel   # a screen label below: the rotated class names leave no room for an xlabel
set tics out nomirror scale 0.5
set grid ytics lc rgb '#e0e0e0'
# the key in a row above the plot, where it cannot hide a whisker
set key at screen 0.75, 0.995 right top vertical samplen 1.5
set bars 2
do for [ext in EXTS] {
  eval terminal(ext, 6.4, 3.7)   # printed unscaled (fonts 8 pt)
  set lmargin at screen 0.11; set rmargin at screen 0.98; set bmargin at screen 0.34; set tmargin at screen 0.88
  set label 1 "removed class (the anomaly)" at screen 0.545, 0.04 center
  plot f using ($1 - 0.15):3:2:4 with yerrorbars pt 7 ps 0.7 lw 1.5 lc rgb ANOMALY_COLOR title "removed class (anomaly): median, 16–84 %", \
       f using ($1 + 0.15):6:5:7 with yerrorbars pt 5 ps 0.7 lw 1.5 lc rgb KNOWN_COLOR title "known classes: median, 16–84 %"
  unset label 1
}
