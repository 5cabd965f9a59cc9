# Figure (study §5): every removed class at a glance — for each of the ten leave-one-out
# trainings (one panel), the distribution of the BNN standard deviation σ of the predicted node
# for the removed class (anomaly) and for the nine known classes' test events.
#   make target:  figures  (rule in Reproduce/figures.mk; data from `make anomaly`)
#   reads:        DATA/loo_<class>.dat for every class of `classes` (columns: bin centre of 2σ,
#                 σ anomaly, σ known, …; densities), DATA/class_labels.txt (labels in row order)
#   variables:    data, out, classes (space-separated class names, in the row order of the labels)
load 'Reproduce/figures/common.gp'
if (!exists("classes")) { exit error "loo_grid.gp: set classes='photon pi0_gg …'" }
n = words(classes)
do for [i = 1:n] { file = sprintf("%s/loo_%s.dat", data, word(classes, i)); eval require }
file = sprintf("%s/class_labels.txt", data); eval require
array TITLE[n]
do for [i = 1:n] { TITLE[i] = system(sprintf("printf %%s '%s' | sed 's/ [(]/\\n(/'", label_from_txt(file, i-1))) }
ncols = 5; nrows = int((n + ncols - 1) / ncols)
do for [ext in EXTS] {
  eval terminal(ext, TEXTWIDTH, 1.75*nrows + 0.75)   # printed unscaled (fonts 8 pt)
  set multiplot title "BNN σ of the predicted node: removed class (red) against the known classes (blue)"
  unset key; set xrange [0:0.5]; set logscale y; set yrange [0.01:200]; set border
  set xtics 0, 0.2; set ytics 100; set tics nomirror out scale 0.5; set grid lc rgb '#e0e0e0'
  do for [i = 1:n] {
    c = i - 1
    eval panel(c / ncols, c % ncols, nrows, ncols, 0.10, 0.985, 0.14, 0.86, 0.022, 0.12)
    set title TITLE[i] noenhanced offset 0, -0.7
    set format x (c / ncols == nrows - 1 ? "%g" : "")
    set ylabel ((c % ncols) == 0 ? "density" : "") offset 1, 0
    set format y ((c % ncols) == 0 ? "10^{/=8 %L}" : "")
    f = sprintf("%s/loo_%s.dat", data, word(classes, i))
    # The σ histogram was filled with 2σ ∈ [0, 1]: x = centre/2, density per unit σ = 2 × stored.
    # Outlined boxes per non-empty bin: a one-bin distribution (the noise burst) stays visible.
    plot f using ($1/2):($2 > 0 ? 2*$2 : NaN):(0.0125) with boxes fs empty lw 1.5 lc rgb ANOMALY_COLOR, \
         f using ($1/2):($3 > 0 ? 2*$3 : NaN):(0.0125) with boxes fs empty lw 1.5 lc rgb KNOWN_COLOR
  }
  set label 1 "σ of the predicted output node" at screen 0.535, 0.035 center
  eval keypanel(0, 1, 0, 0.001)
  plot NaN notitle
  unset label 1
  unset multiplot
}
