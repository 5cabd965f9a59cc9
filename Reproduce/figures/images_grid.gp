# Figure (study §3): calorimeter images of every class, the three layers as rows, the classes
# as columns, energy per cell on a logarithmic colour scale; either the class average or one
# single event (which of the two, the Paper's caption says). Drawn at its printed size (the text
# width, fonts 8 pt) with a horizontal colour bar and its label below the panels.
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
# per class, in the order of `classes`), else the class names; broken after the first " → " and
# before " (" (a label without an arrow at its first space), the arrows left in the parenthesis
# set with thin spaces, so that ten columns of 8 pt titles fit the text width without overlapping.
array TITLE[n]
do for [i = 1:n] { TITLE[i] = word(classes, i) }
if (exists("labels")) {
  file = labels; eval require
  do for [i = 1:n] { TITLE[i] = system(sprintf("awk -F, 'NR==%d+1 { sub(/ [(]/, \"\\n(\", $1); if (!sub(/ → /, \" →\\n\", $1)) sub(/ /, \"\\n\", $1); gsub(/ → /, \"\342\200\211→\342\200\211\", $1); print $1 }' '%s'", i, labels)) }
}
half = 240.0   # mm: the transverse window is (−240, 240) mm in x and y
set xrange [-half:half]; set yrange [-half:half]
unset xtics; unset ytics; unset key
set logscale cb; set cbrange [emin:emax]; set format cb "10^{/=8 %L}"; set mcbtics 10
set cbtics scale 0.6 offset 0, 0.3

# Layout in inches (printed size, full text width): square panels of side S in n columns, three
# layer rows; the column titles (up to three lines) above, a horizontal colour bar below.
W = TEXTWIDTH; LEFT = 0.30; RIGHT = 0.03; GAP = 0.05
S = (W - LEFT - RIGHT - (n - 1)*GAP) / n
TOPSTRIP = 0.62; BOTSTRIP = 0.62
H = TOPSTRIP + 3*S + 2*GAP + BOTSTRIP
do for [ext in EXTS] {
  eval terminal(ext, W, H)
  set multiplot
  do for [l = 0:2] {
    do for [i = 1:n] {
      c = word(classes, i)
      x0 = LEFT + (i - 1)*(S + GAP); y1 = H - TOPSTRIP - l*(S + GAP)
      set lmargin at screen x0/W; set rmargin at screen (x0 + S)/W
      set tmargin at screen y1/H; set bmargin at screen (y1 - S)/H
      set title (l == 0 ? TITLE[i] : "") noenhanced offset 0, -0.6
      set ylabel (i == 1 ? sprintf("layer %d", l) : "") offset 1.2, 0
      if (l == 2 && i == n) {
        set colorbox horizontal user origin LEFT/W, 0.36/H size (W - LEFT - RIGHT)/W, 0.10/H
        set cblabel "energy per cell (MeV)" offset 0, 0.6
      } else { unset colorbox }
      dx = 2*half/NX[l+1]; dy = 2*half/NY[l+1]
      plot sprintf("%s/images_%s.dat", data, c) index 3*event+l \
           using (-half + ($1 + 0.5)*dx):(-half + ($2 + 0.5)*dy):($3 > emin ? $3 : emin) with image
    }
  }
  unset multiplot
}
