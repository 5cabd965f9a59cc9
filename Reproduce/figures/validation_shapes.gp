# Figure (study §3, "Validation against Geant4"): for one reference sample, normalised histograms
# of nine shower shapes (total deposit) — Geant4, our simulator before (gflash) and after (geant4)
# its validation — each over a ratio panel (ours / Geant4).
#   make target:  figures  (rule in Reproduce/figures.mk; data from `make validation`)
#   reads:        DATA/hist_SAMPLE.dat  (calobnn validate: one block per observable, rows
#                 centre geant4 gflash geant4; '# <name> S=<S gflash> <S geant4>' before each block)
#   variables:    data, out, sample
load 'Reproduce/figures/common.gp'
file = sprintf("%s/hist_%s.dat", data, sample); eval require
f = file
# Observables shown: their block index in the file (order of ShowerShapes.names) and axis label.
array IDX[9] = [0, 3, 4, 6, 8, 9, 10, 12, 17]
array LBL[9] = ["f_0", "width x_0 / mm", "width y_0 / mm", "width y_1 / mm", "width y_2 / mm", \
                "sparsity_0", "sparsity_1", "E_{ratio,0}", "hottest-cell fraction_2"]
# Separation powers from the block headers: S(gflash), S(geant4) of block j.
sep(j, k) = system(sprintf("awk '/^# [A-Za-z_0-9]+ S=/ { n++; if (n == %d) { sub(/.*S=/, \"\"); split($0, s, \" \"); print s[%d] } }' '%s'", j + 1, k, f))
set tics out nomirror scale 0.4 font ',6'
set grid lc rgb '#e8e8e8'
set style fill transparent solid 0.25 noborder
C_G4 = '#222222'; C_OLD = '#d62728'; C_NEW = '#1f77b4'
do for [ext in EXTS] {
  eval terminal(ext, 7.2, 7.4)
  set multiplot
  set label 1 sprintf("%s: Geant4 vs our simulator (total deposit)", sample) at screen 0.5, 0.985 center font ',8' noenhanced
  do for [p = 1:9] {
    r = (p - 1) / 3; c = (p - 1) % 3
    L = 0.08 + c * 0.315; R = L + 0.245; T = 0.945 - r * 0.318; B = T - 0.228; M = B + 0.068
    # histogram panel
    set lmargin at screen L; set rmargin at screen R; set tmargin at screen T; set bmargin at screen M
    set format x ""; unset xlabel; set ylabel (c == 0 ? "fraction" : "") offset 1.5, 0 font ',6'
    set autoscale y; set yrange [0:*]
    set title sprintf("S = %s → %s", sep(IDX[p], 1), sep(IDX[p], 2)) font ',6' offset 0, -0.6
    set key top right font ',6' samplen 1.5 spacing 0.8
    plot f index IDX[p] using 1:2 with steps lw 1.8 lc rgb C_G4 title (p == 1 ? "Geant4" : ""), \
         '' index IDX[p] using 1:3 with steps lw 1.2 lc rgb C_OLD title (p == 1 ? "gflash (before)" : ""), \
         '' index IDX[p] using 1:4 with steps lw 1.2 lc rgb C_NEW title (p == 1 ? "geant4 (after)" : "")
    unset label 1
    # ratio panel
    set tmargin at screen M; set bmargin at screen B
    unset title; unset key; set format x "%g"
    set xlabel LBL[p] offset 0, 0.8 font ',6'; set ylabel (c == 0 ? "ours/G4" : "") font ',6'
    set yrange [0:1.99]; set ytics 0.5, 0.5, 1.5 font ',5'
    plot f index IDX[p] using 1:($2 > 0 ? $3 / $2 : 1/0) with steps lw 1.0 lc rgb C_OLD notitle, \
         '' index IDX[p] using 1:($2 > 0 ? $4 / $2 : 1/0) with steps lw 1.0 lc rgb C_NEW notitle, \
         1 with lines dt 2 lc rgb '#888888' notitle
    set ytics autofreq
  }
  unset multiplot
}
