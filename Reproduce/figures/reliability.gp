# Figure (beyond the talk): reliability diagram of the BNN (mean over T weight samples) and of its
# deterministic twin on the test set of all classes — accuracy against confidence (the largest mean
# output) in 15 bins; the diagonal is perfect calibration, the ECE is in the key.
#   make target:  figures  (rule in Reproduce/figures.mk; data from `make classification`)
#   reads:        DATA/reliability.dat (calobnn evaluate classification: bin_centre conf_bnn
#                 acc_bnn n_bnn conf_det acc_det n_det; empty bins NaN), DATA/numbers.tex (ECEs)
#   variables:    data, out
load 'Reproduce/figures/common.gp'
file = sprintf("%s/reliability.dat", data); eval require
f = file
file = sprintf("%s/numbers.tex", data); eval require
ece(name) = system(sprintf("sed -n 's/.*newcommand{\\\\%s}{\\([^}]*\\)}.*/\\1/p' '%s'", name, file))
eceB = ece("ECEBNN"); eceD = ece("ECEDet")
set tics out nomirror scale 0.5
set grid lc rgb '#e0e0e0'
set xrange [0:1]; set yrange [0:1]; set size ratio -1
set xlabel "confidence (largest mean output)"; set ylabel "accuracy"
set key bottom right samplen 2 noenhanced
do for [ext in EXTS] {
  eval terminal(ext, 3.6, 3.4)   # printed unscaled (fonts 8 pt)
  plot x with lines dt 2 lc rgb '#808080' title "perfect calibration", \
       f using 2:3 with linespoints pt 7 ps 0.6 lw 1.6 lc rgb '#1f77b4' title sprintf("BNN (ECE %s)", eceB), \
       f using 5:6 with linespoints pt 5 ps 0.6 lw 1.6 lc rgb '#ff7f0e' title sprintf("twin (ECE %s)", eceD)
}
