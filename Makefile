# calo-bnn — the two commands a user needs are `make reproduce` and `make test`.
# Everything else here is a step of those, or a convenience (bench, paper, docs).
#
#   make deps        install the Debian/PyPI packages we need, if missing (runs apt-get as root)
#   make build       release build of the `calobnn` tool
#   make test        unit, gradient-check and golden tests, the quick profile vs its goldens, h5py check
#   make bench       throughput JSON (simulator events/s; training and prediction samples/s)
#   make reproduce   every table and figure of the study (PROFILE=quick|default|full)
#   make paper       the Paper (PDF) from the generated tables and figures of PROFILE
#   make docs        DocC documentation of every library module
#
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

SWIFT       ?= swift
PROFILE     ?= default
OUT         ?= out/$(PROFILE)
CALOBNN      = .build/release/calobnn
PYTHON      ?= python3

# Debian packages: GSL, OpenBLAS, HDF5 (build + run), gnuplot and its fonts (figures; we install
# without Recommends, so the fonts the figures use are named here), pkg-config.
DEB_PACKAGES = libgsl-dev libopenblas-dev libhdf5-dev pkg-config gnuplot-nox fonts-dejavu-core fonts-liberation
# PyPI packages used only by checks that read our files the way users' tools do.
PY_PACKAGES  = h5py numpy

.PHONY: help deps build test bench reproduce clean check-h5py check-goldens record-goldens docs

help:
	@awk '/^#/ { sub(/^# ?/, ""); print; next } { exit }' Makefile

# $(call apt-install,LABEL,PACKAGES): install those of PACKAGES that dpkg does not list as
# installed (apt-get update first; sudo when not root). Shared by `deps` and `deps-paper`.
define apt-install
	@missing=""; for p in $(2); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "$(1): installing$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	else echo "$(1): system packages present"; fi
endef

## deps: install missing system packages (apt-get update first), then h5py for the read check.
deps:
	$(call apt-install,deps,$(DEB_PACKAGES))
	@$(PYTHON) -c "import h5py, numpy" 2>/dev/null || { echo "deps: pip install $(PY_PACKAGES)"; \
	  $(PYTHON) -m pip install -q --disable-pip-version-check $(PY_PACKAGES); }

build: deps
	$(SWIFT) build -c release --product calobnn

## test: the h5py check, the quick profile end to end against its goldens, then `swift test`
## (unit, gradient-check and golden-value tests; its summary line comes last).
test: build check-h5py check-goldens
	$(SWIFT) test -c release 2>&1 | tail -n 400

## check-goldens: run the quick profile's §3–§5 pipeline (about a minute) and compare its
## headline numbers with Tests/Goldens/quick_profile.json.
check-goldens: build
	@mkdir -p out/quick
	@echo "check-goldens: make results PROFILE=quick (log: out/quick/results.log)"
	@$(MAKE) --no-print-directory results PROFILE=quick > out/quick/results.log 2>&1 || { tail -n 30 out/quick/results.log; exit 1; }
	@$(PYTHON) Tests/check_goldens.py out/quick/results Tests/Goldens/quick_profile.json

check-h5py: build
	@tmp=$$(mktemp -d); trap 'rm -rf $$tmp' EXIT; \
	$(CALOBNN) simulate --class all -n 20 --seed 1 -o $$tmp/all.h5 --quiet; \
	$(PYTHON) Tests/check_h5py.py $$tmp/all.h5

## bench: throughput JSON on stdout (also kept in out/bench.json); a benchmark, not a test.
bench: build
	@mkdir -p out
	@$(CALOBNN) bench --json > out/bench.json.tmp && mv out/bench.json.tmp out/bench.json && cat out/bench.json

$(CALOBNN): build

include Reproduce/reproduce.mk
-include Reproduce/figures.mk
-include Paper/paper.mk

## reproduce: every table and figure of the study for PROFILE (default: the Paper's).
reproduce: deps build
	@start=$$(date +%s); \
	$(MAKE) --no-print-directory results figures PROFILE=$(PROFILE); \
	n_tab=$$(ls $(OUT)/results/*/*.tex 2>/dev/null | wc -l); n_fig=$$(ls $(OUT)/figures/*.pdf 2>/dev/null | wc -l); \
	echo "reproduce: PROFILE=$(PROFILE) — $$n_tab tables/macros, $$n_fig figures in $(OUT) ($$(( $$(date +%s) - start )) s); overall okay: 1"

## docs: DocC archives of every library module in out/docs, failing on undocumented public symbols.
DOC_TARGETS = StudyRandom BayesianNetworks CalorimeterSimulation SimulationValidation Classification AnomalyDetection StudyData StudyReport
docs: deps
	@mkdir -p out/docs
	@for t in $(DOC_TARGETS); do \
	  $(SWIFT) package --disable-sandbox generate-documentation --target $$t --output-path out/docs/$$t.doccarchive \
	    --experimental-documentation-coverage --coverage-summary-level detailed 2>&1 | $(PYTHON) Tests/doc_coverage.py $$t || exit 1; \
	done
	@echo "docs: out/docs/<module>.doccarchive — serve that folder with a static web server (e.g. python3 -m http.server) and open /documentation/<module, lower case>"

clean:
	rm -rf .build out

## record-goldens: re-record every golden value (loud: prints each change). Commit with a reason.
record-goldens: build
	CALOBNN_RECORD_GOLDENS=1 $(SWIFT) test -c release 2>&1 | grep -E "RECORD-GOLDENS|passed|failed" || true
	$(MAKE) --no-print-directory results PROFILE=quick > out/quick/results.log 2>&1
	CALOBNN_RECORD_GOLDENS=1 $(PYTHON) Tests/check_goldens.py out/quick/results Tests/Goldens/quick_profile.json
	@echo "record-goldens: files under Tests/*/Goldens rewritten; review 'git diff' and commit with a reason."
