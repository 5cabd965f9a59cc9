# Figure (study §3, "Validation against Geant4"): for one reference sample, normalised histograms
# of nine shower shapes (total deposit) — Geant4, our simulator before (gflash) and after (geant4)
# its validation — each over a ratio panel (ours / Geant4). Drawn at its printed size (the text
# width, fonts 8 pt), one key for all panels under the title.
#   make target:  figures  (rule in Reproduce/figures.mk; data from `make validation`)
#   reads:        DATA/hist_SAMPLE.dat  (calobnn validate: one block per observable, rows
#                 centre geant4 gflash geant4; '# <name> S=<S gflash> <S geant4>' before each block)
#   variables:    data, out, sample
load 'Reproduce/figures/common.gp'
file = sprintf("%s/hist_%s.dat", data, sample); eval require
f = file
# Observables shown: their block index in the file (order of ShowerShapes.names) and axis label.
array IDX[9] = [0, 3, 4, 6, 8, 9, 10, 12, 17]
# (subscripts at 8 pt: enhanced text would set them at 0.8 × 8 pt)
array LBL[9] = ["f_{/=8 0}", "width x_{/=8 0} / mm", "width y_{/=8 0} / mm", "width y_{/=8 1} / mm", "width y_{/=8 2} / mm", \
                "sparsity_{/=8 0}", "sparsity_{/=8 1}", "E_{/=8 ratio,0}", "hottest-cell fraction_{/=8 2}"]
# Separation powers from the block headers: S(gflash), S(geant4) of block j.
sep(j, k) = system(sprintf("awk '/^# [A-Za-z_0-9]+ S=/ { n++; if (n == %d) { sub(/.*S=/, \"\"); split($0, s, \" \"); print s[%d] } }' '%s'", j + 1, k, f))
# Tic step for three to five labelled tics over a range r (1, 2 or 5 × 10^k): 8 pt labels fit.
nicestep(r) = (r/3 / 10.0**floor(log10(r/3)) < 1.5 ? 1 : (r/3 / 10.0**floor(log10(r/3)) < 3.5 ? 2 : 5)) * 10.0**floor(log10(r/3))
max3(a, b, c) = (a > b ? (a > c ? a : c) : (b > c ? b : c))
set tics out nomirror scale 0.4
set grid lc rgb '#e8e8e8'
set style fill transparent solid 0.25 noborder
C_G4 = '#222222'; C_OLD = '#d62728'; C_NEW = '#1f77b4'
# Layout in inches (printed size: the text width, fonts 8 pt): the title and a key spanning the
# width on top, then a 3 × 3 grid of histogram panels, each over its ratio panel.
W = TEXTWIDTH; H = 8.0
PL = 0.55; PW = 1.60; PG = (W - PL - 0.18 - 3*PW) / 2      # panel left edge, width, gap
TOP = H - 0.72; ROW = 2.52; HH = 1.30; RH = 0.45           # top of the grid, row pitch, heights
do for [ext in EXTS] {
  eval terminal(ext, W, H)
  set multiplot
  set label 1 sprintf("%s: Geant4 vs our simulator (total deposit)", sample) at screen 0.5, (H - 0.14)/H center noenhanced
  eval keyentry(1, 3, 3, 0.16, 0.96, (H - 0.36)/H, 0, C_G4, "Geant4")
  eval keyentry(2, 3, 3, 0.16, 0.96, (H - 0.36)/H, 0, C_OLD, "ours, gflash (before)")
  eval keyentry(3, 3, 3, 0.16, 0.96, (H - 0.36)/H, 0, C_NEW, "ours, geant4 (after)")
  do for [p = 1:9] {
    r = (p - 1) / 3; c = (p - 1) % 3
    L = (PL + c*(PW + PG))/W; R = L + PW/W; T = (TOP - r*ROW)/H; M = T - HH/H; B = M - RH/H
    set autoscale xy   # stats filters by the current ranges: reset them first
    stats f index IDX[p] using 1 nooutput
    set xtics nicestep(STATS_max - STATS_min)
    # histogram panel
    set lmargin at screen L; set rmargin at screen R; set tmargin at screen T; set bmargin at screen M
    set format x ""; unset xlabel; set ylabel (c == 0 ? "fraction" : "") offset 1.0, 0
    set autoscale xy
    stats f index IDX[p] using (max3($2, $3, $4)) nooutput
    set autoscale y; set yrange [0:*]; set ytics nicestep(STATS_max)
    set title sprintf("S = %s → %s", sep(IDX[p], 1), sep(IDX[p], 2)) offset 0, -0.7
    unset key
    plot f index IDX[p] using 1:2 with steps lw 1.8 lc rgb C_G4 notitle, \
         '' index IDX[p] using 1:3 with steps lw 1.2 lc rgb C_OLD notitle, \
         '' index IDX[p] using 1:4 with steps lw 1.2 lc rgb C_NEW notitle
    unset label 1; unset arrow; unset label
    # ratio panel
    set tmargin at screen M; set bmargin at screen B
    unset title; set format x "%g"
    set xlabel LBL[p] offset 0, 0.5; set ylabel (c == 0 ? "ours/G4" : "") offset 1.0, 0
    set yrange [0:1.99]; set ytics 0.5, 1, 1.5   # 1 is the dashed line
    plot f index IDX[p] using 1:($2 > 0 ? $3 / $2 : 1/0) with steps lw 1.0 lc rgb C_OLD notitle, \
         '' index IDX[p] using 1:($2 > 0 ? $4 / $2 : 1/0) with steps lw 1.0 lc rgb C_NEW notitle, \
         1 with lines dt 2 lc rgb '#888888' notitle
  }
  unset multiplot
}
