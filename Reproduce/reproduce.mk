# The experiment targets of the study, in paper order. Included by the top-level Makefile.
#
#   compute (simulate → train → predict)  →  data files (results/)  →  figures and tables
#
# Every artefact lives under $(OUT) = out/$(PROFILE); models and datasets are cached and reused:
# re-running `make reproduce` only redoes what is missing or out of date.

include Reproduce/seeds.mk
include Reproduce/profiles/$(PROFILE).mk
include Reproduce/cluster.mk    # $(call step,KIND): run a command here, or as a Slurm job (CLUSTER=slurm)

STUDY_CLASSES = photon pi0_gg pi0_dalitz eta_gg eta_3pi0 etap_gg etap_6g etap_10g jpsi_ee noise_burst
DATA    = $(OUT)/data
MODELS  = $(OUT)/models
PRED    = $(OUT)/pred
RESULTS = $(OUT)/results
TRAIN_FLAGS = --epochs $(EPOCHS) --patience $(PATIENCE) --batch $(BATCH)
include Reproduce/repeats.mk    # REPEATS: repeated trainings (folders and seeds of repetition REPEAT)

# Models, predictions and datasets are reached through pattern rules; make would otherwise
# treat them as intermediate and delete them after a run. They are the cache: keep them.
# (.PRECIOUS would need each rule's exact target pattern; .SECONDARY with no prerequisites
# keeps every intermediate file.)
.SECONDARY:

# ---- §3 the use case: datasets (distinct seeds per split) ------------------------------------
$(DATA)/train.h5: | $(CALOBNN)
	@mkdir -p $(DATA)
	$(call step,simulate) $(CALOBNN) simulate --class all -n $(TRAIN_PER_CLASS) --seed $(SEED_TRAIN_DATA) -o $@
$(DATA)/val.h5: | $(CALOBNN)
	@mkdir -p $(DATA)
	$(call step,simulate) $(CALOBNN) simulate --class all -n $(VAL_PER_CLASS) --seed $(SEED_VAL_DATA) -o $@
$(DATA)/test.h5: | $(CALOBNN)
	@mkdir -p $(DATA)
	$(call step,simulate) $(CALOBNN) simulate --class all -n $(TEST_PER_CLASS) --seed $(SEED_TEST_DATA) -o $@

$(RESULTS)/images/layer_energies.tex: $(DATA)/test.h5
	$(CALOBNN) evaluate images --data $< -o $(RESULTS)/images

