# Figure (study §3): calorimeter images of every class, the three layers as rows, the classes
# as columns, energy per cell on a logarithmic colour scale; either the class average or one
# single event.
#   make target:  figures  (rule in Reproduce/figures.mk; data from `make images`)
#   reads:        DATA/images_<class>.dat  (calobnn evaluate images: gnuplot index 0–2 = the
#                 three layers of the class average, 3·k … 3·k+2 = single event k; rows x y E/MeV)
#   variables:    data, out, classes (space-separated class names), event (0 = average, k ≥ 1)
load 'Reproduce/figures/common.gp'
if (!exists("classes")) { exit error "images_grid.gp: set classes='photon pi0_gg …'" }
if (!exists("event")) { event = 0 }
n = words(classes)
do for [i = 1:n] { file = sprintf("%s/images_%s.dat", data, word(classes, i)); eval require }

# Cells per layer from the data (index l of the first class), and the overall maximum of the
# energies shown, for one common colour scale over five decades.
array NX[3]; array NY[3]
first = sprintf("%s/images_%s.dat", data, word(classes, 1))
do for [l = 0:2] {
  stats first index 3*event+l using 1:2 nooutput
  NX[l+1] = int(STATS_max_x) + 1; NY[l+1] = int(STATS_max_y) + 1
}
emax = 0
do for [i = 1:n] { do for [l = 0:2] {
  stats sprintf("%s/images_%s.dat", data, word(classes, i)) index 3*event+l using 3 nooutput
  emax = (STATS_max > emax) ? STATS_max : emax
} }
if (emax <= 0) { exit error sprintf("figure %s: all cells are zero", out) }
emin = emax * 1e-5

# Column titles: the Unicode labels of the optional `labels` CSV (layer_energies.csv: one row
# per class, in the order of `classes`), else the class names.
array TITLE[n]
do for [i = 1:n] { TITLE[i] = word(classes, i) }
if (exists("labels")) {
  file = labels; eval require
  do for [i = 1:n] { TITLE[i] = system(sprintf("awk -F, 'NR==%d+1 { sub(/ [(]/, \"\\n(\", $1); print $1 }' '%s'", i, labels)) }
}
half = 240.0   # mm: the transverse window is (−240, 240) mm in x and y
set size ratio 1
set xrange [-half:half]; set yrange [-half:half]
unset xtics; unset ytics; unset key
set logscale cb; set cbrange [emin:emax]; set format cb "10^{%L}"; set mcbtics 10

do for [ext in EXTS] {
  eval terminal(ext, 7.2, 2.55)
  set multiplot layout 3, n margins 0.045, 0.875, 0.03, 0.86 spacing 0.004, 0.01 \
      title (event == 0 ? "class averages" : sprintf("single events (no. %d of each class)", event))
  do for [l = 0:2] {
    do for [i = 1:n] {
      c = word(classes, i)
      set title (l == 0 ? TITLE[i] : "") noenhanced offset 0, -0.8 font ",6"
      set ylabel (i == 1 ? sprintf("layer %d", l) : "") offset 1.2, 0
      if (l == 2 && i == n) { set colorbox user origin 0.895, 0.06 size 0.015, 0.76; set cblabel "E per cell (MeV)" offset -0.5, 0 } else { unset colorbox }
      dx = 2*half/NX[l+1]; dy = 2*half/NY[l+1]
      plot sprintf("%s/images_%s.dat", data, c) index 3*event+l \
           using (-half + ($1 + 0.5)*dx):(-half + ($2 + 0.5)*dy):($3 > emin ? $3 : emin) with image
    }
  }
  unset multiplot
}
