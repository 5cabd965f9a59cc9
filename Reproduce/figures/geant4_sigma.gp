# Figure (study §3 validated, the study on Geant4 images): the BNN's σ of the predicted node, per
# class, on our own test events and on Geant4 events — does the BNN notice the change of simulator?
#   make target:  figures  (rule in Reproduce/figures.mk; data from `make geant4`)
#   reads:        DATA/sigma_own_vs_geant4.dat (calobnn evaluate geant4: one block per class, rows
#                 sigma own_fraction geant4_fraction), DATA/classes.txt (class names in block order)
#   variables:    data, out
load 'Reproduce/figures/common.gp'
file = sprintf("%s/sigma_own_vs_geant4.dat", data); eval require
f = file
file = sprintf("%s/classes.txt", data); eval require
names = system(sprintf("tr '\\n' ' ' < '%s'", file))
n = words(names)
set tics out nomirror scale 0.5
set grid lc rgb '#e8e8e8'
set logscale y
set yrange [1e-3:1.5]
set xrange [0:0.45]
set xtics 0.1
do for [ext in EXTS] {
  eval terminal(ext, TEXTWIDTH, 2.8)   # printed unscaled (fonts 8 pt)
  set multiplot layout 1, n margins 0.12, 0.99, 0.2, 0.78 spacing 0.02, 0
  # the key in a row above the panels (inside one it would hide a curve)
  eval keyentry(1, 2, 2, 0.40, 0.90, 0.95, 0, KNOWN_COLOR, "our simulator")
  eval keyentry(2, 2, 2, 0.40, 0.90, 0.95, 0, ANOMALY_COLOR, "Geant4")
  set label 1 "σ of the BNN's predicted node" at screen 0.535, 0.04 center
  do for [i = 1:n] {
    set title word(names, i) noenhanced
    set ylabel (i == 1 ? "fraction of events" : "")
    set format y (i == 1 ? "%g" : "")
    unset key
    plot f index (i - 1) using 1:($2 > 0 ? $2 : 1/0) with steps lw 1.5 lc rgb KNOWN_COLOR notitle, \
         '' index (i - 1) using 1:($3 > 0 ? $3 : 1/0) with steps lw 1.5 lc rgb ANOMALY_COLOR notitle
    unset label; unset arrow
  }
  unset multiplot
}
