# Beyond the talk (Paper §8): how the BNN's σ depends on what the study fixed. Included by
# Reproduce/reproduce.mk after the §5 rules. One removed class, SCAN_CLASS (the talk's physics
# example, our choice); every scan network is the §5 BNN without it, from the same derived seed,
# with one setting changed:
#   T      the number of weight samples at prediction   (the §5 BNN itself, predicted with T)
#   prior  the prior width σ_prior of normal(σ_prior)   (1 = the §5 BNN)
#   size   the training events per class (the first N)  (TRAIN_PER_CLASS = the §5 BNN)
SCAN_CLASS   ?= jpsi_ee
SCAN_SAMPLES ?= 5 10 20 50 100 200
SCAN_PRIORS  ?= 0.1 10
# Four smaller sizes over two decades below the profile's, rounded down (our choice).
SCAN_SIZES   ?= $(foreach d,100 30 10 3,$(shell echo $$(( $(TRAIN_PER_CLASS) / $(d) ))))
SCAN_BNN      = $(MODELS)/loo_$(SCAN_CLASS)_bnn.h5

PREDICT_SCAN_T = $(call predict,$(SCAN_BNN),$(DATA)/test.h5,$(1))
TRAIN_SCAN     = $(call train,bnn,$(SEED_LOO),--exclude-class $(SCAN_CLASS)) $(1)
PREDICT_SCAN   = $(call predict,$(MODELS)/loo_$(SCAN_CLASS)_$(1)_bnn.h5,$(DATA)/test.h5,$(MC_SAMPLES))
define SCAN_T_RULE
$(PRED)/loo_$(SCAN_CLASS)_T$(1).h5: $(SCAN_BNN) $(DATA)/test.h5 $(CALOBNN) $(call recipe,$(PRED)/loo_$(SCAN_CLASS)_T$(1).h5,$(call PREDICT_SCAN_T,$(1)))
	@mkdir -p $(PRED)
	$$(call step,predict_bnn) $(call PREDICT_SCAN_T,$(1)) -o $$@
endef
define SCAN_MODEL_RULE
$(MODELS)/loo_$(SCAN_CLASS)_$(1)_bnn.h5: $(DATA)/train.h5 $(DATA)/val.h5 $(CALOBNN) $(call recipe,$(MODELS)/loo_$(SCAN_CLASS)_$(1)_bnn.h5,$(call TRAIN_SCAN,$(2)))
	@mkdir -p $(MODELS)
	$$(call step,train_bnn) $(call TRAIN_SCAN,$(2)) -o $$@
$(PRED)/loo_$(SCAN_CLASS)_$(1)_bnn.h5: $(MODELS)/loo_$(SCAN_CLASS)_$(1)_bnn.h5 $(DATA)/test.h5 $(CALOBNN) $(call recipe,$(PRED)/loo_$(SCAN_CLASS)_$(1)_bnn.h5,$(call PREDICT_SCAN,$(1)))
	@mkdir -p $(PRED)
	$$(call step,predict_bnn) $(call PREDICT_SCAN,$(1)) -o $$@
endef
ifneq ($(strip $(STUDY_CLASSES)),)
$(foreach t,$(SCAN_SAMPLES),$(eval $(call SCAN_T_RULE,$(t))))
$(foreach p,$(SCAN_PRIORS),$(eval $(call SCAN_MODEL_RULE,prior$(p),--prior 'normal($(p))')))
$(foreach n,$(SCAN_SIZES),$(eval $(call SCAN_MODEL_RULE,size$(n),--events-per-class $(n))))
endif

SCAN_PREDICTIONS = $(foreach t,$(SCAN_SAMPLES),$(PRED)/loo_$(SCAN_CLASS)_T$(t).h5) \
                   $(foreach p,$(SCAN_PRIORS),$(PRED)/loo_$(SCAN_CLASS)_prior$(p)_bnn.h5) \
                   $(foreach n,$(SCAN_SIZES),$(PRED)/loo_$(SCAN_CLASS)_size$(n)_bnn.h5) $(PRED)/loo_$(SCAN_CLASS)_bnn.h5
EVALUATE_SCANS = $(CALOBNN) evaluate scans --class $(SCAN_CLASS) \
  $(foreach t,$(SCAN_SAMPLES),--samples $(t)=$(PRED)/loo_$(SCAN_CLASS)_T$(t).h5) \
  $(foreach p,$(sort 1 $(SCAN_PRIORS)),--prior $(p)=$(if $(filter 1,$(p)),$(PRED)/loo_$(SCAN_CLASS)_bnn.h5,$(PRED)/loo_$(SCAN_CLASS)_prior$(p)_bnn.h5)) \
  $(foreach n,$(SCAN_SIZES),--size $(n)=$(PRED)/loo_$(SCAN_CLASS)_size$(n)_bnn.h5) --size $(TRAIN_PER_CLASS)=$(PRED)/loo_$(SCAN_CLASS)_bnn.h5 \
  --bootstrap $(BOOTSTRAP) --bootstrap-seed $(SEED_BOOTSTRAP) --profile $(PROFILE) -o $(RESULTS)/beyond
$(RESULTS)/beyond/numbers.tex: $(SCAN_PREDICTIONS) $(CALOBNN) $(call recipe,$(RESULTS)/beyond/numbers.tex,$(EVALUATE_SCANS))
	$(EVALUATE_SCANS)

.PHONY: beyond
beyond: $(RESULTS)/beyond/numbers.tex
