# The fixed seeds of every experiment (the Paper's values). Each step prints its seed in its
# output header; sub-streams are derived inside the tool by named salts.
SEED_TRAIN_DATA   = 101     # simulation of the training set
SEED_VAL_DATA     = 202     # … of the validation set
SEED_TEST_DATA    = 303     # … of the test set
SEED_ID_BNN       = 1001    # §4: the BNN trained on all ten classes
SEED_ID_DET       = 1002    # §4: its deterministic twin
SEED_LOO          = 2000    # §5: leave-one-out models; the tool derives (seed, removed class, member)
SEED_VALIDATION   = 4242    # §3 validated: the simulated samples compared with Geant4
