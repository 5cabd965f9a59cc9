# PROFILE=full — sized for a cluster (`make reproduce PROFILE=full CLUSTER=slurm -j 100`): four
# times the default statistics, trainings until early stopping: Adam at the constant 1e-3 for up to
# 400 epochs with patience 20, so that every training stops on its own (at the default size the BNN
# stopped at epoch 367, keeping epoch 347, 582 CPU-s — on the plateau of its step noise, above what
# the default's cosine reaches in 80 epochs: BayesianNetworks article "Training to convergence",
# which names the better choice, not made here because this profile's cluster sizing was measured
# for the constant rate; at this size each epoch has four times the steps), and the BNN, the twin
# and every detector trained from
# SEEDS = 10 independent seeds (Reproduce/reproduce.mk), so that the spread between trainings is
# quoted beside every AUROC (results/anomaly/seeds.*). `REPEATS=10` on the command line repeats
# everything, the deep ensemble too (Reproduce/repeats.mk), at ten times the cost. Training and
# prediction cost: README, "On a cluster". Our choice of sizes.
PROFILE_NOTE      = large statistics, ten seeds per network
TRAIN_PER_CLASS   = 20000
VAL_PER_CLASS     = 4000
TEST_PER_CLASS    = 10000
EPOCHS            = 400
PATIENCE          = 20
LEARNING_RATE     = 1e-3
LR_SCHEDULE       = constant
WARMUP_EPOCHS     = 0
RHO_LR_FACTOR     = 1
BATCH             = 128
MC_SAMPLES        = 100
ENSEMBLE          = 5
SEEDS             = 10
AE_EPOCHS         = 30
BOOTSTRAP         = 500
