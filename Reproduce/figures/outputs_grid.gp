# Figure (study §4, the talk's "mean" and "std. dev." panels): for each true class (one panel),
# the distribution over its test events of the predictive mean (or standard deviation over the
# T weight samples) of every output node (one line per node).
#   make target:  figures  (rule in Reproduce/figures.mk; data from `make classification`)
#   reads:        DATA/outputs_<what>.dat  (calobnn evaluate classification: gnuplot index = true
#                 class; columns: bin centre, density of node 0 … K−1), and DATA/confusion_bnn.csv
#                 for the class labels
#   variables:    data, out, what ∈ {mean, std, mean_det}
# Drawn at its printed size (the text width, fonts 8 pt); empty bins are drawn at zero (below the
# log axis), so that a distribution with a single non-empty bin (the noise burst) stays visible.
load 'Reproduce/figures/common.gp'
if (!exists("what")) { what = "mean" }
file = sprintf("%s/outputs_%s.dat", data, what); eval require
f = file
file = sprintf("%s/confusion_bnn.csv", data); eval require
k = 10
array LABEL[k]
do for [i = 1:k] { LABEL[i] = label_from_csv(file, i-1) }
array TITLE[k]
do for [i = 1:k] { TITLE[i] = system(sprintf("printf %%s '%s' | sed 's/ [(]/\\n(/'", LABEL[i])) }

xmax = (what eq "std") ? 0.5 : 1.0
xstep = (what eq "std") ? 0.2 : 0.5
xname = (what eq "std") ? "standard deviation σ of the output node" : \
        (what eq "mean" ? "predictive mean of the output node" : "softmax output (deterministic twin)")
set grid lc rgb '#e0e0e0'

# Layout in inches (printed size: the text width, fonts 8 pt): title, a 2 × 5 grid of panels,
# the x label, and a key of the ten output nodes in three columns across the bottom.
W = TEXTWIDTH; H = 4.8
GL = 0.62/W; GR = 1 - 0.10/W; GT = 1 - 0.62/H; GB = 1.30/H; HG = 0.20/W; VG = 0.42/H
do for [ext in EXTS] {
  eval terminal(ext, W, H)
  set multiplot title sprintf("%s outputs per true class: %s", (what eq "mean_det" ? "deterministic-twin" : "BNN"), xname)
  unset key; set xrange [0:xmax]; set logscale y; set yrange [0.01:100]; set border; set xtics 0, xstep; set ytics 100; set tics nomirror out scale 0.5; set grid
  do for [c = 0:k-1] {
    eval panel(c / 5, c % 5, 2, 5, GL, GR, GB, GT, HG, VG)
    set title TITLE[c+1] noenhanced offset 0, -0.7
    set format x (c >= 5 ? "%g" : "")
    set ylabel ((c % 5) == 0 ? "density" : "") offset 1, 0
    set format y ((c % 5) == 0 ? "10^{/=8 %L}" : "")
    plot for [j = 1:k] f index c using 1:(column(j+1) > 0 ? column(j+1) : 1e-9) with steps lw 1.2 lc rgb NODE_COLOR[j] notitle
  }
  set label 1 xname at screen (GL + GR)/2, 0.92/H center
  set label 2 "output node:" at screen 0.02, 0.68/H left
  do for [j = 1:k] { eval keyentry(j, k, 3, 0.20, 0.99, 0.68/H, 0.16/H, NODE_COLOR[j], LABEL[j]) }
  eval keypanel(0.0, 1.0, 0.0, 0.78/H)
  plot NaN notitle
  unset label; unset arrow
  unset multiplot
}
