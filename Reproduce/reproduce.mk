# The experiment targets of the study, in paper order. Included by the top-level Makefile.
#
#   compute (simulate → train → predict)  →  data files (results/)  →  figures and tables
#
# Every artefact lives under $(OUT) = out/$(PROFILE); models and datasets are cached and reused:
# re-running `make reproduce` only redoes what is missing or out of date. Out of date means: a
# prerequisite is newer, and every step that runs the tool has two more of them —
#   $(CALOBNN)            the tool itself (a real prerequisite: a rebuilt tool reruns every step;
#                         SwiftPM leaves it untouched when no source changed, so nothing reruns);
#   its recipe stamp      $(OUT)/.make/recipes/…: the step's command line as make expands it (tool
#                         flags, seeds, profile values, TRAIN_FLAGS), rewritten only when it changes,
#                         so changing a seed or a flag reruns exactly the steps whose command changed.
# $(OUT)/.make holds make's own bookkeeping (the stamps and the class list), not results.

include Reproduce/seeds.mk
include Reproduce/profiles/$(PROFILE).mk
include Reproduce/cluster.mk    # $(call step,KIND): run a command here, or as a Slurm job (CLUSTER=slurm)

DATA    = $(OUT)/data
MODELS  = $(OUT)/models
PRED    = $(OUT)/pred
RESULTS = $(OUT)/results
# TRAIN_FLAGS: extra options for every training, after the profile's (e.g. TRAIN_FLAGS='--prior
# normal(0.5)'). Each white-space separated word reaches the tool as one shell-quoted argument,
# so parentheses, commas and quotes in a value are safe.
TRAIN_FLAGS ?=
# The learning rate over a training (profile values; `calobnn train --help`, BayesianNetworks'
# LearningRateSchedule): Adam's peak rate LEARNING_RATE; LR_SCHEDULE constant or cosine (a half
# cosine down to 0 at EPOCHS) after WARMUP_EPOCHS epochs of linear warm-up; the posterior widths ρ
# learn RHO_LR_FACTOR times faster than the means. Unset: the talk's constant 10⁻³.
LEARNING_RATE ?= 1e-3
LR_SCHEDULE   ?= constant
WARMUP_EPOCHS ?= 0
RHO_LR_FACTOR ?= 1
# BNN_EPOCHS and BNN_PATIENCE: the BNNs' epoch budget (the length of their cosine) and
# early-stopping patience, EPOCHS and PATIENCE unless the profile says otherwise. The BNN converges
# far more slowly than its twin, and a long cosine has plateaus in its high-rate phase that a short
# patience takes for the end (BayesianNetworks article "Training to convergence"), while the
# deterministic networks should still stop once they overfit — with BNN_EPOCHS alone changed, they
# are the same trainings, bit for bit. $(call train_args,MODEL): the options of every training of MODEL.
BNN_EPOCHS   ?= $(EPOCHS)
BNN_PATIENCE ?= $(PATIENCE)
# BNN_CONVERGED = yes: the profile's BNN budget meets our convergence criterion (BayesianNetworks
# article "Training to convergence": doubling the budget lowers the best validation loss by less
# than 0.01). It selects the Paper's wording (\ifBNNConverged, Paper/paper.mk), nothing else.
BNN_CONVERGED ?= no
train_args   = --epochs $(if $(filter bnn,$(1)),$(BNN_EPOCHS),$(EPOCHS)) --patience $(if $(filter bnn,$(1)),$(BNN_PATIENCE),$(PATIENCE)) --batch $(BATCH) \
               --learning-rate $(LEARNING_RATE) --lr-schedule $(LR_SCHEDULE) --warmup-epochs $(WARMUP_EPOCHS) \
               --rho-lr-factor $(RHO_LR_FACTOR) $(call shell-words,$(TRAIN_FLAGS))
include Reproduce/repeats.mk    # REPEATS: repeated trainings (folders and seeds of repetition REPEAT)

# Models, predictions and datasets are reached through pattern rules; make would otherwise
# treat them as intermediate and delete them after a run. They are the cache: keep them.
# (.PRECIOUS would need each rule's exact target pattern; .SECONDARY with no prerequisites
# keeps every intermediate file.)
.SECONDARY:

# $(call shq,TEXT): TEXT as one single-quoted shell word; $(call shell-words,TEXT): each word so.
shq         = '$(subst ','\'',$(strip $(1)))'
shell-words = $(foreach w,$(1),$(call shq,$(w)))
comma := ,
empty :=
space := $(empty) $(empty)

# ---- when the pipeline is read ------------------------------------------------------------------
# Goals that run no step of the pipeline themselves (check-goldens and friends run it in a sub-make)
# read neither the class list nor the stamps, so `make help`, `make check-references`, `make clean`
# … need no built tool and write nothing under out/. A dry run (-n, -q) writes no stamp.
NO_PIPELINE_GOALS = help deps deps-paper build clean docs bench bench-compare check-references \
                    check-bad-input check-h5py check-staleness test check-goldens check-portable \
                    check-portable-all check-paper-text check-paper check-slurm record-goldens
