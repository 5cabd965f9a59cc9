# Figure (study §5, the talk's A/B/C examples): one anomalous event of each case — A: ~0
# variance, not detected; B: more than one active output node (seen by the deterministic net
# too); C: jumpy decisions under a confident mean (seen only by the BNN); other — the first
# anomalous test event of that case. Top row: its middle-layer image (12 × 12 cells). Bottom row:
# the BNN's Monte-Carlo outputs that define its case — per output node (the known classes,
# numbered, named in the key) the predictive mean (bar) ± σ (error bar) over the T weight samples
# and the fraction of the T samples whose argmax is that node (point); the two lines above each
# panel compare the event's quantities with the case's thresholds (fixed on the known events;
# dashed line: the mean threshold the case uses, B: a second node's mean, C: the predicted
# node's mean). A case without an event draws "no event" in both rows.
#   make target:  figures  (rule in Reproduce/figures.mk; data from `make anomaly`)
#   reads:        DATA/examples_<cls>.dat  (calobnn evaluate anomaly: gnuplot index 0–3 = case
#                 A, B, C, other; rows x y E/MeV; a single row "0 0 0" when no event has the
#                 case), DATA/examples_outputs_<cls>.dat (same event and index; rows: node, mean,
#                 σ, vote fraction, K rows "k 0 0 0" when no event has the case; comment lines
#                 "# thresholds quiet_std … jumpy … active … confident …", per case "# case X
#                 event n predicted k sigma_pred … disagreement … second_mean … mean_pred …" or
#                 "# case X none", and "# node k label"), DATA/std_summary.dat and
#                 DATA/class_labels.txt for the label
#   variables:    data, out, cls (class name)
# Drawn at its printed size (the text width, fonts 8 pt).
load 'Reproduce/figures/common.gp'
if (!exists("cls")) { exit error "examples.gp: set cls='jpsi_ee' (the removed class)" }
file = sprintf("%s/examples_%s.dat", data, cls); eval require
f = file
file = sprintf("%s/examples_outputs_%s.dat", data, cls); eval require
fo = file
file = sprintf("%s/std_summary.dat", data); eval require
rowtext = system(sprintf("awk 'NR==1 { sub(/.*row order: /, \"\"); n = split($0, c, \",\"); for (i = 1; i <= n; i++) if (c[i] == \"%s\") print i-1 }' '%s'", cls, file))
if (rowtext eq "") { exit error sprintf("figure %s: class '%s' is not in the row order of %s", out, cls, file) }
row = int(rowtext)
file = sprintf("%s/class_labels.txt", data); eval require
name = label_from_txt(file, row)

# The outputs file's comment lines: the thresholds, each case's event quantities, the node labels.
thr(key) = real(system(sprintf("awk '$2==\"thresholds\" { for (i = 3; i < NF; i++) if ($i == \"%s\") print $(i+1) }' '%s'", key, fo)))
cval(c, key) = real(system(sprintf("awk '$2==\"case\" && $3==\"%s\" { for (i = 4; i < NF; i++) if ($i == \"%s\") print $(i+1) }' '%s'", c, key, fo)))
K = int(system(sprintf("awk '$2==\"node\"' '%s' | wc -l", fo)))
if (K < 1) { exit error sprintf("figure %s: no '# node' lines in %s", out, fo) }
array NODE[K]
do for [j = 1:K] { NODE[j] = system(sprintf("awk '$2==\"node\" && $3==\"%d\" { sub(/^# node [0-9]+ /, \"\"); print }' '%s'", j-1, fo)) }
quiet = thr("quiet_std"); jumpy = thr("jumpy"); active = thr("active"); confident = thr("confident")
T = int(system(sprintf("awk 'NR==1 { if (match($0, /T = [0-9]+/)) print substr($0, RSTART+4, RLENGTH-4) }' '%s'", fo)))

array CASE[4] = ["A: σ ≈ 0 (not seen)", "B: > 1 active node", "C: jumpy decisions", "other"]
array CODE[4] = ["A", "B", "C", "other"]
array EMPTY[4]
array OUTTITLE[4]
emax = 0
do for [c = 0:3] {
  stats f index c using 3 nooutput
  EMPTY[c+1] = (STATS_records <= 1)
  if (!EMPTY[c+1] && STATS_max > emax) { emax = STATS_max }
}
if (emax <= 0) { emax = 1 }
# The colour bar goes with the last image drawn (a panel without an event draws none).
cbpanel = 3
do for [c = 0:3] { if (!EMPTY[c+1]) { cbpanel = c } }
# Panel titles of the outputs row: the event's quantities against the case's thresholds (our
# wording, short enough for a panel: σ and mean: of the predicted node; mean₂: the
# second-largest mean; jumps: the fraction of samples deciding against the majority). Left-aligned
# above each panel, so that the lines of neighbouring panels cannot run into each other.
g2(x) = sprintf("%.2g", x)
do for [c = 1:4] {
  if (EMPTY[c]) { OUTTITLE[c] = "" } else {
    s = cval(CODE[c], "sigma_pred"); d = cval(CODE[c], "disagreement"); m2 = cval(CODE[c], "second_mean"); mp = cval(CODE[c], "mean_pred")
    if (c == 1) { OUTTITLE[c] = sprintf("σ %s < %s\njumps %s < %s", g2(s), g2(quiet), g2(d), g2(jumpy)) }
    if (c == 2) { OUTTITLE[c] = sprintf("mean₂ %s ≥ %s\nmean %s", g2(m2), g2(active), g2(mp)) }
    if (c == 3) { OUTTITLE[c] = sprintf("jumps %s ≥ %s\nmean %s ≥ %s", g2(d), g2(jumpy), g2(mp), g2(confident)) }
    if (c == 4) { OUTTITLE[c] = sprintf("mean₂ %s < %s\n%s", g2(m2), g2(active), \
                  (d >= jumpy ? sprintf("mean %s < %s", g2(mp), g2(confident)) : sprintf("σ %s ≥ %s", g2(s), g2(quiet)))) }
  }
}

