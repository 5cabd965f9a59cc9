# Figure (study §5, the talk's A/B/C examples): middle-layer images (12 × 12 cells) of one
# anomalous event of each case — A: ~0 variance, not detected; B: more than one active output
# node (seen by the deterministic net too); C: jumpy decisions (seen only by the BNN); other.
#   make target:  figures  (rule in Reproduce/figures.mk; data from `make anomaly`)
#   reads:        DATA/examples_<cls>.dat  (calobnn evaluate anomaly: gnuplot index 0–3 = case
#                 A, B, C, other; rows x y E/MeV; a single row "0 0 0" when no event has the
#                 case), DATA/std_summary.dat and DATA/class_labels.txt for the label
#   variables:    data, out, cls (class name)
load 'Reproduce/figures/common.gp'
if (!exists("cls")) { exit error "examples.gp: set cls='jpsi_ee' (the removed class)" }
file = sprintf("%s/examples_%s.dat", data, cls); eval require
f = file
file = sprintf("%s/std_summary.dat", data); eval require
rowtext = system(sprintf("awk 'NR==1 { sub(/.*row order: /, \"\"); n = split($0, c, \",\"); for (i = 1; i <= n; i++) if (c[i] == \"%s\") print i-1 }' '%s'", cls, file))
if (rowtext eq "") { exit error sprintf("figure %s: class '%s' is not in the row order of %s", out, cls, file) }
row = int(rowtext)
file = sprintf("%s/class_labels.txt", data); eval require
name = label_from_txt(file, row)

array CASE[4] = ["A: σ ≈ 0 (not seen)", "B: > 1 active node", "C: jumpy decisions", "other"]
array EMPTY[4]
emax = 0
do for [c = 0:3] {
  stats f index c using 3 nooutput
  EMPTY[c+1] = (STATS_records <= 1)
  if (!EMPTY[c+1] && STATS_max > emax) { emax = STATS_max }
}
if (emax <= 0) { emax = 1 }
half = 240.0; dx = 40.0   # mm: 12 cells of 40 mm across the (−240, 240) mm window
set size ratio 1
set xrange [-half:half]; set yrange [-half:half]
unset xtics; unset ytics; unset key
set logscale cb; set cbrange [emax*1e-4:emax]; set format cb "10^{/=8 %L}"
do for [ext in EXTS] {
  eval terminal(ext, TEXTWIDTH, 2.2)   # printed unscaled (fonts 8 pt)
  set multiplot layout 1, 4 margins 0.01, 0.84, 0.04, 0.82 spacing 0.012, 0 \
      title sprintf("anomalous events (removed class %s), middle layer", name) noenhanced
  do for [c = 0:3] {
    set title CASE[c+1] noenhanced offset 0, -0.5
    if (c == 3) { set colorbox user origin 0.865, 0.08 size 0.018, 0.70; set cblabel "energy per cell (MeV)" offset 1.2, 0 } else { unset colorbox }
    if (EMPTY[c+1]) {
      set label 1 "no event\nof this case" at 0, 0 center
      plot NaN notitle
      unset label 1
    } else {
      plot f index c using (-half + ($1 + 0.5)*dx):(-half + ($2 + 0.5)*dx):($3 > emax*1e-4 ? $3 : emax*1e-4) with image notitle
    }
  }
  unset multiplot
}
