# PROFILE=quick — a smoke check of the whole pipeline in minutes. Numbers are noisy; the
# golden tests pin this profile's numbers. SEEDS = 3: the spread between trainings, cheaply.
# Training at the talk's constant learning rate 1e-3 (LEARNING_RATE, LR_SCHEDULE, WARMUP_EPOCHS,
# RHO_LR_FACTOR unset): in 6 epochs no schedule converges, and the smoke check pins the pipeline,
# not the training; `make results PROFILE=quick LR_SCHEDULE=cosine LEARNING_RATE=1.2e-2
# WARMUP_EPOCHS=1 RHO_LR_FACTOR=15` runs it with the default profile's schedule.
PROFILE_NOTE      = quick smoke check
TRAIN_PER_CLASS   = 800
VAL_PER_CLASS     = 200
TEST_PER_CLASS    = 400
EPOCHS            = 6
PATIENCE          = 3
BATCH             = 128
MC_SAMPLES        = 100
ENSEMBLE          = 5
SEEDS             = 3
# AE_EPOCHS: the 20 autoencoder detectors together take about 25 s (0.6 s of training each;
# measured on a loaded 2-core machine).
AE_EPOCHS         = 10
BOOTSTRAP         = 50
# The candidate tunings' validations (make validation) with 500 simulated events per sample instead
# of 2000: the smoke check runs the step, the Paper's profile gives the numbers.
CANDIDATE_EVENTS  = 500
CANDIDATE_SEEDS   = 2
# The step-size study (make validation) with 1000 events per sample and two seeds.
STEP_EVENTS       = 1000
STEP_SEEDS        = 2
