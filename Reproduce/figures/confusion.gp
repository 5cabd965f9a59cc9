# Figure (study §4): row-normalised confusion matrix of the BNN or of its deterministic twin
# (rows: true class, columns: predicted class), the fraction printed in every cell and shown by the
# colour, whose scale is the colour bar. Drawn at its printed size (the text width, fonts 8 pt).
#   make target:  figures  (rule in Reproduce/figures.mk; data from `make classification`)
#   reads:        DATA/confusion_<model>.dat  (calobnn evaluate classification: rows
#                 predicted true fraction), DATA/confusion_bnn.csv for the class labels
#   variables:    data, out, model ∈ {bnn, det}
load 'Reproduce/figures/common.gp'
if (!exists("model")) { model = "bnn" }
file = sprintf("%s/confusion_%s.dat", data, model); eval require
f = file
file = sprintf("%s/confusion_bnn.csv", data); eval require
k = 10
array LABEL[k]
do for [i = 1:k] { LABEL[i] = label_from_csv(file, i-1) }
set xrange [-0.5:k-0.5]; set yrange [k-0.5:-0.5]
set lmargin at screen 0.28; set rmargin at screen 0.80; set bmargin at screen 0.14; set tmargin at screen 0.90
set cbrange [0:1]
set xlabel "predicted class" offset 0, 0.4; set label 1 "true class" at screen 0.13, 0.94 center
set cblabel "fraction of the true class"
set colorbox user origin 0.83, 0.14 size 0.025, 0.76
set cbtics 0.2
set tics out nomirror scale 0
set xtics 1; set ytics ()
do for [i = 1:k] { set ytics add (sprintf("%s  %d", LABEL[i], i-1) i-1) }
set ytics noenhanced
set title (model eq "bnn" ? "BNN (argmax of the predictive mean)" : "deterministic twin")
do for [ext in EXTS] {
  eval terminal(ext, TEXTWIDTH, 3.7)
  plot f using 1:2:3 with image notitle, \
       f using 1:2:($3 >= 0.005 ? sprintf("%.2f", $3) : ""):($3 > 0.5 ? 0xffffff : 0x000000) with labels tc rgb variable notitle
}