# Layout in inches (printed size: the text width, fonts 8 pt): title, the row of images with its
# colour bar, the row of outputs (same columns), the x label, the key of the bars and the output
# nodes' names in three columns.
W = TEXTWIDTH; H = 5.0
GL = 0.50/W; GR = 1 - 0.70/W; HG = 0.10/W
IT = 1 - 0.55/H; IB = 1 - 1.85/H        # images row
OT = 1 - 2.35/H; OB = 1.45/H            # outputs row
VOTE_COLOR = '#ff7f0e'
half = 240.0; dx = 40.0   # mm: 12 cells of 40 mm across the (−240, 240) mm window
do for [ext in EXTS] {
  eval terminal(ext, W, H)
  # (keypanel below unsets the border and the tics: restore them for the second rendering)
  set border; set cbtics; set style fill empty; unset label; unset arrow; unset object
  set multiplot title sprintf("anomalous events (removed class %s): middle layer and BNN outputs", name) noenhanced
  # Row 1: the images.
  set size ratio 1
  set xrange [-half:half]; set yrange [-half:half]
  unset xtics; unset ytics; unset key; unset grid; unset xlabel; unset ylabel
  set logscale cb; set cbrange [emax*1e-4:emax]; set format cb "10^{/=8 %L}"
  do for [c = 0:3] {
    eval panel(0, c, 1, 4, GL, GR, IB, IT, HG, 0)
    set title CASE[c+1] noenhanced offset 0, -0.5
    if (c == cbpanel) { set colorbox user origin GR + 0.07/W, IB + 0.05/H size 0.10/W, IT - IB - 0.10/H; set cblabel "energy per cell (MeV)" offset 0.9, 0 } else { unset colorbox }
    if (EMPTY[c+1]) {
      set label 1 "no event\nof this case" at 0, 0 center
      plot NaN notitle
      unset label 1
    } else {
      plot f index c using (-half + ($1 + 0.5)*dx):(-half + ($2 + 0.5)*dx):($3 > emax*1e-4 ? $3 : emax*1e-4) with image notitle
    }
  }
  # Row 2: the outputs of the same events.
  set size noratio; unset logscale cb; unset colorbox; unset cblabel
  set xrange [-0.6:K-0.4]; set yrange [0:1.05]
  set xtics 1 out nomirror scale 0.5; set ytics 0, 0.5, 1 out nomirror scale 0.5; set mytics 5
  set grid ytics lc rgb '#e0e0e0'
  set style fill solid 0.45 border lc rgb KNOWN_COLOR
  set boxwidth 0.7
  do for [c = 0:3] {
    eval panel(0, c, 1, 4, GL, GR, OB, OT, HG, 0)
    unset title
    set label 2 OUTTITLE[c+1] at graph 0, 1 left offset 0, 1.9 noenhanced
    set format y (c == 0 ? "%g" : "")
    set ylabel (c == 0 ? "mean ± σ; votes" : "") offset 0.9, 0
    unset arrow 1
    if (c == 1 && !EMPTY[c+1]) { set arrow 1 from graph 0, first active to graph 1, first active nohead dt 2 lc rgb '#555555' }
    if (c == 2 && !EMPTY[c+1]) { set arrow 1 from graph 0, first confident to graph 1, first confident nohead dt 2 lc rgb '#555555' }
    if (EMPTY[c+1]) {
      set label 1 "no event\nof this case" at graph 0.5, 0.5 center
      plot NaN notitle
      unset label 1
    } else {
      plot fo index c using 1:2 with boxes lc rgb KNOWN_COLOR notitle, \
           fo index c using 1:2:($2 - $3 > 0 ? $2 - $3 : 0):($2 + $3) with yerrorbars pt 1 ps 0 lw 1.2 lc rgb 'black' notitle, \
           fo index c using 1:($4 > 0 ? $4 : NaN) with points pt 7 ps 0.7 lc rgb VOTE_COLOR notitle
    }
    unset label 2
  }
  unset arrow 1
  # The x label, the key of the bars and points, and the output nodes' names in three columns.
  set label 1 "output node" at screen (GL + GR)/2, OB - 0.33/H center
  set object 1 rect from screen 0.02, 0.88/H to screen 0.02 + 0.18/W, 0.96/H fc rgb KNOWN_COLOR fs solid 0.45 border lc rgb KNOWN_COLOR front
  set label 2 sprintf("mean ± σ over the T = %d weight samples", T) at screen 0.02 + 0.25/W, 0.92/H left
  set label 3 "●" at screen 0.50 + 0.09/W, 0.92/H center tc rgb VOTE_COLOR
  set label 4 "fraction of the T samples voting for the node" at screen 0.50 + 0.25/W, 0.92/H left
  set label 5 "output node:" at screen 0.02, 0.62/H left
  do for [j = 1:K] {
    set label 10+j sprintf("%d  %s", j-1, NODE[j]) at screen 0.17 + ((j-1) % 3)*0.28, (0.62 - ((j-1)/3)*0.17)/H left noenhanced
  }
  eval keypanel(0.0, 1.0, 0.0, 0.001)
  plot NaN notitle
  unset label; unset object 1
  unset multiplot
}