# ---- §3 validated: our simulator against the Geant4 reference samples -------------------------
# Both tunings of the shower model (gflash = before, geant4 = after) against every file of
# Reproduce/reference/geant4 (README.md there: how they were made). Cheap (seconds), so every
# profile uses the same $(VALIDATION_EVENTS) simulated events per sample (our choice).
GEANT4_REFERENCES = $(sort $(wildcard Reproduce/reference/geant4/*.h5))
VALIDATION_EVENTS ?= 2000
VALID = $(RESULTS)/validation
$(VALID)/numbers.tex: $(GEANT4_REFERENCES) | $(CALOBNN)
	@mkdir -p $(VALID)
	@mkdir -p $(DATA)
	$(CALOBNN) validate $(foreach f,$(GEANT4_REFERENCES),--reference $(f)) --events $(VALIDATION_EVENTS) \
	  --seed $(SEED_VALIDATION) --tunings gflash,geant4 --export-dataset $(DATA)/geant4.h5 -o $(VALID)
# The Geant4 events of study classes (γ, π⁰ → γγ, η → γγ, J/ψ → e⁺e⁻ at 20 GeV), in our layout.
$(DATA)/geant4.h5: $(VALID)/numbers.tex
	@test -s $@ || { echo "validation: $@ missing (written by 'make validation')" >&2; exit 1; }

# ---- §4 classification: BNN and deterministic twin on all ten classes -------------------------
$(MODELS)/all_bnn.h5: $(DATA)/train.h5 $(DATA)/val.h5
	@mkdir -p $(MODELS)
	$(call step,train_bnn) $(CALOBNN) train --data $(DATA)/train.h5 --validation $(DATA)/val.h5 --model bnn $(TRAIN_FLAGS) --seed $(SEED_ID_BNN) -o $@
$(MODELS)/all_det.h5: $(DATA)/train.h5 $(DATA)/val.h5
	@mkdir -p $(MODELS)
	$(call step,train_det) $(CALOBNN) train --data $(DATA)/train.h5 --validation $(DATA)/val.h5 --model deterministic $(TRAIN_FLAGS) --seed $(SEED_ID_DET) -o $@

$(PRED)/all_bnn.h5: $(MODELS)/all_bnn.h5 $(DATA)/test.h5
	@mkdir -p $(PRED)
	$(call step,predict_bnn) $(CALOBNN) predict --model $< --data $(DATA)/test.h5 --samples $(MC_SAMPLES) -o $@
$(PRED)/all_det.h5: $(MODELS)/all_det.h5 $(DATA)/test.h5
	@mkdir -p $(PRED)
	$(call step,predict_det) $(CALOBNN) predict --model $< --data $(DATA)/test.h5 --samples 1 -o $@

$(RESULTS)/classification/numbers.tex: $(PRED)/all_bnn.h5 $(PRED)/all_det.h5
	$(CALOBNN) evaluate classification --bnn $(PRED)/all_bnn.h5 --det $(PRED)/all_det.h5 \
	  --bnn-model $(MODELS)/all_bnn.h5 --det-model $(MODELS)/all_det.h5 --profile $(PROFILE) -o $(RESULTS)/classification

# ---- §3 validated: the study's networks (trained on our simulator) on Geant4 images ----------
$(PRED)/geant4_bnn.h5: $(MODELS)/all_bnn.h5 $(DATA)/geant4.h5
	@mkdir -p $(PRED)
	$(call step,predict_bnn) $(CALOBNN) predict --model $< --data $(DATA)/geant4.h5 --samples $(MC_SAMPLES) -o $@
$(PRED)/geant4_det.h5: $(MODELS)/all_det.h5 $(DATA)/geant4.h5
	@mkdir -p $(PRED)
	$(call step,predict_det) $(CALOBNN) predict --model $< --data $(DATA)/geant4.h5 --samples 1 -o $@
$(RESULTS)/geant4/numbers.tex: $(PRED)/geant4_bnn.h5 $(PRED)/geant4_det.h5 $(PRED)/all_bnn.h5 $(PRED)/all_det.h5
	$(CALOBNN) evaluate geant4 --bnn $(PRED)/geant4_bnn.h5 --det $(PRED)/geant4_det.h5 \
	  --own-bnn $(PRED)/all_bnn.h5 --own-det $(PRED)/all_det.h5 -o $(RESULTS)/geant4

# ---- §5 anomaly detection: leave one class out (BNN, twin, ensemble members) ------------------
$(MODELS)/loo_%_bnn.h5: $(DATA)/train.h5 $(DATA)/val.h5
	@mkdir -p $(MODELS)
	$(call step,train_bnn) $(CALOBNN) train --data $(DATA)/train.h5 --validation $(DATA)/val.h5 --model bnn --exclude-class $* $(TRAIN_FLAGS) --seed $(SEED_LOO) -o $@
$(MODELS)/loo_%_det.h5: $(DATA)/train.h5 $(DATA)/val.h5
	@mkdir -p $(MODELS)
	$(call step,train_det) $(CALOBNN) train --data $(DATA)/train.h5 --validation $(DATA)/val.h5 --model deterministic --exclude-class $* $(TRAIN_FLAGS) --seed $(SEED_LOO) -o $@
# Ensemble member i of removed class c: models/loo_<c>_ens<i>.h5 (member 0 is the twin above).
define ENSEMBLE_RULES
$(MODELS)/loo_$(1)_ens$(2).h5: $(DATA)/train.h5 $(DATA)/val.h5
	@mkdir -p $(MODELS)
	$$(call step,train_det) $(CALOBNN) train --data $(DATA)/train.h5 --validation $(DATA)/val.h5 --model deterministic --exclude-class $(1) --member $(2) $(TRAIN_FLAGS) --seed $(SEED_LOO) -o $$@
$(PRED)/loo_$(1)_ens$(2).h5: $(MODELS)/loo_$(1)_ens$(2).h5 $(DATA)/test.h5
	@mkdir -p $(PRED)
	$$(call step,predict_det) $(CALOBNN) predict --model $$< --data $(DATA)/test.h5 --samples 1 -o $$@
endef
ENSEMBLE_MEMBERS = $(shell seq 1 $(ENSEMBLE))
$(foreach c,$(STUDY_CLASSES),$(foreach i,$(ENSEMBLE_MEMBERS),$(eval $(call ENSEMBLE_RULES,$(c),$(i)))))

$(PRED)/loo_%_bnn.h5: $(MODELS)/loo_%_bnn.h5 $(DATA)/test.h5
	@mkdir -p $(PRED)
	$(call step,predict_bnn) $(CALOBNN) predict --model $< --data $(DATA)/test.h5 --samples $(MC_SAMPLES) -o $@
$(PRED)/loo_%_det.h5: $(MODELS)/loo_%_det.h5 $(DATA)/test.h5
	@mkdir -p $(PRED)
	$(call step,predict_det) $(CALOBNN) predict --model $< --data $(DATA)/test.h5 --samples 1 -o $@

LOO_PREDICTIONS = $(foreach c,$(STUDY_CLASSES),$(PRED)/loo_$(c)_bnn.h5 $(PRED)/loo_$(c)_det.h5 \
                    $(foreach i,$(ENSEMBLE_MEMBERS),$(PRED)/loo_$(c)_ens$(i).h5))

$(RESULTS)/anomaly/numbers.tex: $(LOO_PREDICTIONS) $(DATA)/test.h5
	$(CALOBNN) evaluate anomaly --pred-dir $(PRED) --model-dir $(MODELS) --data $(DATA)/test.h5 \
	  --ensemble $(ENSEMBLE) --bootstrap $(BOOTSTRAP) --profile $(PROFILE) -o $(RESULTS)/anomaly

# ---- groups -----------------------------------------------------------------------------------
.PHONY: datasets images validation classification geant4 anomaly results
datasets: $(DATA)/train.h5 $(DATA)/val.h5 $(DATA)/test.h5
images: $(RESULTS)/images/layer_energies.tex
validation: $(VALID)/numbers.tex
classification: $(RESULTS)/classification/numbers.tex
geant4: $(RESULTS)/geant4/numbers.tex
anomaly: $(RESULTS)/anomaly/numbers.tex
results: images validation classification geant4 anomaly
