# calo-bnn — the two commands a user needs are `make reproduce` and `make test`.
# Everything else here is a step of those, or a convenience (bench, paper, docs).
#
#   make deps            install the Debian/PyPI packages we need, if missing (runs apt-get as root)
#   make build           release build of the `calobnn` tool
#   make reproduce       every table and figure of the study (PROFILE=quick|default|converged|full;
#                        CLUSTER=slurm runs each simulation, training and prediction as a Slurm job;
#                        THREADS=N threads per training/prediction, e.g. `make -j2 reproduce THREADS=1`;
#                        an interrupted run continues where it stopped, trainings from their checkpoints)
#   make results         the tables and data files only (no figures); its parts, in paper order:
#                        datasets, images, validation, classification, geant4, anomaly (and repeats
#                        when the profile sets REPEATS); TRAIN_FLAGS='…' adds options to every training
#   make figures         every figure (PDF + PNG); RESTYLE=1 redraws from the data files as they are
#   make paper           the Paper (PDF) from the generated tables and figures of PROFILE (deps-paper:
#                        its TeX packages)
#   make test            check-references, check-h5py, check-bad-input, check-goldens, check-paper-text,
#                        check-portable, check-staleness, then `swift test` (unit, gradient-check and golden tests)
#   make check-references  every path a comment or document names exists (no build needed)
#   make check-h5py      h5py reads a simulated file the way users' tools do
#   make check-bad-input ~150 bad-input and fault cases: one-line error, non-zero exit, files intact
#   make check-goldens   the quick profile computed afresh, its headline numbers against
#                        Tests/Goldens/quick_profile.json (exact)
#   make check-paper-text every character of the generated tables and of the Paper is one pdfLaTeX can set
#   make check-portable  every kind of step of the quick profile again as on an older CPU (no AVX2/FMA),
#                        bit for bit equal; check-portable-all: all of its steps (CI runs it)
#   make check-staleness the pipeline reruns what a rebuilt tool or a changed seed/flag affects, and
#                        nothing else (dry runs against check-goldens' out/quick)
#   make record-goldens  re-record the golden values (swift test, and the quick profile computed
#                        afresh); prints each value it adds or changes
#   make check-paper     the Paper built from the quick profile: no LaTeX error, no table below 8 pt
#   make check-slurm     the quick profile through a real one-node Slurm on this machine, compared
#                        byte for byte with check-goldens' local run (installs Slurm; root)
#   make bench           throughput JSON (simulator events/s; training and prediction samples/s, GFLOP/s)
#   make bench-compare BASE=<rev>   the network benchmark of <rev> and of this tree, alternating, with ratios
#                        (ROUNDS=3 alternations, REPEATS=1 one-second measurements per figure)
#   make bench-workload  the fixed training workload of the speed target, timed (18–27 minutes, by machine)
#   make docs            DocC documentation of every library module
#   make clean           remove .build and out
#
# Seeds: Reproduce/seeds.mk; profile sizes: Reproduce/profiles/<PROFILE>.mk. A step reruns when the
# tool is rebuilt or its own command line changes (Reproduce/reproduce.mk, "recipe stamps").
#
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

SWIFT       ?= swift
PROFILE     ?= default
OUT         ?= out/$(PROFILE)$(if $(filter visible,$(RESPONSE)),-visible)$(if $(filter normalised,$(INPUTS)),-normalised)$(if $(TUNING_SET),-$(basename $(notdir $(TUNING_SET))))
CALOBNN      = .build/release/calobnn
PYTHON      ?= python3

# Debian packages: GSL, HDF5 (build + run), gnuplot and its fonts (figures; we install
# without Recommends, so the fonts the figures use are named here), pkg-config.
DEB_PACKAGES = libgsl-dev libhdf5-dev pkg-config gnuplot-nox fonts-dejavu-core fonts-liberation
# PyPI packages used only by checks that read our files the way users' tools do.
PY_PACKAGES  = h5py numpy

.PHONY: help deps build test bench bench-compare bench-workload reproduce clean check-h5py check-goldens check-paper-text check-portable check-portable-all check-bad-input check-references check-staleness record-goldens docs check-slurm check-paper FORCE