PIPELINE = $(filter-out $(NO_PIPELINE_GOALS),$(or $(MAKECMDGOALS),$(.DEFAULT_GOAL)))
MAKE_STATE = $(OUT)/.make

# ---- the study's classes: from the tool, never typed here ---------------------------------------
# STUDY_CLASSES, in label order, is what `calobnn classes --names` prints: EventRegistry.study, the
# classes `--class all` means. A class added there appears in every dataset, model, prediction,
# table row and figure with no edit here. The list is kept in $(MAKE_STATE)/classes.mk, asked
# again whenever the tool is newer and rewritten only if it changed; GNU make remakes an included
# makefile and, if the file changed, reads everything again (once: the same list is not written
# twice). A dry run asks the tool directly and writes nothing; without a built tool it cannot know
# the list: it says so and shows the commands with an empty one.
CLASSES_MK = $(MAKE_STATE)/classes.mk
STUDY_CLASSES ?=
ifneq ($(PIPELINE),)
ifeq ($(DRY_RUN),)
include $(CLASSES_MK)
else ifneq ($(wildcard $(CALOBNN)),)
STUDY_CLASSES := $(shell $(CALOBNN) classes --names)
else
$(warning dry run: $(CALOBNN) is not built yet, so the study's classes (calobnn classes --names) are unknown; the commands below show none)
endif
endif
$(CLASSES_MK): $(CALOBNN)
	@mkdir -p $(@D)
	@names="$$($(CALOBNN) classes --names)" || { echo "make: '$(CALOBNN) classes --names' failed" >&2; exit 1; }; \
	[[ "$$names" =~ ^[A-Za-z0-9_]+( [A-Za-z0-9_]+)*$$ ]] || { echo "make: '$(CALOBNN) classes --names' printed '$$names', not class names separated by spaces" >&2; exit 1; }; \
	{ echo "# written by make from '$(CALOBNN) classes --names' (EventRegistry.study) — do not edit"; \
	  echo "STUDY_CLASSES := $$names"; } > $@.tmp; \
	if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
# As the tool's --class option wants them: comma-separated.
STUDY_CLASS_LIST = $(subst $(space),$(comma),$(strip $(STUDY_CLASSES)))

# ---- recipe stamps --------------------------------------------------------------------------
# $(call recipe,TARGET,COMMAND) → the stamp of TARGET's rule (a prerequisite of TARGET):
# $(MAKE_STATE)/recipes/<TARGET relative to $(OUT)>, holding COMMAND as expanded when make reads
# this file. It is rewritten (new time stamp) only when COMMAND differs from what it holds, so
# TARGET reruns exactly when its command changed. A pattern rule has one stamp (% reads "each"): a
# changed command reruns every target of the pattern; one made after the change is newer than it.
# Automatic variables ($@, $<, $*) are empty at that time, so a stamp holds the rest of the command;
# the Slurm prefix is not part of it (where a step runs does not change its output), nor is the
# thread count `--threads=N` (THREADS, below: no output depends on it).
# Stamps are written only once the class list is known and never in a dry run; there a changed or
# missing stamp is replaced by FORCE, so `make -n` shows what would rerun. They are written when
# make reads this file, for every rule, not only those of the goals: a value changed for one goal
# (e.g. `make datasets TRAIN_FLAGS=…`) and changed back later reruns the steps it enters once more —
# too much, never too little.
RECIPES = $(MAKE_STATE)/recipes
STAMPING = $(and $(PIPELINE),$(STUDY_CLASSES),$(if $(DRY_RUN),,yes))
recipe = $(call recipe-at,$(RECIPES)/$(subst %,each,$(patsubst $(OUT)/%,%,$(1))),$(filter-out --threads=%,$(strip $(2))))
recipe-at = $(if $(call stamp-differs,$(1),$(2)),$(if $(STAMPING),$(call write-stamp,$(1),$(2))$(1),FORCE),$(1))
# The stamp is read back stripped, like the command it is compared with: whether GNU make 4.3's
# $(file <…) drops the file's final newline was seen to differ between runs of the same make
# (its first read in a run kept it when make's output was a pipe), which made a dry run report
# a step as changed. A missing stamp reads as empty, which differs from any command.
stamp-differs = $(call text-differs,$(strip $(file <$(1))),$(2))
text-differs = $(subst $(1),,$(2))$(subst $(2),,$(1))
write-stamp = $(shell mkdir -p $(dir $(1)))$(file >$(1),$(2))

# ---- §3 the use case: datasets (distinct seeds per split) ------------------------------------
# RESPONSE=visible (robustness check): the liquid-argon energy with sampling fluctuations and
# electronic noise instead of the total deposit; INPUTS=normalised: networks on energy-normalised
# images. TUNING_SET=Reproduce/tunings/<name>.set: the study's events from a candidate tuning of
# the shower model (simulate --set with the file's values; the validation's geant4 column is then
# that candidate) instead of the compiled one. Each variant is a full run in its own folder (OUT,
# Makefile).
RESPONSE ?= total
INPUTS   ?= log
TUNING_SET ?=
RESPONSE_FLAGS = $(if $(filter visible,$(RESPONSE)),--mode visible --noise on,$(if $(filter total,$(RESPONSE)),,$(error RESPONSE must be total or visible, not '$(RESPONSE)')))
INPUTS_FLAGS   = $(if $(filter normalised,$(INPUTS)),--inputs normalised,$(if $(filter log,$(INPUTS)),,$(error INPUTS must be log or normalised, not '$(INPUTS)')))
# $(call tuning-values,FILE): a tuning file's name=value line (its comment lines dropped).
tuning-values = $(shell grep -v '^\#' $(1) | tr -d ' \n')
TUNING_FLAGS   = $(if $(TUNING_SET),$(if $(wildcard $(TUNING_SET)),--set $(call tuning-values,$(TUNING_SET)),$(error TUNING_SET: no file '$(TUNING_SET)' (the candidates: $(wildcard Reproduce/tunings/*.set)))))
simulate = $(strip $(CALOBNN) simulate --class $(STUDY_CLASS_LIST) -n $(1) --seed $(2) $(RESPONSE_FLAGS) $(TUNING_FLAGS))
SIMULATE_TRAIN = $(call simulate,$(TRAIN_PER_CLASS),$(SEED_TRAIN_DATA))
SIMULATE_VAL   = $(call simulate,$(VAL_PER_CLASS),$(SEED_VAL_DATA))
SIMULATE_TEST  = $(call simulate,$(TEST_PER_CLASS),$(SEED_TEST_DATA))
$(DATA)/train.h5: $(CALOBNN) $(call recipe,$(DATA)/train.h5,$(SIMULATE_TRAIN))
	@mkdir -p $(DATA)
	$(call step,simulate) $(SIMULATE_TRAIN) -o $@
$(DATA)/val.h5: $(CALOBNN) $(call recipe,$(DATA)/val.h5,$(SIMULATE_VAL))
	@mkdir -p $(DATA)
	$(call step,simulate) $(SIMULATE_VAL) -o $@
$(DATA)/test.h5: $(CALOBNN) $(call recipe,$(DATA)/test.h5,$(SIMULATE_TEST))
	@mkdir -p $(DATA)
	$(call step,simulate) $(SIMULATE_TEST) -o $@

EVALUATE_IMAGES = $(CALOBNN) evaluate images --data $(DATA)/test.h5 -o $(RESULTS)/images
$(RESULTS)/images/layer_energies.tex: $(DATA)/test.h5 $(CALOBNN) $(call recipe,$(RESULTS)/images/layer_energies.tex,$(EVALUATE_IMAGES))
	$(EVALUATE_IMAGES)

# ---- §3 validated: our simulator against the Geant4 reference samples -------------------------
# Both tunings of the shower model (gflash = before, geant4 = after) against every file of
# Reproduce/reference/geant4 (README.md there: how they were made). Cheap (seconds), so every
# profile uses the same $(VALIDATION_EVENTS) simulated events per sample (our choice).
GEANT4_REFERENCES = $(sort $(wildcard Reproduce/reference/geant4/*.h5))
VALIDATION_EVENTS ?= 2000
# The shape classifier's AUC moves by about 0.01 between simulation seeds (as much as a fit step),
# so the AUC target is judged on its mean over VALIDATION_SEEDS seeds (table auc_seeds; our choice).
VALIDATION_SEEDS ?= 5
VALID = $(RESULTS)/validation
validate-references = $(foreach f,$(GEANT4_REFERENCES),--reference $(f))
VALIDATE = $(strip $(CALOBNN) validate $(validate-references) --events $(VALIDATION_EVENTS) \
  --seed $(SEED_VALIDATION) --seeds $(VALIDATION_SEEDS) --tunings gflash,geant4 $(TUNING_FLAGS) --export-dataset $(DATA)/geant4.h5 -o $(VALID))
# It also writes $(DATA)/geant4.h5: the Geant4 events of study classes (γ, π⁰ → γγ, η → γγ,
# J/ψ → e⁺e⁻ at 20 GeV) in our layout, for the networks below (both are targets of one run).
$(VALID)/numbers.tex $(DATA)/geant4.h5 &: $(GEANT4_REFERENCES) $(CALOBNN) $(call recipe,$(VALID)/numbers.tex,$(VALIDATE))
	@mkdir -p $(VALID)
	@mkdir -p $(DATA)
	$(VALIDATE)
	@test -s $(DATA)/geant4.h5 || { echo "validation: $(DATA)/geant4.h5 missing after calobnn validate" >&2; exit 1; }

# ---- §3 validated: the candidate tunings -------------------------------------------------------
# Each Reproduce/tunings/<name>.set (parameter values of the geant4 tuning that fits have produced,
# and hand.set, the first tuning; carrystep.set repeats the compiled values; how each was made is
# in its comment lines) against the same references and seed
# as above, into $(RESULTS)/validation-tunings/<name>: the Paper's table of how far each
# candidate has come. Its columns and macros carry the candidate's name (--label <name>: a file
# name of letters, digits and _), so the Paper reads every candidate's numbers.tex beside the rest.
# The --set value is part of the command, so an edited file reruns its step.
# CANDIDATE_EVENTS, CANDIDATE_SEEDS: the simulated events per sample and the seeds of the AUC table
# (the quick profile's smoke check takes fewer).
CANDIDATE_EVENTS ?= $(VALIDATION_EVENTS)
CANDIDATE_SEEDS ?= $(VALIDATION_SEEDS)
TUNING_SETS = $(sort $(wildcard Reproduce/tunings/*.set))
TUNINGS_VALID = $(RESULTS)/validation-tunings
validate-tuning = $(strip $(CALOBNN) validate $(validate-references) --events $(CANDIDATE_EVENTS) \
  --seed $(SEED_VALIDATION) --seeds $(CANDIDATE_SEEDS) --tunings geant4 --set $(call tuning-values,$(1)) \
  --label $(basename $(notdir $(1))) -o $(TUNINGS_VALID)/$(basename $(notdir $(1))))
define tuning-rule
$(TUNINGS_VALID)/$(basename $(notdir $(1)))/numbers.tex: $(1) $(GEANT4_REFERENCES) $(CALOBNN) $(call recipe,$(TUNINGS_VALID)/$(basename $(notdir $(1)))/numbers.tex,$(call validate-tuning,$(1)))
	@mkdir -p $(TUNINGS_VALID)
	$(call validate-tuning,$(1))
endef
$(foreach t,$(TUNING_SETS),$(eval $(call tuning-rule,$(t))))

# ---- §3 validated: the step size ------------------------------------------------------------
# The longitudinal step (step_x0, in X₀) is a numerical choice: the showers should not depend on
# it. Each model below is simulated at 0.5 X₀ (seed SEED_STEPS, for every reference's class and
# energy; --export-simulated writes the samples in the reference files' layout), and then
# validated against those samples, as against Geant4, at its own step: spectrum.set (compiled
# until carrystep; one spot at least per step) at 1 X₀, the candidate carry (the spot carry) at
# 1 X₀ and carrystep (the carry at 1.5 X₀, compiled). An AUC near 0.5 says the step does not matter. Into
# $(RESULTS)/validation-steps/<label>; the Paper's "Step size and the spot floor" reads the labels'
# numbers.tex. STEP_EVENTS, STEP_SEEDS as CANDIDATE_EVENTS, CANDIDATE_SEEDS (the quick profile
# takes fewer).
STEP_EVENTS ?= 4000
STEP_SEEDS ?= 3
STEPS_VALID = $(RESULTS)/validation-steps
# $(call step-fine,NAME,TUNING FILE): the fine samples of a tuning; $(call step-compare,LABEL,NAME,TUNING FILE,STEP).
step-fine = $(strip $(CALOBNN) validate $(validate-references) --events $(STEP_EVENTS) --seed $(SEED_STEPS) \
  --tunings geant4 --set $(call tuning-values,$(2)),step_x0=0.5 --label $(1)fine --export-simulated $(STEPS_VALID)/$(1)-fine \
  -o $(STEPS_VALID)/$(1)-fine/validation)
step-fine-files = $(foreach f,$(GEANT4_REFERENCES),$(STEPS_VALID)/$(1)-fine/$(basename $(notdir $(f)))_geant4.h5)
step-compare = $(strip $(CALOBNN) validate $(foreach f,$(call step-fine-files,$(2)),--reference $(f)) --events $(STEP_EVENTS) \
  --seed $(SEED_VALIDATION) --seeds $(STEP_SEEDS) --tunings geant4 --set $(call tuning-values,$(3)),step_x0=$(4) \
  --label $(1) -o $(STEPS_VALID)/$(1))
define step-fine-rule
$(STEPS_VALID)/$(1)-fine/validation/numbers.tex: $(2) $(GEANT4_REFERENCES) $(CALOBNN) $(call recipe,$(STEPS_VALID)/$(1)-fine/validation/numbers.tex,$(call step-fine,$(1),$(2)))
	@mkdir -p $(STEPS_VALID)/$(1)-fine
	$(call step-fine,$(1),$(2))
endef
define step-compare-rule
$(STEPS_VALID)/$(1)/numbers.tex: $(3) $(STEPS_VALID)/$(2)-fine/validation/numbers.tex $(CALOBNN) $(call recipe,$(STEPS_VALID)/$(1)/numbers.tex,$(call step-compare,$(1),$(2),$(3),$(4)))
	@mkdir -p $(STEPS_VALID)
	$(call step-compare,$(1),$(2),$(3),$(4))
endef
$(eval $(call step-fine-rule,floor,Reproduce/tunings/spectrum.set))
$(eval $(call step-fine-rule,carry,Reproduce/tunings/carry.set))
$(eval $(call step-compare-rule,stepfloor,floor,Reproduce/tunings/spectrum.set,1))
$(eval $(call step-compare-rule,stepcarry,carry,Reproduce/tunings/carry.set,1))
$(eval $(call step-compare-rule,stepcarrycoarse,carry,Reproduce/tunings/carrystep.set,1.5))
STEPS_TARGETS = $(foreach l,stepfloor stepcarry stepcarrycoarse,$(STEPS_VALID)/$(l)/numbers.tex)

# ---- §4 classification: BNN and deterministic twin on all the study's classes -----------------
# $(call train,MODEL,SEED[,OPTIONS]) and $(call predict,MODEL FILE,DATA FILE,SAMPLES): the commands
# (without -o) of a training on train.h5 (validation: val.h5) and of a prediction. Every training
# runs with --resume-if-present: a run of make that was interrupted (Ctrl-C, a killed session, a
# Slurm time limit) left each unfinished training's checkpoint, and the next run continues it,
# to the same bits as an uninterrupted training; a checkpoint of another command starts afresh.
# THREADS=N: the worker threads of each training and prediction (the tool's default: 2). With
# make -jJ on C cores, THREADS = C/J keeps every core busy without oversubscribing them: on our
# 2 cores the converged profile's BNN trainings, two side by side (make -j2), ran at a median of
# 32 700 samples/s each with one thread each against 26 400 with the tool's two (1806 and 835
# epochs of reproduce.log, other work on the machine in both). No output depends on it, and it is
# not part of a step's stamp, so changing it reruns nothing. Ignored with CLUSTER=slurm, where a
# job's CPUs set its threads.
THREADS ?=
threads-flag = $(if $(and $(THREADS),$(if $(CLUSTER),,yes)),--threads=$(THREADS))
train   = $(strip $(CALOBNN) train --data $(DATA)/train.h5 --validation $(DATA)/val.h5 --model $(1) $(3) $(call train_args,$(1)) $(INPUTS_FLAGS) --seed $(2) --resume-if-present $(threads-flag))
predict = $(strip $(CALOBNN) predict --model $(1) --data $(2) --samples $(3) --seed $(SEED_PREDICT) $(threads-flag))
# Independently seeded trainings (SEEDS = S, a profile value; 1 if unset): seed 0 is the main
# run; for r = 1 … S − 1 the networks are trained again with --member r (the seed derived from the
# master seed, the removed class if any, and r). §4: models/all_{bnn,det}_s<r>.h5. §5: the BNN
# is trained again as models/loo_<c>_bnn_s<r>.h5, the twin of seed r is ensemble member r
# (the same training from another seed, so members are made up to max(ENSEMBLE, S − 1)), and each
# detector is fitted again on that twin (pred/loo_<c>_<detector>_s<r>.h5). `evaluate anomaly
# --seeds S` quotes every AUROC as mean ± spread between them (table seeds). Our choice: only the
# deep ensemble is not repeated (five more members per seed); REPEATS repeats everything.
SEEDS ?= 1
SEED_RUNS        = $(shell seq 1 $$(( $(SEEDS) - 1 )))
TRAIN_ID_BNN = $(call train,bnn,$(SEED_ID_BNN))
TRAIN_ID_DET = $(call train,deterministic,$(SEED_ID_DET))
$(MODELS)/all_bnn.h5: $(DATA)/train.h5 $(DATA)/val.h5 $(CALOBNN) $(call recipe,$(MODELS)/all_bnn.h5,$(TRAIN_ID_BNN))
	@mkdir -p $(MODELS)
	$(call step,train_bnn) $(TRAIN_ID_BNN) -o $@
$(MODELS)/all_det.h5: $(DATA)/train.h5 $(DATA)/val.h5 $(CALOBNN) $(call recipe,$(MODELS)/all_det.h5,$(TRAIN_ID_DET))
	@mkdir -p $(MODELS)
	$(call step,train_det) $(TRAIN_ID_DET) -o $@

PREDICT_ID_BNN = $(call predict,$(MODELS)/all_bnn.h5,$(DATA)/test.h5,$(MC_SAMPLES))
PREDICT_ID_DET = $(call predict,$(MODELS)/all_det.h5,$(DATA)/test.h5,1)
$(PRED)/all_bnn.h5: $(MODELS)/all_bnn.h5 $(DATA)/test.h5 $(CALOBNN) $(call recipe,$(PRED)/all_bnn.h5,$(PREDICT_ID_BNN))
	@mkdir -p $(PRED)
	$(call step,predict_bnn) $(PREDICT_ID_BNN) -o $@
$(PRED)/all_det.h5: $(MODELS)/all_det.h5 $(DATA)/test.h5 $(CALOBNN) $(call recipe,$(PRED)/all_det.h5,$(PREDICT_ID_DET))
	@mkdir -p $(PRED)
	$(call step,predict_det) $(PREDICT_ID_DET) -o $@

# §4 from other seeds: models/all_{bnn,det}_s<r>.h5 and their predictions.
define ID_SEED_RULES
$(MODELS)/all_$(1)_s$(3).h5: $(DATA)/train.h5 $(DATA)/val.h5 $(CALOBNN) $(call recipe,$(MODELS)/all_$(1)_s$(3).h5,$(call train,$(2),$(4),--member $(3)))
	@mkdir -p $(MODELS)
	$$(call step,train_$(1)) $(call train,$(2),$(4),--member $(3)) -o $$@
$(PRED)/all_$(1)_s$(3).h5: $(MODELS)/all_$(1)_s$(3).h5 $(DATA)/test.h5 $(CALOBNN) $(call recipe,$(PRED)/all_$(1)_s$(3).h5,$(call predict,$(MODELS)/all_$(1)_s$(3).h5,$(DATA)/test.h5,$(5)))
	@mkdir -p $(PRED)
	$$(call step,predict_$(1)) $(call predict,$(MODELS)/all_$(1)_s$(3).h5,$(DATA)/test.h5,$(5)) -o $$@
endef
$(foreach r,$(SEED_RUNS),$(eval $(call ID_SEED_RULES,bnn,bnn,$(r),$(SEED_ID_BNN),$(MC_SAMPLES))) \
                         $(eval $(call ID_SEED_RULES,det,deterministic,$(r),$(SEED_ID_DET),1)))
ID_SEED_PREDICTIONS = $(foreach r,$(SEED_RUNS),$(PRED)/all_bnn_s$(r).h5 $(PRED)/all_det_s$(r).h5)

EVALUATE_CLASSIFICATION = $(CALOBNN) evaluate classification --bnn $(PRED)/all_bnn.h5 --det $(PRED)/all_det.h5 \
  --bnn-model $(MODELS)/all_bnn.h5 --det-model $(MODELS)/all_det.h5 --data $(DATA)/test.h5 \
  $(foreach r,$(SEED_RUNS),--bnn-seed $(PRED)/all_bnn_s$(r).h5 --det-seed $(PRED)/all_det_s$(r).h5) --profile $(PROFILE) -o $(RESULTS)/classification
$(RESULTS)/classification/numbers.tex: $(PRED)/all_bnn.h5 $(PRED)/all_det.h5 $(ID_SEED_PREDICTIONS) $(DATA)/test.h5 $(CALOBNN) \
    $(call recipe,$(RESULTS)/classification/numbers.tex,$(EVALUATE_CLASSIFICATION))
	$(EVALUATE_CLASSIFICATION)

# ---- §3 validated: the study's networks (trained on our simulator) on Geant4 images ----------
PREDICT_G4_BNN = $(call predict,$(MODELS)/all_bnn.h5,$(DATA)/geant4.h5,$(MC_SAMPLES))
PREDICT_G4_DET = $(call predict,$(MODELS)/all_det.h5,$(DATA)/geant4.h5,1)
$(PRED)/geant4_bnn.h5: $(MODELS)/all_bnn.h5 $(DATA)/geant4.h5 $(CALOBNN) $(call recipe,$(PRED)/geant4_bnn.h5,$(PREDICT_G4_BNN))
	@mkdir -p $(PRED)
	$(call step,predict_bnn) $(PREDICT_G4_BNN) -o $@
$(PRED)/geant4_det.h5: $(MODELS)/all_det.h5 $(DATA)/geant4.h5 $(CALOBNN) $(call recipe,$(PRED)/geant4_det.h5,$(PREDICT_G4_DET))
	@mkdir -p $(PRED)
	$(call step,predict_det) $(PREDICT_G4_DET) -o $@
EVALUATE_GEANT4 = $(CALOBNN) evaluate geant4 --bnn $(PRED)/geant4_bnn.h5 --det $(PRED)/geant4_det.h5 \
  --own-bnn $(PRED)/all_bnn.h5 --own-det $(PRED)/all_det.h5 -o $(RESULTS)/geant4
$(RESULTS)/geant4/numbers.tex: $(PRED)/geant4_bnn.h5 $(PRED)/geant4_det.h5 $(PRED)/all_bnn.h5 $(PRED)/all_det.h5 $(CALOBNN) \
    $(call recipe,$(RESULTS)/geant4/numbers.tex,$(EVALUATE_GEANT4))
	$(EVALUATE_GEANT4)

# ---- §5 anomaly detection: leave one class out (BNN, twin, ensemble members) ------------------
# The removed class is the pattern's stem: in the commands below it is $*, empty in the stamp.
TRAIN_LOO_BNN = $(call train,bnn,$(SEED_LOO),--exclude-class $*)
TRAIN_LOO_DET = $(call train,deterministic,$(SEED_LOO),--exclude-class $*)
$(MODELS)/loo_%_bnn.h5: $(DATA)/train.h5 $(DATA)/val.h5 $(CALOBNN) $(call recipe,$(MODELS)/loo_%_bnn.h5,$(TRAIN_LOO_BNN))
	@mkdir -p $(MODELS)
	$(call step,train_bnn) $(TRAIN_LOO_BNN) -o $@
$(MODELS)/loo_%_det.h5: $(DATA)/train.h5 $(DATA)/val.h5 $(CALOBNN) $(call recipe,$(MODELS)/loo_%_det.h5,$(TRAIN_LOO_DET))
	@mkdir -p $(MODELS)
	$(call step,train_det) $(TRAIN_LOO_DET) -o $@
# $(call MEMBER_RULES,CLASS,MEMBER,MODEL,NAME,KIND,SAMPLES): models/loo_<CLASS>_<NAME>.h5, a MODEL
# (bnn|deterministic) trained without CLASS as --member MEMBER (its seed derived from SEED_LOO, the
# class and the member), and its prediction pred/loo_<CLASS>_<NAME>.h5 with SAMPLES weight samples;
# KIND names the step (train_KIND, predict_KIND). One stamp per NAME, shared by the classes (the
# command differs only by the removed class).
#   Ensemble member i (member 0 is the twin above): NAME ens<i>; it is also the twin of seed i.
#   The BNN of seed r: NAME bnn_s<r>.
define MEMBER_RULES
$(MODELS)/loo_$(1)_$(4).h5: $(DATA)/train.h5 $(DATA)/val.h5 $(CALOBNN) $(call recipe,$(MODELS)/loo_%_$(4).h5,$(call train,$(3),$(SEED_LOO),--exclude-class --member $(2)))
	@mkdir -p $(MODELS)
	$$(call step,train_$(5)) $(call train,$(3),$(SEED_LOO),--exclude-class $(1) --member $(2)) -o $$@
$(PRED)/loo_$(1)_$(4).h5: $(MODELS)/loo_$(1)_$(4).h5 $(DATA)/test.h5 $(CALOBNN) $(call recipe,$(PRED)/loo_%_$(4).h5,$(call predict,$(MODELS)/loo__$(4).h5,$(DATA)/test.h5,$(6)))
	@mkdir -p $(PRED)
	$$(call step,predict_$(5)) $(call predict,$(MODELS)/loo_$(1)_$(4).h5,$(DATA)/test.h5,$(6)) -o $$@
endef
ENSEMBLE_MEMBERS = $(shell seq 1 $$(( $(ENSEMBLE) > $(SEEDS) - 1 ? $(ENSEMBLE) : $(SEEDS) - 1 )))
$(foreach c,$(STUDY_CLASSES),$(foreach i,$(ENSEMBLE_MEMBERS),$(eval $(call MEMBER_RULES,$(c),$(i),deterministic,ens$(i),det,1))))
$(foreach c,$(STUDY_CLASSES),$(foreach r,$(SEED_RUNS),$(eval $(call MEMBER_RULES,$(c),$(r),bnn,bnn_s$(r),bnn,$(MC_SAMPLES)))))

PREDICT_LOO_BNN = $(call predict,$<,$(DATA)/test.h5,$(MC_SAMPLES))
PREDICT_LOO_DET = $(call predict,$<,$(DATA)/test.h5,1)
$(PRED)/loo_%_bnn.h5: $(MODELS)/loo_%_bnn.h5 $(DATA)/test.h5 $(CALOBNN) $(call recipe,$(PRED)/loo_%_bnn.h5,$(PREDICT_LOO_BNN))
	@mkdir -p $(PRED)
	$(call step,predict_bnn) $(PREDICT_LOO_BNN) -o $@
$(PRED)/loo_%_det.h5: $(MODELS)/loo_%_det.h5 $(DATA)/test.h5 $(CALOBNN) $(call recipe,$(PRED)/loo_%_det.h5,$(PREDICT_LOO_DET))
	@mkdir -p $(PRED)
	$(call step,predict_det) $(PREDICT_LOO_DET) -o $@

# Dedicated detectors of each removed class (beyond the talk), fitted on the known classes only:
# on its twin, the twin's free energy and a Mahalanobis distance on its pooled features fitted on
# the training file's known classes; on the images, a dense autoencoder trained on those classes
# (study inputs, and energy-normalised inputs), its epoch picked on the validation file's known
# classes (the twin names the known classes).
# $(call detect,DETECTOR,TWIN MODEL,SEED INDEX): the command; DETECT_ARGS_<detector> holds what it
# needs beyond the twin and the test set. Seed 0 uses the twin loo_<c>_det.h5, seed r member
# ens<r>; a detector that trains (DETECT_TRAINS_<detector>) is also given --member r, which its
# seed derives from, and runs as a training step.
DETECTORS ?= energy mahalanobis autoencoder autoencoder-normalised
# AE_EPOCHS (the profile's; 10 if a profile does not say): each autoencoder trains that many epochs.
AE_EPOCHS ?= 10
DETECT_ARGS_energy      =
DETECT_ARGS_mahalanobis = --training $(DATA)/train.h5
DETECT_ARGS_autoencoder = --training $(DATA)/train.h5 --validation $(DATA)/val.h5 --seed $(SEED_AUTOENCODER) --epochs $(AE_EPOCHS)
DETECT_ARGS_autoencoder-normalised = $(DETECT_ARGS_autoencoder)
DETECT_TRAINS_autoencoder = yes
DETECT_TRAINS_autoencoder-normalised = yes
detect = $(strip $(CALOBNN) detect $(1) --model $(2) $(DETECT_ARGS_$(1)) $(if $(DETECT_TRAINS_$(1)),$(if $(filter-out 0,$(3)),--member $(3))) --data $(DATA)/test.h5)
detect-step = $(if $(DETECT_TRAINS_$(1)),train_det,predict_det)
define DETECTOR_RULES
$(PRED)/loo_%_$(1).h5: $(MODELS)/loo_%_det.h5 $(DATA)/train.h5 $(DATA)/val.h5 $(DATA)/test.h5 $(CALOBNN) $$(call recipe,$(PRED)/loo_%_$(1).h5,$$(call detect,$(1),$$<,0))
	@mkdir -p $(PRED)
	$$(call step,$(call detect-step,$(1))) $$(call detect,$(1),$$<,0) -o $$@
endef
define DETECTOR_SEED_RULES
$(PRED)/loo_$(1)_$(2)_s$(3).h5: $(MODELS)/loo_$(1)_ens$(3).h5 $(DATA)/train.h5 $(DATA)/val.h5 $(DATA)/test.h5 $(CALOBNN) $(call recipe,$(PRED)/loo_%_$(2)_s$(3).h5,$(call detect,$(2),$(MODELS)/loo__ens$(3).h5,$(3)))
	@mkdir -p $(PRED)
	$$(call step,$(call detect-step,$(2))) $(call detect,$(2),$(MODELS)/loo_$(1)_ens$(3).h5,$(3)) -o $$@
endef
$(foreach d,$(DETECTORS),$(eval $(call DETECTOR_RULES,$(d))))
$(foreach c,$(STUDY_CLASSES),$(foreach d,$(DETECTORS),$(foreach r,$(SEED_RUNS),$(eval $(call DETECTOR_SEED_RULES,$(c),$(d),$(r))))))

LOO_PREDICTIONS = $(foreach c,$(STUDY_CLASSES),$(PRED)/loo_$(c)_bnn.h5 $(PRED)/loo_$(c)_det.h5 \
                    $(foreach i,$(ENSEMBLE_MEMBERS),$(PRED)/loo_$(c)_ens$(i).h5) $(foreach d,$(DETECTORS),$(PRED)/loo_$(c)_$(d).h5) \
                    $(foreach r,$(SEED_RUNS),$(PRED)/loo_$(c)_bnn_s$(r).h5 $(foreach d,$(DETECTORS),$(PRED)/loo_$(c)_$(d)_s$(r).h5)))

EVALUATE_ANOMALY = $(CALOBNN) evaluate anomaly --class $(STUDY_CLASS_LIST) --pred-dir $(PRED) --model-dir $(MODELS) \
  --data $(DATA)/test.h5 --ensemble $(ENSEMBLE) --seeds $(SEEDS) --bootstrap $(BOOTSTRAP) --bootstrap-seed $(SEED_BOOTSTRAP) \
  $(if $(strip $(DETECTORS)),--detectors $(subst $(space),$(comma),$(strip $(DETECTORS)))) --profile $(PROFILE) -o $(RESULTS)/anomaly
$(RESULTS)/anomaly/numbers.tex: $(LOO_PREDICTIONS) $(DATA)/test.h5 $(CALOBNN) $(call recipe,$(RESULTS)/anomaly/numbers.tex,$(EVALUATE_ANOMALY))
	$(EVALUATE_ANOMALY)

include Reproduce/beyond.mk    # beyond the talk: scans of T, prior width and training size

# ---- robustness checks: the study again with one setting changed, compared ----------------------
# Each variant is a run of the study's §4 and §5 (targets classification and anomaly) in its own
# folder, out/<profile>-visible and out/<profile>-normalised; the comparison (`calobnn evaluate
# robustness`, StudyExperiments' Robustness) reads their summaries, which hold the main training's
# numbers. So the variants train ROBUST_SEEDS = 1 seed per network unless told otherwise (our
# choice: the extra seeds would enter no number of the comparison; a variant's J/ψ row is then one
# seed's, to be read against the study's seed spread). Cost: each variant retrains every network of
# §4 and §5 once, the ensembles included (the default profile's two variants: 69 minutes on 2
# cores with other work beside them; 46 and 50 minutes with light work beside, Zen 4, 4 and
# 5 December 2026).
ROBUST_OUT_VISIBLE    = out/$(PROFILE)-visible
ROBUST_OUT_NORMALISED = out/$(PROFILE)-normalised
ROBUST_SEEDS         ?= 1
.PHONY: robustness
## robustness: the study with the visible response + noise, and with normalised inputs, beside the study.
robustness: results
	$(MAKE) --no-print-directory classification anomaly PROFILE=$(PROFILE) SEEDS=$(ROBUST_SEEDS) RESPONSE=visible OUT=$(ROBUST_OUT_VISIBLE)
	$(MAKE) --no-print-directory classification anomaly PROFILE=$(PROFILE) SEEDS=$(ROBUST_SEEDS) INPUTS=normalised OUT=$(ROBUST_OUT_NORMALISED)
	$(CALOBNN) evaluate robustness --run study=$(RESULTS) --run 'visible + noise=$(ROBUST_OUT_VISIBLE)/results' \
	  --run 'normalised inputs=$(ROBUST_OUT_NORMALISED)/results' -o $(RESULTS)/robustness

# ---- groups -----------------------------------------------------------------------------------
.PHONY: datasets images validation classification geant4 anomaly results
datasets: $(DATA)/train.h5 $(DATA)/val.h5 $(DATA)/test.h5
images: $(RESULTS)/images/layer_energies.tex
validation: $(VALID)/numbers.tex $(foreach t,$(TUNING_SETS),$(TUNINGS_VALID)/$(basename $(notdir $(t)))/numbers.tex) $(STEPS_TARGETS)
classification: $(RESULTS)/classification/numbers.tex
geant4: $(RESULTS)/geant4/numbers.tex
anomaly: $(RESULTS)/anomaly/numbers.tex
results: images validation classification geant4 anomaly beyond
