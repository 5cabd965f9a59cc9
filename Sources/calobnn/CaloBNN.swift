// `calobnn`: the command-line face of the package. Thin commands over the library modules;
// each subcommand maps onto a step of the study (see README.md).
import ArgumentParser

@main
struct CaloBNN: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calobnn",
        abstract: "Photon ID and anomaly detection with Bayesian neural networks on a toy calorimeter.",
        discussion: """
        A reproducibility package of Erdmann, Ramosaj & Wall, "Combining ID & AD" (2022).
        `make reproduce` runs every step; these subcommands run one step each.
        """,
        subcommands: [Classes.self, Simulate.self, Train.self, Predict.self, Evaluate.self, Validate.self, Bench.self])
}

/// A run-time failure reported as one line ("Error: …") without the usage text, exit code 1.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
