# Figure (study §4): row-normalised confusion matrix of the BNN or of its deterministic twin
# (rows: true class, columns: predicted class), the fraction printed in every cell.
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
set lmargin at screen 0.37; set rmargin at screen 0.82; set bmargin at screen 0.12; set tmargin at screen 0.90
set cbrange [0:1]
set xlabel "predicted class"; set label 1 "true class" at screen 0.24, 0.94 center
set cblabel "fraction of the true class"
set tics out nomirror scale 0
set xtics 1; set ytics ()
do for [i = 1:k] { set ytics add (sprintf("%s  %d", LABEL[i], i-1) i-1) }
set ytics noenhanced
set title (model eq "bnn" ? "BNN (argmax of the predictive mean)" : "deterministic twin")
do for [ext in EXTS] {
  eval terminal(ext, 5.2, 3.6)
  plot f using 1:2:3 with image notitle, \
       f using 1:2:($3 >= 0.005 ? sprintf("%.2f", $3) : ""):($3 > 0.5 ? 0xffffff : 0x000000) with labels tc rgb variable font ",6" notitle
}
