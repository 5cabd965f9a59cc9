# The figures of the study: data files (results/) → gnuplot (Reproduce/figures/*.gp) → PDF + PNG
# in $(OUT)/figures. Included by the top-level Makefile after Reproduce/reproduce.mk.
#
#   make figures [PROFILE=…]            every figure; computes the results first if they are missing
#   make figures RESTYLE=1 [PROFILE=…]  redraw from the data files as they are, never recompute
#                                       (for restyling; fails if a data file is missing)
#
# Each figure depends on its script, on common.gp and on the data files it reads, so editing a
# script redraws only its figures, and nothing here retrains a network.

FIGURES     = $(OUT)/figures
FIG_SCRIPTS = Reproduce/figures
GNUPLOT    ?= gnuplot
# gnuplot -e "data='DIR'; out='STEM'; EXTRA" SCRIPT — STEM is the target without .pdf.
gp = $(GNUPLOT) -e "data='$(1)'; out='$(basename $@)'$(if $(3),; $(3))" $(FIG_SCRIPTS)/$(2).gp
FIG_COMMON  = $(FIG_SCRIPTS)/common.gp

# ---- data files: written by the make targets `images`, `classification`, `anomaly` -----------
# Each evaluate step writes its data files and then its stamp (layer_energies.tex or numbers.tex);
# a data file missing after its target ran is an error, said loudly.
ifeq ($(RESTYLE),1)
STAMP_images         =
STAMP_validation     =
STAMP_geant4         =
STAMP_classification =
STAMP_anomaly        =
else
STAMP_images         = $(RESULTS)/images/layer_energies.tex
STAMP_validation     = $(RESULTS)/validation/numbers.tex
STAMP_geant4         = $(RESULTS)/geant4/numbers.tex
STAMP_classification = $(RESULTS)/classification/numbers.tex
STAMP_anomaly        = $(RESULTS)/anomaly/numbers.tex
endif
define DATA_RULES
$(RESULTS)/$(1)/%.dat: $(STAMP_$(1))
	@test -s $$@ || { echo "figures: missing data file $$@ (written by 'make $(1) PROFILE=$(PROFILE)')" >&2; exit 1; }
$(RESULTS)/$(1)/%.csv: $(STAMP_$(1))
	@test -s $$@ || { echo "figures: missing data file $$@ (written by 'make $(1) PROFILE=$(PROFILE)')" >&2; exit 1; }
$(RESULTS)/$(1)/%.txt: $(STAMP_$(1))
	@test -s $$@ || { echo "figures: missing data file $$@ (written by 'make $(1) PROFILE=$(PROFILE)')" >&2; exit 1; }
endef
$(foreach t,images validation geant4 classification anomaly,$(eval $(call DATA_RULES,$(t))))
# Data files reached only through pattern rules would count as intermediate, and make would delete
# them after drawing: they are results, keep them.
.PRECIOUS: $(foreach t,images validation geant4 classification anomaly,$(foreach e,dat csv txt,$(RESULTS)/$(t)/%.$(e)))

# ---- §3 the use case: average images and single events ---------------------------------------
IMAGE_DATA = $(foreach c,$(STUDY_CLASSES),$(RESULTS)/images/images_$(c).dat) $(RESULTS)/images/layer_energies.csv
$(FIGURES)/images_average.pdf: $(FIG_SCRIPTS)/images_grid.gp $(FIG_COMMON) $(IMAGE_DATA)
	@mkdir -p $(FIGURES)
	$(call gp,$(RESULTS)/images,images_grid,event=0; classes='$(STUDY_CLASSES)'; labels='$(RESULTS)/images/layer_energies.csv')
$(FIGURES)/images_single.pdf: $(FIG_SCRIPTS)/images_grid.gp $(FIG_COMMON) $(IMAGE_DATA)
	@mkdir -p $(FIGURES)
	$(call gp,$(RESULTS)/images,images_grid,event=1; classes='$(STUDY_CLASSES)'; labels='$(RESULTS)/images/layer_energies.csv')

# ---- §3 validated: shower shapes against Geant4, one figure per reference sample ---------------
GEANT4_SAMPLES = $(basename $(notdir $(GEANT4_REFERENCES)))
$(FIGURES)/validation_%.pdf: $(FIG_SCRIPTS)/validation_shapes.gp $(FIG_COMMON) $(RESULTS)/validation/hist_%.dat
	@mkdir -p $(FIGURES)
	$(call gp,$(RESULTS)/validation,validation_shapes,sample='$*')

