# Figure (study §4): predictive mean μ against standard deviation σ of every output node of
# every test event (BNN, T weight samples), as a 2-D histogram, with the bound σ ≤ √(μ(1−μ))
# that holds for any random variable on [0, 1] with mean μ: σ must vanish where μ saturates.
#   make target:  figures  (rule in Reproduce/figures.mk; data from `make classification`)
#   reads:        DATA/mean_vs_std.dat  (calobnn evaluate classification: rows μ σ log10(1+count),
#                 a 50 × 50 grid, blank line after each μ column)
#   variables:    data, out
load 'Reproduce/figures/common.gp'
file = sprintf("%s/mean_vs_std.dat", data); eval require
f = file
bound(x) = sqrt(x*(1-x))
set xrange [0:1]; set yrange [0:0.6]   # room above the bound (max 0.5) for the key
set xlabel "predictive mean μ of an output node"
set ylabel "std. deviation σ over weight samples"
set cblabel "log_{/=8 10}(1 + events × nodes)"
set tics out nomirror scale 0.5
set key top center samplen 2
set samples 400
do for [ext in EXTS] {
  eval terminal(ext, 4.4, 3.2)   # printed unscaled (fonts 8 pt)
  plot f using 1:2:3 with image notitle, \
       bound(x) with lines lw 2 dt 2 lc rgb '#d62728' title "σ = √(μ(1 − μ))"
}
