# Where the expensive steps run. Included by Reproduce/reproduce.mk.
#
#   make reproduce                     every step on this machine (the default)
#   make reproduce CLUSTER=slurm -j 64 each simulation, training and prediction is its own Slurm
#                                      job (srun, one per make recipe); tables, figures and the
#                                      Paper are made locally. Make stays the dependency graph.
#
# Variables (all optional): CLUSTER_ACCOUNT, CLUSTER_PARTITION, and CLUSTER_OPTIONS for any other
# srun/sbatch allocation option (e.g. CLUSTER_OPTIONS="--qos=short --constraint=avx2").
# A job's stdout/stderr go to $(OUT)/logs/<models|pred|data>/<name>.log, whose first line names
# the Slurm job id and whose last line its exit status and wall time. A failed job fails make
# with its target, job id and log path.

CLUSTER           ?=
CLUSTER_ACCOUNT   ?=
CLUSTER_PARTITION ?=
CLUSTER_OPTIONS   ?=
LOGS               = $(OUT)/logs

# ---- resources per step: the one table to edit when sizing a step ------------------------------
# CPUs are also the step's --threads (its output does not depend on them). Memory is Slurm's
# --mem: the largest step measured (a full-profile training) peaks at 1.0 GB. Time is Slurm's
# --time (h:mm:ss) per profile, at least 3× the longest step expected from measured times (README,
# "On a cluster": how to size a step; Reproduce/slurm/step-times reads a run's job logs).
#
#                        CPUs  memory   time limit:  quick     default   full
CLUSTER_simulate       =  2     2G                   0:05:00   0:05:00   0:10:00
CLUSTER_train_bnn      =  2     2G                   0:05:00   0:10:00   0:45:00
CLUSTER_train_det      =  2     2G                   0:05:00   0:05:00   0:30:00
CLUSTER_predict_bnn    =  2     2G                   0:05:00   0:05:00   0:10:00
CLUSTER_predict_det    =  1     2G                   0:05:00   0:05:00   0:05:00

# Column of the time limit: quick, default, or full for any other profile.
CLUSTER_TIME_COLUMN = $(if $(filter quick,$(PROFILE)),3,$(if $(filter default,$(PROFILE)),4,5))

# $(call step,KIND): the prefix of a recipe's command line that runs it as a job of that KIND
# (a row above); empty when CLUSTER is empty, so the command runs here as before.
ifeq ($(CLUSTER),slurm)
step = Reproduce/slurm/step $@ $(LOGS)/$(basename $(patsubst $(OUT)/%,%,$@)).log \
  $(word 1,$(CLUSTER_$(1))) $(word 2,$(CLUSTER_$(1))) $(word $(CLUSTER_TIME_COLUMN),$(CLUSTER_$(1))) \
  $(if $(CLUSTER_ACCOUNT),--account=$(CLUSTER_ACCOUNT)) $(if $(CLUSTER_PARTITION),--partition=$(CLUSTER_PARTITION)) \
  $(CLUSTER_OPTIONS) --
else ifeq ($(CLUSTER),)
step =
else
$(error CLUSTER=$(CLUSTER) is not known: use CLUSTER=slurm, or leave it empty to run here)
endif
