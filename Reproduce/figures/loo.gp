# Figure (study §5): one removed class (the anomaly) against the nine known classes — left, the
# distribution of the BNN standard deviation σ of the predicted output node; right, of the
# largest predictive mean. Both normalised to unit area.
#   make target:  figures  (rule in Reproduce/figures.mk; data from `make anomaly`)
#   reads:        DATA/loo_<cls>.dat  (calobnn evaluate anomaly: columns bin centre (of 2σ or of
#                 max mean, both on [0, 1]), σ anomaly, σ known, max-mean anomaly, max-mean known,
#                 densities), DATA/std_summary.dat and DATA/class_labels.txt for the label
#   variables:    data, out, cls (class name)
load 'Reproduce/figures/common.gp'
if (!exists("cls")) { exit error "loo.gp: set cls='jpsi_ee' (the removed class)" }
file = sprintf("%s/loo_%s.dat", data, cls); eval require
f = file
file = sprintf("%s/std_summary.dat", data); eval require
rowtext = system(sprintf("awk 'NR==1 { sub(/.*row order: /, \"\"); n = split($0, c, \",\"); for (i = 1; i <= n; i++) if (c[i] == \"%s\") print i-1 }' '%s'", cls, file))
if (rowtext eq "") { exit error sprintf("figure %s: class '%s' is not in the row order of %s", out, cls, file) }
row = int(rowtext)
file = sprintf("%s/class_labels.txt", data); eval require
name = label_from_txt(file, row)

set tics out nomirror scale 0.5
set grid lc rgb '#e0e0e0'
set logscale y; set format y "10^{/=8 %L}"
unset key   # one key for both panels, in a row under the title (inside a panel it hid bars)
set ylabel "density" offset 1, 0
set xlabel offset 0, 0.3
do for [ext in EXTS] {
  eval terminal(ext, 6.4, 3.0)   # printed unscaled (fonts 8 pt)
  set multiplot layout 1, 2 margins 0.10, 0.98, 0.22, 0.80 spacing 0.1, 0 \
      title sprintf("removed class (anomaly): %s", name) noenhanced
  # The σ histogram was filled with 2σ ∈ [0, 1]: x = centre/2, density per unit σ = 2 × stored.
  eval keyentry(1, 2, 2, 0.25, 0.85, 0.875, 0, ANOMALY_COLOR, sprintf("anomaly: %s", name))
  eval keyentry(2, 2, 2, 0.25, 0.85, 0.875, 0, KNOWN_COLOR, "known classes")
  set xrange [0:0.5]; set xlabel "σ of the predicted output node"
  # One outlined box per non-empty bin (not `steps`: a distribution with a single non-empty bin,
  # e.g. every noise burst at σ ≈ 0, must still be visible; empty bins are NaN on the log axis).
  plot f using ($1/2):($2 > 0 ? 2*$2 : NaN):(0.0125) with boxes fs empty lw 1.8 lc rgb ANOMALY_COLOR notitle, \
       f using ($1/2):($3 > 0 ? 2*$3 : NaN):(0.0125) with boxes fs empty lw 1.8 lc rgb KNOWN_COLOR notitle
  unset arrow; unset label
  set xrange [0:1]; set xlabel "largest predictive mean"
  plot f using 1:($4 > 0 ? $4 : NaN):(0.025) with boxes fs empty lw 1.8 lc rgb ANOMALY_COLOR notitle, \
       f using 1:($5 > 0 ? $5 : NaN):(0.025) with boxes fs empty lw 1.8 lc rgb KNOWN_COLOR notitle
  unset multiplot
}
