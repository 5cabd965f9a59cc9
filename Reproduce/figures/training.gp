# Figure (study §4): training curves of the BNN and its deterministic twin — loss (left) and
# accuracy (right) per epoch, on the training and the validation set. The BNN's loss is the
# minibatch −ELBO/N (mean cross-entropy + KL/N), the twin's the mean cross-entropy.
#   make target:  figures  (rule in Reproduce/figures.mk; data from `make classification`)
#   reads:        DATA/training_bnn.dat, DATA/training_det.dat  (calobnn evaluate classification:
#                 rows epoch train_loss train_acc val_loss val_acc)
#   variables:    data, out
load 'Reproduce/figures/common.gp'
file = sprintf("%s/training_bnn.dat", data); eval require
fb = file
file = sprintf("%s/training_det.dat", data); eval require
fd = file
set tics out nomirror scale 0.5
set grid lc rgb '#e0e0e0'
set xlabel "epoch"
set key samplen 2.5 spacing 1.1
set xtics autofreq  # integer epochs, spaced by gnuplot (60 epochs do not fit one tic each)
set mxtics
do for [ext in EXTS] {
  eval terminal(ext, 7.0, 2.8)
  set multiplot layout 1, 2 margins 0.09, 0.98, 0.17, 0.96 spacing 0.1, 0
  set ylabel "loss"; set key top right
  plot fb using 1:2 with linespoints pt 7 ps 0.5 lw 1.5 lc rgb '#1f77b4' title "BNN train", \
       fb using 1:4 with linespoints pt 7 ps 0.5 lw 1.5 dt 2 lc rgb '#1f77b4' title "BNN validation", \
       fd using 1:2 with linespoints pt 5 ps 0.5 lw 1.5 lc rgb '#ff7f0e' title "det. train", \
       fd using 1:4 with linespoints pt 5 ps 0.5 lw 1.5 dt 2 lc rgb '#ff7f0e' title "det. validation"
  set ylabel "accuracy"; set key bottom right
  plot fb using 1:3 with linespoints pt 7 ps 0.5 lw 1.5 lc rgb '#1f77b4' title "BNN train", \
       fb using 1:5 with linespoints pt 7 ps 0.5 lw 1.5 dt 2 lc rgb '#1f77b4' title "BNN validation", \
       fd using 1:3 with linespoints pt 5 ps 0.5 lw 1.5 lc rgb '#ff7f0e' title "det. train", \
       fd using 1:5 with linespoints pt 5 ps 0.5 lw 1.5 dt 2 lc rgb '#ff7f0e' title "det. validation"
  unset multiplot
}
