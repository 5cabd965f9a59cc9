# The Paper (LaTeX → PDF), built from the generated tables, macros and figures of PROFILE.
# Included by the top-level Makefile.
#
#   make deps-paper            install latexmk and a small TeX Live set, if missing (apt-get, root)
#   make paper [PROFILE=…]     Paper/build/paper.pdf from $(OUT)/results and $(OUT)/figures
#
# The Paper never types a number: every number is a macro or a table written by `calobnn
# evaluate` (and, for a few counts over those files, by Reproduce/figures/derived-macros.awk).

TEX_PACKAGES = latexmk texlive-latex-base texlive-latex-recommended texlive-fonts-recommended
PAPER_GEN    = Paper/generated

.PHONY: paper deps-paper paper-generated

## deps-paper: latexmk + a small TeX Live set (booktabs, hyperref, caption, lmodern …), only if missing.
deps-paper:
	@missing=""; for p in $(TEX_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "deps-paper: installing$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	else echo "deps-paper: TeX packages present"; fi
