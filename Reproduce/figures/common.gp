# Shared settings of the figure scripts (loaded by each of them; run gnuplot from the repository
# root, as Reproduce/figures.mk does). Every script is called as
#     gnuplot -e "data='DIR'; out='STEM'[; …]" Reproduce/figures/NAME.gp
# and writes STEM.pdf (pdfcairo) and STEM.png (pngcairo) from the data files in DIR.

if (!exists("data") || !exists("out")) { exit error "usage: gnuplot -e \"data='DIR'; out='STEM'\" script.gp" }

# Fail loudly (non-zero exit, one line saying which file) when a data file is missing or empty.
need(f) = system(sprintf("test -s '%s' && echo ok || echo missing", f))
# usage: file = …; eval require
require = 'if (need(file) ne "ok") { exit error sprintf("figure %s: missing or empty data file %s (run the make target that writes it)", out, file) }'

# Print size: every figure is drawn at the size at which the Paper prints it (Paper/sections/*.tex
# include them unscaled; the text width on A4 with 2.3 cm margins is 164 mm = 6.45 in, so no
# figure is wider than TEXTWIDTH). A font size here is therefore its printed size: the base font
# is 8 pt and no script uses a smaller one (our choice: 8 pt is the usual floor for print).
# pdfcairo's default fontscale is 0.5 (an 8 pt font would print at 4 pt): it is set to 1 here, and
# the PNG's fontscale DPI/72 makes its text the same size relative to the figure. Exponents of tick
# labels are set at 8 pt too ("10^{/=8 %L}"; enhanced text would shrink them to 0.8 × 8 pt).
TEXTWIDTH = 6.45
# Both renderings from one plotting block:  do for [ext in EXTS] { eval terminal(ext, w, h) … }
EXTS = "pdf png"
DPI = 150
terminal(ext, w, h) = (ext eq "pdf") \
  ? sprintf("set terminal pdfcairo enhanced color font 'Helvetica,8' fontscale 1 size %gin,%gin; set output '%s.pdf'", w, h, out) \
  : sprintf("set terminal pngcairo enhanced color font 'Helvetica,8' fontscale %g linewidth %g size %d,%d; set output '%s.png'", DPI/72.0, DPI/72.0, int(w*DPI), int(h*DPI), out)

# Pretty class labels (Unicode) by index, from a generated file whose lines are `i "label"`
# (anomaly/class_labels.txt) or from a confusion-matrix CSV (`i label,…`, classification).
label_from_txt(f, i) = system(sprintf("awk -v i=%d '$1==i { sub(/^[0-9]+ /, \"\"); gsub(/\"/, \"\"); print }' '%s'", i, f))
label_from_csv(f, i) = system(sprintf("awk -F, -v i=%d 'NR>1 && $1 ~ (\"^\" i \" \") { sub(/^[0-9]+ /, \"\", $1); print $1 }' '%s'", i, f))

# Colours: a perceptually ordered palette for maps, ten distinct line colours for output nodes.
set palette defined (0 '#fffff0', 0.15 '#fde725', 0.4 '#35b779', 0.7 '#31688e', 1 '#440154')
array NODE_COLOR[10] = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf']
ANOMALY_COLOR = '#d62728'
KNOWN_COLOR = '#1f77b4'

# Manual multiplot grids (so that a key can span the whole width below the panels):
#   eval panel(row, col, nrows, ncols, left, right, bottom, top, hgap, vgap)   (screen coordinates)
panel(r, c, nr, nc, L, R, B, T, hg, vg) = sprintf("set lmargin at screen %g; set rmargin at screen %g; set bmargin at screen %g; set tmargin at screen %g", \
  L + c*(R-L+hg)/nc, L + (c+1)*(R-L+hg)/nc - hg, T - (r+1)*(T-B+vg)/nr + vg, T - r*(T-B+vg)/nr)
# A panel that draws only a key, across the strip [L, R] × [B, T] of the page.
keypanel(L, R, B, T) = sprintf("set lmargin at screen %g; set rmargin at screen %g; set bmargin at screen %g; set tmargin at screen %g; unset border; unset tics; unset xlabel; unset ylabel; unset title; unset grid; unset logscale; set xrange [0:1]; set yrange [0:1]", L, R, B, T)
# A key drawn with arrows and labels (gnuplot's own key cannot span a multiplot): entries i = 1…n
# in ncols columns from screen (L, T) downwards; call `eval keyentry(i, …)` per entry and
# `unset arrow; unset label` after the plot.
keyentry(i, n, ncols, L, R, T, dy, color, text) = sprintf("set arrow %d from screen %g, %g to screen %g, %g nohead lw 2 lc rgb '%s' front; set label %d \"%s\" at screen %g, %g left noenhanced font ',8' front", \
  100+i, L + ((i-1) % ncols)*(R-L)/ncols, T - ((i-1)/ncols)*dy, L + ((i-1) % ncols)*(R-L)/ncols + 0.025, T - ((i-1)/ncols)*dy, color, \
  100+i, text, L + ((i-1) % ncols)*(R-L)/ncols + 0.032, T - ((i-1)/ncols)*dy)