# A dry run (make -n) or a question (make -q): nothing is built, stamps are not written.
DRY_RUN := $(findstring n,$(firstword -$(MAKEFLAGS)))$(findstring q,$(firstword -$(MAKEFLAGS)))

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

build: deps $(CALOBNN)

# The tool, a real prerequisite of every pipeline step: SwiftPM runs on every make (FORCE) and
# relinks only when a source changed, so an unchanged tool keeps its time stamp and reruns nothing,
# while a rebuilt one reruns every step after it. A dry run, a make restarted after remaking its
# class list (the tool was built before), and a sub-make of a make that built it (CALOBNN_BUILT=1)
# take the file as it is. (A file target with no recipe of its own behind a phony prerequisite
# would count as new on every run and rerun everything: hence a recipe here.)
# The system packages come first (order-only: they do not make the tool newer): under `make -j2` it
# would otherwise compile while apt-get is still installing GSL and HDF5, and fail on a fresh machine.
ifeq ($(DRY_RUN)$(MAKE_RESTARTS)$(CALOBNN_BUILT),)
$(CALOBNN): FORCE | deps
endif
$(CALOBNN):
	$(SWIFT) build -c release --product calobnn
FORCE:

# The tests as `swift test` runs them: release (the golden-value tests train and simulate), and
# without testable imports (no test uses @testable), so the library modules are compiled with the
# same flags as the tool's build and reused. With them, SwiftPM compiled every module a second time
# for the tests (`swift test` took 136 s of a fresh clone's make test here, now 65 s) and then once
# more, relinking the tool, for the next `swift build`, whose newer tool made every step of a
# later make rerun (in CI: check-paper's make paper recomputed the whole quick profile).
SWIFT_TEST_FLAGS = -c release --disable-testable-imports

## test: the reference check, the h5py check, the bad-input suite, the quick profile end to end against its goldens and
## every kind of its steps again as on an older CPU, the Paper's characters, the staleness check, then `swift test` (unit, gradient-check and
## golden-value tests; its summary line comes last).
test: check-references build check-h5py check-bad-input check-goldens check-paper-text check-portable check-staleness
	$(SWIFT) test $(SWIFT_TEST_FLAGS) 2>&1 | tail -n 400

## check-references: every repository path named in a comment or document exists, and nothing
## cites notes outside the repository (Tests/check_references.py; no build needed).
check-references:
	@$(PYTHON) Tests/check_references.py

## check-goldens: run the quick profile's pipeline (make -j2: two steps at once; a few minutes) and compare its
## headline numbers with Tests/Goldens/quick_profile.json.
check-goldens: build
	@rm -rf out/quick; mkdir -p out/quick
	@echo "check-goldens: make results PROFILE=quick, computed afresh (log: out/quick/results.log)"
	@$(MAKE) --no-print-directory -j2 results PROFILE=quick > out/quick/results.log 2>&1 || { tail -n 30 out/quick/results.log; exit 1; }
	@$(PYTHON) Tests/check_goldens.py out/quick/results Tests/Goldens/quick_profile.json

## check-paper-text: every character of the quick profile's generated tables and macros and of the Paper's
## sources is one pdfLaTeX can set (Tests/check_paper_text.py; `make test` builds no Paper, so a new label's
## symbol would otherwise first fail `make paper`).
check-paper-text: check-goldens
	@$(PYTHON) Tests/check_paper_text.py out/quick/results