$(FIGURES)/geant4_sigma.pdf: $(FIG_SCRIPTS)/geant4_sigma.gp $(FIG_COMMON) $(RESULTS)/geant4/sigma_own_vs_geant4.dat $(RESULTS)/geant4/classes.txt
	@mkdir -p $(FIGURES)
	$(call gp,$(RESULTS)/geant4,geant4_sigma)

# ---- §4 classification -----------------------------------------------------------------------
CLS = $(RESULTS)/classification
$(FIGURES)/outputs_%.pdf: $(FIG_SCRIPTS)/outputs_grid.gp $(FIG_COMMON) $(CLS)/outputs_%.dat $(CLS)/confusion_bnn.csv
	@mkdir -p $(FIGURES)
	$(call gp,$(CLS),outputs_grid,what='$*')
$(FIGURES)/mean_vs_std.pdf: $(FIG_SCRIPTS)/mean_vs_std.gp $(FIG_COMMON) $(CLS)/mean_vs_std.dat
	@mkdir -p $(FIGURES)
	$(call gp,$(CLS),mean_vs_std)
$(FIGURES)/confusion_%.pdf: $(FIG_SCRIPTS)/confusion.gp $(FIG_COMMON) $(CLS)/confusion_%.dat $(CLS)/confusion_bnn.csv
	@mkdir -p $(FIGURES)
	$(call gp,$(CLS),confusion,model='$*')
$(FIGURES)/training.pdf: $(FIG_SCRIPTS)/training.gp $(FIG_COMMON) $(CLS)/training_bnn.dat $(CLS)/training_det.dat
	@mkdir -p $(FIGURES)
	$(call gp,$(CLS),training)
$(FIGURES)/reliability.pdf: $(FIG_SCRIPTS)/reliability.gp $(FIG_COMMON) $(CLS)/reliability.dat
	@mkdir -p $(FIGURES)
	$(call gp,$(CLS),reliability)

# ---- §5 anomaly detection: per removed class, the summary, the A/B/C examples ----------------
AD = $(RESULTS)/anomaly
$(FIGURES)/loo_%.pdf: $(FIG_SCRIPTS)/loo.gp $(FIG_COMMON) $(AD)/loo_%.dat $(AD)/std_summary.dat $(AD)/class_labels.txt
	@mkdir -p $(FIGURES)
	$(call gp,$(AD),loo,cls='$*')
$(FIGURES)/examples_%.pdf: $(FIG_SCRIPTS)/examples.gp $(FIG_COMMON) $(AD)/examples_%.dat $(AD)/examples_outputs_%.dat \
                          $(AD)/std_summary.dat $(AD)/class_labels.txt
	@mkdir -p $(FIGURES)
	$(call gp,$(AD),examples,cls='$*')
$(FIGURES)/loo_all.pdf: $(FIG_SCRIPTS)/loo_grid.gp $(FIG_COMMON) $(foreach c,$(STUDY_CLASSES),$(AD)/loo_$(c).dat) $(AD)/class_labels.txt
	@mkdir -p $(FIGURES)
	$(call gp,$(AD),loo_grid,classes='$(STUDY_CLASSES)')
$(FIGURES)/std_summary.pdf: $(FIG_SCRIPTS)/std_summary.gp $(FIG_COMMON) $(AD)/std_summary.dat $(AD)/class_labels.txt
	@mkdir -p $(FIGURES)
	$(call gp,$(AD),std_summary)

# ---- the list, and the PNG written beside each PDF -------------------------------------------
FIGURE_STEMS = images_average images_single $(foreach s,$(GEANT4_SAMPLES),validation_$(s)) geant4_sigma \
               outputs_mean outputs_std outputs_mean_det mean_vs_std confusion_bnn confusion_det training reliability \
               $(foreach c,$(STUDY_CLASSES),loo_$(c) examples_$(c)) loo_all std_summary
FIGURE_FILES = $(foreach s,$(FIGURE_STEMS),$(FIGURES)/$(s).pdf $(FIGURES)/$(s).png)

$(FIGURES)/%.png: $(FIGURES)/%.pdf
	@test -s $@ || { echo "figures: $< was drawn but $@ is missing" >&2; rm -f $<; exit 1; }

.PHONY: figures
## figures: every figure of the Paper as PDF and PNG in $(OUT)/figures.
figures: $(FIGURE_FILES)
	@echo "figures: $(words $(FIGURE_STEMS)) figures (PDF + PNG) in $(FIGURES)"
