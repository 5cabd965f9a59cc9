# PROFILE=full — sized for a cluster (`make reproduce PROFILE=full CLUSTER=slurm -j 100`): four
# times the default statistics, up to 100 epochs with patience 10 (so trainings stop on their
# own rather than on the epoch budget), and the BNN, the twin and every detector trained from
# SEEDS = 10 independent seeds (Reproduce/reproduce.mk), so that the spread between trainings is
# quoted beside every AUROC (results/anomaly/seeds.*). `REPEATS=10` on the command line repeats
# everything, the deep ensemble too (Reproduce/repeats.mk), at ten times the cost. Training and
# prediction cost: README, "On a cluster". Our choice of sizes.
PROFILE_NOTE      = large statistics, ten seeds per network
TRAIN_PER_CLASS   = 20000
VAL_PER_CLASS     = 4000
TEST_PER_CLASS    = 10000
EPOCHS            = 100
PATIENCE          = 10
BATCH             = 128
MC_SAMPLES        = 100
ENSEMBLE          = 5
SEEDS             = 10
AE_EPOCHS         = 30
BOOTSTRAP         = 500
