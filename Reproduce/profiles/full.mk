# PROFILE=full — sized for a cluster (`make reproduce PROFILE=full CLUSTER=slurm -j 100`): four
# times the default statistics, up to 100 epochs with patience 10 (so trainings stop on their
# own rather than on the epoch budget), and every network trained REPEATS = 10 times with
# different seeds (Reproduce/repeats.mk), so that the spread between trainings can be quoted as
# an error (results/repeats/spread.*). 720 trainings and 720 predictions: ≤ 82 CPU-hours
# (all 100 epochs), from measured step times — README, "On a cluster". Our choice of sizes.
PROFILE_NOTE      = large statistics, ten repeated trainings
TRAIN_PER_CLASS   = 20000
VAL_PER_CLASS     = 4000
TEST_PER_CLASS    = 10000
EPOCHS            = 100
PATIENCE          = 10
BATCH             = 128
MC_SAMPLES        = 100
ENSEMBLE          = 5
AE_EPOCHS         = 30
BOOTSTRAP         = 500
REPEATS           = 10
