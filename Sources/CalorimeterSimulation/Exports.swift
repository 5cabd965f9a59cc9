// The simulator's random numbers come from the shared StudyRandom module (RandomStream,
// SeedDerivation); re-exported so that `import CalorimeterSimulation` is all a user needs.
@_exported import StudyRandom
