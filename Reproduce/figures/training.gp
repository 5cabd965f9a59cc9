# Figure (study §4): training curves of the BNN and its deterministic twin — loss (left) and
# accuracy (right) per epoch, on the training and the validation set. The BNN's loss is the
# minibatch −ELBO/N (mean cross-entropy + KL/N), the twin's the mean cross-entropy; the BNN's KL/N
# (its share of the loss, averaged over the epoch) is drawn too: a still-moving posterior shows there.
#   make target:  figures  (rule in Reproduce/figures.mk; data from `make classification`)
#   reads:        DATA/training_bnn.dat, DATA/training_det.dat  (calobnn evaluate classification:
#                 rows epoch train_loss train_acc val_loss val_acc kl_per_example)
#   variables:    data, out
load 'Reproduce/figures/common.gp'
file = sprintf("%s/training_bnn.dat", data); eval require
fb = file
file = sprintf("%s/training_det.dat", data); eval require
fd = file
# The axes' settings, made again for every rendering (the key panel of the previous one unsets them).
SETUP = "set border; set autoscale xy; set xtics autofreq; set ytics autofreq; set tics out nomirror scale 0.5; set mxtics; \
  set grid lc rgb '#e0e0e0'; set xlabel 'epoch' offset 0, 0.4; unset key"
# integer epochs, spaced by gnuplot (60 epochs do not fit one tic each)
do for [ext in EXTS] {
  eval terminal(ext, TEXTWIDTH, 3.0)
  # one key for both panels, in a row above them (inside a panel it would hide curves)
  set multiplot
  eval SETUP
  eval panel(0, 0, 1, 2, 0.10, 0.98, 0.16, 0.84, 0.13, 0)
  set ylabel "loss" offset 1, 0
  unset key
  plot fb using 1:2 with linespoints pt 7 ps 0.5 lw 1.5 lc rgb '#1f77b4' title "BNN train", \
       fb using 1:4 with linespoints pt 7 ps 0.5 lw 1.5 dt 2 lc rgb '#1f77b4' title "BNN validation", \
       fd using 1:2 with linespoints pt 5 ps 0.5 lw 1.5 lc rgb '#ff7f0e' title "det. train", \
       fd using 1:4 with linespoints pt 5 ps 0.5 lw 1.5 dt 2 lc rgb '#ff7f0e' title "det. validation", \
       fb using 1:6 with lines lw 1.5 dt 3 lc rgb '#2ca02c' title "BNN KL/N"
  eval panel(0, 1, 1, 2, 0.10, 0.98, 0.16, 0.84, 0.13, 0)
  set ylabel "accuracy" offset 1, 0
  plot fb using 1:3 with linespoints pt 7 ps 0.5 lw 1.5 lc rgb '#1f77b4' title "BNN train", \
       fb using 1:5 with linespoints pt 7 ps 0.5 lw 1.5 dt 2 lc rgb '#1f77b4' title "BNN validation", \
       fd using 1:3 with linespoints pt 5 ps 0.5 lw 1.5 lc rgb '#ff7f0e' title "det. train", \
       fd using 1:5 with linespoints pt 5 ps 0.5 lw 1.5 dt 2 lc rgb '#ff7f0e' title "det. validation"
  eval keypanel(0.02, 0.98, 0.87, 1.0)
  set key center center horizontal samplen 3
  plot NaN with linespoints pt 7 ps 0.5 lw 1.5 lc rgb '#1f77b4' title "BNN train", \
       NaN with linespoints pt 7 ps 0.5 lw 1.5 dt 2 lc rgb '#1f77b4' title "BNN validation", \
       NaN with linespoints pt 5 ps 0.5 lw 1.5 lc rgb '#ff7f0e' title "det. train", \
       NaN with linespoints pt 5 ps 0.5 lw 1.5 dt 2 lc rgb '#ff7f0e' title "det. validation", \
       NaN with lines lw 1.5 dt 3 lc rgb '#2ca02c' title "BNN KL/N"
  unset multiplot
}