## check-portable: steps of the quick profile again as on an older x86-64 CPU — glibc told to hide
## AVX2, FMA and AVX-512, so libm runs its plain builds and the network its baseline (SSE2) kernels —
## into out/quick-emulated; every dataset, model (but its wall time), prediction and table they make
## must equal check-goldens' bit for bit. Never sets OPENBLAS_CORETYPE: there is no BLAS to steer.
## check-portable runs every kind of step once (PORTABLE_GOALS, about a sixth of the profile's
## time; our choice, to keep `make test` short): the datasets, the image table, §4 whole (both
## networks, every seed, their predictions and tables), one removed class of §5 whole
## (PORTABLE_CLASS: its BNNs, twin, ensemble, predictions, T scan and detectors) and one candidate's
## validation (PORTABLE_CANDIDATE: the first tuning, with the optional parts of the shower model
## off, which the datasets, made with the compiled tuning, switch on: the halo's shower and
## multiplicity spreads, its long and backward quanta's factors, the tail rate's spread, the
## fall-off spots' depth spread). What it leaves out combines such steps' outputs (the anomaly and scan tables over
## all classes) or repeats them with other values (the main validation, the other candidates);
## check-portable-all runs the whole profile (`make results`), as `.ci/run` does.
PORTABLE_TUNABLES = glibc.cpu.hwcaps=-AVX2,-FMA,-AVX512F,-AVX512VL,-AVX512BW,-AVX512DQ,-AVX512CD
PORTABLE_CLASS     = jpsi_ee
PORTABLE_CANDIDATE = hand
# Shell words: the models and predictions of the class come from check-goldens' run.
PORTABLE_GOALS     = datasets images classification out/quick-emulated/results/validation-tunings/$(PORTABLE_CANDIDATE)/numbers.tex \
                     $$(cd out/quick && ls models/loo_$(PORTABLE_CLASS)_*.h5 pred/loo_$(PORTABLE_CLASS)_*.h5 | sed 's|^|out/quick-emulated/|')
# $(call portable-run,GOALS,WHAT,COMPARE OPTIONS): GOALS (shell words) of the quick profile made as
# on an older CPU into out/quick-emulated (WHAT says which, in the progress line), then compared
# with out/quick.
define portable-run
	@rm -rf out/quick-emulated; mkdir -p out/quick-emulated
	@echo "$@: $(2) of the quick profile, as on a CPU without AVX2/FMA/AVX-512 (log: out/quick-emulated/results.log)"
	@GLIBC_TUNABLES=$(PORTABLE_TUNABLES) $(MAKE) --no-print-directory -j2 $(1) PROFILE=quick OUT=out/quick-emulated \
	  > out/quick-emulated/results.log 2>&1 || { tail -n 30 out/quick-emulated/results.log; exit 1; }
	@grep -q "kernels=baseline" out/quick-emulated/results.log || { echo "$@: the emulated run did not use the baseline kernels"; exit 1; }
	@echo "$@: kernels $$(grep -o 'kernels=[a-z0-9]*' out/quick/results.log | sort -u | tr '\n' ' ')vs $$(grep -o 'kernels=[a-z0-9]*' out/quick-emulated/results.log | sort -u | tr '\n' ' ')"
	@$(PYTHON) Tests/compare_outputs.py $(3) out/quick out/quick-emulated
endef
# With check-portable-all a goal too (`.ci/run`), check-portable leaves the steps to it.
check-portable: check-goldens
	$(if $(filter check-portable-all,$(MAKECMDGOALS)),@echo "check-portable: left to check-portable-all (every step)",$(call portable-run,$(PORTABLE_GOALS),the datasets$(comma) images$(comma) §4$(comma) §5's networks with $(PORTABLE_CLASS) removed and the candidate $(PORTABLE_CANDIDATE)'s validation,--subset))
check-portable-all: check-goldens
	$(call portable-run,results,every step)

## check-staleness: what reruns after a change (Tests/check_staleness.py, dry runs only, a few
## seconds): nothing when nothing changed, everything after a rebuilt tool, exactly the affected
## steps after a changed seed, profile value or TRAIN_FLAGS; and the goals that need no tool work
## without one. Brings out/quick up to date first (nothing to do after check-goldens).
# (After check-goldens and check-portable when they are goals too, or under `make test`, also with -j.)
check-staleness: build | $(filter check-goldens check-portable check-portable-all,$(MAKECMDGOALS)) $(if $(filter test,$(MAKECMDGOALS)),check-portable)
	@mkdir -p out; $(MAKE) --no-print-directory results PROFILE=quick > out/quick-staleness.log 2>&1 || { tail -n 30 out/quick-staleness.log; exit 1; }
	@$(PYTHON) Tests/check_staleness.py out/quick

