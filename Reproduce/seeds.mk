# The fixed seeds of every experiment (the Paper's values), each passed to the tool explicitly by
# its make rule. Each step prints its seed in its output header; sub-streams are derived inside the
# tool by named salts. Changing one reruns exactly the steps whose command it enters (recipe stamps,
# Reproduce/reproduce.mk).
SEED_TRAIN_DATA   = 101       # simulation of the training set
SEED_VAL_DATA     = 202       # … of the validation set
SEED_TEST_DATA    = 303       # … of the test set
SEED_ID_BNN       = 1001      # §4: the BNN trained on all the study's classes
SEED_ID_DET       = 1002      # §4: its deterministic twin
SEED_LOO          = 2000      # §5: leave-one-out models; the tool derives (seed, removed class, member)
SEED_PREDICT      = 2022      # every prediction (the BNN's Monte Carlo weight samples)
SEED_BOOTSTRAP    = 20221124  # §5: bootstrap of the AUROC errors; the tool derives (seed, removed class, score)
SEED_AUTOENCODER  = 3000      # beyond the talk: the autoencoder detectors; the tool derives (seed, removed class)
SEED_VALIDATION   = 4242      # §3 validated: the simulated samples compared with Geant4
SEED_STEPS        = 9001      # §3 validated, the step size: the fine-step samples the other steps are compared with
SEED_CHECK_H5PY   = 1         # make check-h5py: the small file h5py reads (a check, not a result)
SEED_BENCH        = 12345     # make bench: the simulated events and the networks' synthetic inputs (a benchmark)
