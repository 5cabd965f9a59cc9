// Placeholder so the package builds on branch bnn until the simulator tests land (owned by the simulator issue).
import Testing