## check-bad-input: ~150 bad-input and fault cases against the built tool (about 15 s): each must
## end in a one-line error with a non-zero exit and leave every file as it was (Tests/bad_input.py).
check-bad-input: build
	@$(PYTHON) Tests/bad_input.py $(CALOBNN)

check-h5py: build
	@tmp=$$(mktemp -d); trap 'rm -rf $$tmp' EXIT; \
	$(CALOBNN) simulate --class all -n 20 --seed $(SEED_CHECK_H5PY) -o $$tmp/all.h5 --quiet; \
	$(PYTHON) Tests/check_h5py.py $$tmp/all.h5

## check-paper: the Paper built from check-goldens' quick profile (installs its TeX packages first, like make paper):
## fails on any LaTeX error and on a table shrunk below 8 pt. `.ci/run` runs it after `make test`.
check-paper: check-goldens
	@echo "check-paper: make paper PROFILE=quick (log: out/quick/paper.log)"
	@$(MAKE) --no-print-directory paper PROFILE=quick > out/quick/paper.log 2>&1 || { tail -n 30 out/quick/paper.log; exit 1; }
	@if grep -q "^fitbox: below 8 pt" Paper/build/paper.log; then grep "^fitbox: below 8 pt" Paper/build/paper.log; exit 1; fi
	@tail -n 1 out/quick/paper.log

## check-slurm: install Debian's Slurm and munge if missing, start a one-node Slurm of our own
## (everything under out/check-slurm/slurm-state, stopped again on exit), run the quick profile
## through it and compare every output with check-goldens' fresh local run in out/quick
## (Reproduce/slurm/check-slurm). Needs root. `.ci/run` runs it after `make test check-portable-all`.
SLURM_PACKAGES = slurm-wlm munge
check-slurm: check-goldens
	$(call apt-install,check-slurm,$(SLURM_PACKAGES))
	Reproduce/slurm/check-slurm out/check-slurm out/quick

## bench: throughput JSON on stdout (also kept in out/bench.json); a benchmark, not a test.
bench: build
	@mkdir -p out
	@$(CALOBNN) bench --seed $(SEED_BENCH) > out/bench.json.tmp && mv out/bench.json.tmp out/bench.json && cat out/bench.json

## bench-compare: time the network kernels of BASE (a git revision) and of this tree side by side.
bench-compare: build
	@Reproduce/bench-compare.sh "$(BASE)" $(or $(ROUNDS),3) $(or $(REPEATS),1)

## bench-workload: the fixed training workload of the speed target (72 trainings and 72
## predictions of the default profile at its original settings, make -j2, one thread each;
## 18–27 minutes on 2 cores, by machine): the machine, wall and CPU time, where the CPU time
## went, and seconds per epoch (Reproduce/bench-workload.sh).
bench-workload: deps build
	@Reproduce/bench-workload.sh out/bench-workload

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
DOC_TARGETS = StudyRandom PortableMath NetworkKernels ShowerKernels BayesianNetworks CalorimeterSimulation SimulationValidation Classification AnomalyDetection StudyData StudyReport StudyExperiments
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
## The quick profile's file (Tests/check_goldens.py) gains a key for every newly measured value
## (e.g. an added class) and is rewritten only if a value was added, changed or dropped.
record-goldens: build
	CALOBNN_RECORD_GOLDENS=1 $(SWIFT) test $(SWIFT_TEST_FLAGS) 2>&1 | grep -E "RECORD-GOLDENS|passed|failed" || true
	@rm -rf out/quick; mkdir -p out/quick   # computed afresh: cached results may come from an older build
	$(MAKE) --no-print-directory results PROFILE=quick > out/quick/results.log 2>&1 || { tail -n 30 out/quick/results.log; exit 1; }
	CALOBNN_RECORD_GOLDENS=1 $(PYTHON) Tests/check_goldens.py out/quick/results Tests/Goldens/quick_profile.json
	@echo "record-goldens: review 'git diff' of the golden files and commit with a reason."
