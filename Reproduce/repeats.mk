# Repeated trainings: the spread between trainings as an error. Included by Reproduce/reproduce.mk
# after the folder variables and before the rules.
#
# REPEATS = R (a profile sets it; 1 if unset) trains every §4 and §5 network R times. Repetition 0
# is the main run; repetition r = 1 … R−1 reuses the same datasets and writes
# $(OUT)/repeat<r>/{models,pred,results}, every training seed offset by r × 1 000 000 (the tool
# derives all sub-streams from the seed, so these are independent trainings). Only the training
# seeds change: the spread measures training-to-training variation at fixed data (our choice; a
# spread over datasets needs different data seeds too).
#
# $(OUT)/results/repeats/spread.{md,csv,tex}: mean, standard deviation, minimum and maximum over
# the R repetitions of every numeric macro of classification/numbers.tex and anomaly/numbers.tex
# (wall times excluded); the .tex defines \<Name>Mean and \<Name>Spread for the Paper.

REPEATS ?= 1
REPEAT  ?= 0
REPEAT_SEED_STRIDE = 1000000

ifneq ($(REPEAT),0)
MODELS  = $(OUT)/repeat$(REPEAT)/models
PRED    = $(OUT)/repeat$(REPEAT)/pred
RESULTS = $(OUT)/repeat$(REPEAT)/results
repeat-seed = $(shell echo $$(( $(strip $(1)) + $(REPEAT) * $(REPEAT_SEED_STRIDE) )))
SEED_ID_BNN := $(call repeat-seed,$(SEED_ID_BNN))
SEED_ID_DET := $(call repeat-seed,$(SEED_ID_DET))
SEED_LOO    := $(call repeat-seed,$(SEED_LOO))
SEED_AUTOENCODER := $(call repeat-seed,$(SEED_AUTOENCODER))
endif

REPEAT_INDICES = $(shell seq 1 $$(( $(REPEATS) - 1 )))
REPEAT_NUMBERS = $(foreach r,$(REPEAT_INDICES),$(OUT)/repeat$(r)/results/classification/numbers.tex \
                                               $(OUT)/repeat$(r)/results/anomaly/numbers.tex)

.PHONY: repeats
ifeq ($(REPEAT),0)
ifneq ($(REPEAT_INDICES),)
results: repeats
endif
repeats: $(OUT)/results/repeats/spread.md

# One sub-make per repetition (they run in parallel under make -j, and each hands its expensive
# steps to the cluster when CLUSTER is set); the datasets and the tool are made first, by this make,
# once. The sub-make always runs (FORCE) and decides itself what is out of date in its repetition
# (a rebuilt tool, a changed command); spread.md is redone only when one of its inputs changed.
$(OUT)/repeat%/results/classification/numbers.tex $(OUT)/repeat%/results/anomaly/numbers.tex: \
    $(DATA)/train.h5 $(DATA)/val.h5 $(DATA)/test.h5 $(CALOBNN) FORCE
	@$(MAKE) --no-print-directory classification anomaly REPEAT=$* CALOBNN_BUILT=1

$(OUT)/results/repeats/spread.md: $(CALOBNN) $(RESULTS)/classification/numbers.tex \
    $(RESULTS)/anomaly/numbers.tex $(REPEAT_NUMBERS)
	$(CALOBNN) evaluate spread --profile $(PROFILE) -o $(@D) $(filter %.tex,$^)
endif
