// `calobnn evaluate images|classification|anomaly|geant4`: from datasets and prediction files to
// the study's tables, figure data and TeX macros (§3, §4, §5, and the networks on Geant4 images).
// Parsing here; each subcommand is one call into StudyExperiments, which writes its output
// directory atomically. Compute → data file → table/figure: the Makefile renders.
import ArgumentParser
import BayesianNetworks
import Foundation
import StudyExperiments
import StudyReport

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Turn datasets and predictions into the study's tables, figure data and macros.",
        subcommands: [EvaluateImages.self, EvaluateClassification.self, EvaluateAnomaly.self, EvaluateGeant4.self, EvaluateRobustness.self, EvaluateSpread.self, EvaluateScans.self])
}

/// The bootstrap of the AUROC errors, shared by `evaluate anomaly` and `evaluate scans`: the
/// number of replicates and the master seed of their streams (checked by ArgumentParser with the
/// command's own options).
struct BootstrapOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Bootstrap replicates for the AUROC errors (1…100000).")
    var bootstrap: Int = 200
    @Option(name: .customLong("bootstrap-seed"), parsing: .unconditional, help: "Master seed of the bootstrap streams.")
    var bootstrapSeed: UInt64

    func validate() throws {
        guard (1 ... 100_000).contains(bootstrap) else { throw ValidationError("--bootstrap must be in 1…100000 (got \(bootstrap))") }
    }
}

/// `--profile` is written into TeX and Markdown headers: a plain name only.
func checkProfileName(_ profile: String) throws {
    guard !profile.isEmpty, profile.count <= 64,
          profile.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == ".") }) else {
        throw ValidationError("--profile must be a plain name (letters, digits, _ - .; got '\(profile)')")
    }
}

struct EvaluateImages: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "images", abstract: "§3: average and single-event images per class, per layer.",
        discussion: """
        Example:
          calobnn evaluate images --data test.h5 --events 3 -o results/images
        """)

    @Option(help: "Dataset (from `calobnn simulate`).")
    var data: String
    @Option(parsing: .unconditional, help: "Single events written per class (0…1000).")
    var events: Int = 3
    @Option(name: [.short, .customLong("output")], help: "Output directory.")
    var output: String

    func validate() throws {
        guard (0 ... 1000).contains(events) else { throw ValidationError("--events must be in 0…1000 (got \(events))") }
    }

    func run() throws {
        try checkOutputDirectory(output)
        print(try ImageFigures.run(data: NamedFile("--data", data), events: events, registry: toolRegistry, to: output))
    }
}

struct EvaluateClassification: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classification",
        abstract: "§4: accuracy, confusion matrices, photon-vs-background AUC, output distributions, cost.",
        discussion: """
        Example:
          calobnn evaluate classification --bnn pred/all_bnn.h5 --det pred/all_det.h5 \\
            --bnn-model models/all_bnn.h5 --det-model models/all_det.h5 --profile quick -o results/classification
        """)

    @Option(help: "BNN predictions on the test set (from `calobnn predict`).")
    var bnn: String
    @Option(help: "Deterministic-twin predictions on the same test set.")
    var det: String
    @Option(name: .customLong("bnn-model"), help: "BNN model file (for training time and curves).")
    var bnnModel: String?
    @Option(name: .customLong("det-model"), help: "Deterministic model file (for training time and curves).")
    var detModel: String?
    @Option(help: "Test dataset the predictions were made on (checked): adds the energy-sum-only AUC as a baseline.")
    var data: String?
    @Option(name: .customLong("bnn-seed"), help: "BNN predictions from another seed (repeatable): the spread between trainings.")
    var bnnSeeds: [String] = []
    @Option(name: .customLong("det-seed"), help: "Twin predictions from another seed (repeatable).")
    var detSeeds: [String] = []
    @Option(help: "Profile name, recorded in the outputs.")
    var profile: String = "default"
    @Option(name: [.short, .customLong("output")], help: "Output directory for tables (.tex/.md/.csv), data (.dat) and macros.")
    var output: String

    func validate() throws { try checkProfileName(profile) }

    func run() throws {
        try checkOutputDirectory(output)
        print(try Identification.run(bnn: NamedFile("--bnn", bnn), det: NamedFile("--det", det), bnnModel: bnnModel, detModel: detModel,
                                     data: data.map { NamedFile("--data", $0) },
                                     bnnSeeds: bnnSeeds.map { NamedFile("--bnn-seed", $0) }, detSeeds: detSeeds.map { NamedFile("--det-seed", $0) },
                                     profile: profile, registry: toolRegistry, to: output))
    }
}

struct EvaluateAnomaly: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "anomaly",
        abstract: "§5: anomaly scores, AUROC ± bootstrap, TPR@5% FPR, A/B/C cases, cost, per removed class.",
        discussion: """
        Reads loo_<class>_bnn.h5, loo_<class>_det.h5 and loo_<class>_ens<i>.h5 (i = 1 … --ensemble) from \
        --pred-dir for every removed class; the bootstrap stream of (class, score) derives from --bootstrap-seed. \
        With --seeds S > 1 also loo_<class>_bnn_s<r>.h5, the twins of seeds r = ensemble members ens<r>, and \
        loo_<class>_<detector>_s<r>.h5 (r = 1 … S − 1): the spread between independently seeded trainings.

        Example:
          calobnn evaluate anomaly --pred-dir pred --model-dir models --data test.h5 --class all \\
            --ensemble 5 --bootstrap 200 --bootstrap-seed 20221124 --profile quick -o results/anomaly
        """)

    @Option(name: .customLong("pred-dir"), help: "Directory with loo_<class>_{bnn,det,ens<i>}.h5 predictions on the test set.")
    var predDir: String
    @Option(name: .customLong("model-dir"), help: "Directory with the matching model files (for training times).")
    var modelDir: String?
    @Option(help: "Test dataset the predictions were made on (checked; for example images).")
    var data: String?
    @Option(name: .customLong("class"), help: "Removed classes to evaluate, in table order (comma-separated; 'all' = the study's classes).")
    var classes: [String] = ["all"]
    @Option(parsing: .unconditional, help: "Deep-ensemble members per removed class (0…100; 0 = no ensemble).")
    var ensemble: Int = 5
    @Option(parsing: .unconditional, help: "Independently seeded trainings of the BNN, the twin and each detector (1…100; 1 = the main run only).")
    var seeds: Int = 1
    @OptionGroup var resampling: BootstrapOptions
    @Option(help: "Profile name, recorded in the outputs.")
    var profile: String = "default"
    @Option(help: "Dedicated detectors whose loo_<class>_<detector>.h5 score files (`calobnn detect`) are evaluated too, comma-separated.",
            transform: { try commaList($0, "--detectors", Detector.init(rawValue:)) })
    var detectors: [Detector] = []
    @Flag(help: "No progress lines on stderr.")
    var quiet = false
    @Option(name: [.short, .customLong("output")], help: "Output directory.")
    var output: String

    func validate() throws {
        guard (0 ... 100).contains(ensemble) else { throw ValidationError("--ensemble must be in 0…100 (got \(ensemble))") }
        guard (1 ... 100).contains(seeds) else { throw ValidationError("--seeds must be in 1…100 (got \(seeds))") }
        _ = try resolveClasses(classes)
        try checkProfileName(profile)
    }

    func run() throws {
        let labels = try resolveClasses(classes)
        try checkOutputDirectory(output)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: predDir, isDirectory: &isDir), isDir.boolValue else {
            throw CLIError("--pred-dir \(predDir): no such directory")
        }
        var configuration = LeaveOneOut.Configuration(removedClasses: labels.map { toolRegistry.classes[$0].name },
                                                      ensembleMembers: ensemble, bootstrapReplicates: resampling.bootstrap,
                                                      bootstrapSeed: resampling.bootstrapSeed, registry: toolRegistry, profile: profile)
        configuration.detectors = detectors
        configuration.seeds = seeds
        print(try LeaveOneOut.run(configuration, predictions: predDir, models: modelDir, data: data.map { NamedFile("--data", $0) },
                                  to: output, quiet: quiet))
    }
}

struct EvaluateGeant4: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "geant4",
        abstract: "The networks trained on our simulator, on Geant4 images vs on our own test set.",
        discussion: """
        Example:
          calobnn evaluate geant4 --bnn pred/geant4_bnn.h5 --det pred/geant4_det.h5 \\
            --own-bnn pred/all_bnn.h5 --own-det pred/all_det.h5 -o results/geant4
        """)

    @Option(help: "BNN predictions on the Geant4 dataset (`calobnn validate --export-dataset`, then `calobnn predict`).")
    var bnn: String
    @Option(help: "Deterministic-twin predictions on the Geant4 dataset.")
    var det: String
    @Option(name: .customLong("own-bnn"), help: "BNN predictions on our own test set.")
    var ownBNN: String
    @Option(name: .customLong("own-det"), help: "Deterministic-twin predictions on our own test set.")
    var ownDet: String
    @Option(name: [.short, .customLong("output")], help: "Output directory.")
    var output: String

    func run() throws {
        try checkOutputDirectory(output)
        print(try Geant4Study.run(bnn: NamedFile("--bnn", bnn), det: NamedFile("--det", det), ownBNN: NamedFile("--own-bnn", ownBNN),
                                  ownDet: NamedFile("--own-det", ownDet), registry: toolRegistry, to: output))
    }
}

struct EvaluateRobustness: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "robustness",
        abstract: "The study's headline numbers next to its robustness checks (other detector response, normalised inputs).",
        discussion: """
        Each --run is NAME=RESULTS_DIR, a results directory of a full pipeline run; the first is the reference.

        Example:
          calobnn evaluate robustness --run study=out/quick/results --run "visible + noise=out/quick-visible/results" -o out/quick/results/robustness
        """)

    @Option(name: .customLong("run"), help: "NAME=RESULTS_DIR of one run (repeatable; the first is the reference).")
    var runs: [String]
    @Option(name: [.short, .customLong("output")], help: "Output directory.")
    var output: String

    func parsed() throws -> [Robustness.Run] {
        try runs.map { item in
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { throw ValidationError("--run expects NAME=RESULTS_DIR (got '\(item)')") }
            return Robustness.Run(name: parts[0], results: parts[1])
        }
    }

    func validate() throws {
        let r = try parsed()
        guard (1 ... 6).contains(r.count) else { throw ValidationError("--run: give 1…6 runs (got \(r.count))") }
    }

    func run() throws {
        try checkOutputDirectory(output)
        print(try Robustness.run(try parsed(), to: output))
    }
}

struct Detect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score events with a dedicated anomaly detector on a trained network (beyond the talk).",
        discussion: """
        energy: the network's free energy −logsumexp(logits); nothing to fit. mahalanobis: class-conditional \
        Gaussians with a shared, shrunk covariance on the network's pooled features, fitted on --training's \
        known classes (those the model was trained on). autoencoder: a dense autoencoder (504 → 32 → 504) \
        trained on --training's known classes in the model's input space, scored by its mean squared \
        reconstruction error; autoencoder-normalised: the same on energy-normalised inputs. The autoencoders \
        need --seed (their training's seed derives from it and the removed class) and keep the epoch of the \
        lowest reconstruction error on --validation's known classes if given. Writes a score file (larger = \
        more anomalous).

        Examples:
          calobnn detect energy --model models/loo_jpsi_ee_det.h5 --data test.h5 -o pred/loo_jpsi_ee_energy.h5
          calobnn detect mahalanobis --model models/loo_jpsi_ee_det.h5 --training train.h5 --data test.h5 -o pred/loo_jpsi_ee_mahalanobis.h5
          calobnn detect autoencoder --model models/loo_jpsi_ee_det.h5 --training train.h5 --validation val.h5 \\
            --data test.h5 --seed 3000 --epochs 10 -o pred/loo_jpsi_ee_autoencoder.h5
        """)

    @Argument(help: "The detector: energy, mahalanobis, autoencoder or autoencoder-normalised.")
    var detector: Detector
    @Option(help: "The trained network (normally the deterministic twin of a leave-one-out run).")
    var model: String
    @Option(help: "The events to score.")
    var data: String
    @Option(help: "The training file the detector is fitted on (mahalanobis, autoencoders).")
    var training: String?
    @Option(help: "Validation file: its known classes pick the autoencoder's epoch (autoencoders; optional).")
    var validation: String?
    @Option(parsing: .unconditional, help: "Master seed of the autoencoders (initialisation, shuffling); derived per removed class.")
    var seed: UInt64?
    @Option(parsing: .unconditional, help: "Train from another seed of --seed (0…1000; 0 = the main training): the spread between seeds (autoencoders).")
    var member: Int = 0
    @Option(parsing: .unconditional, help: "Autoencoder training epochs (1…1000).")
    var epochs: Int = AutoencoderOptions().epochs
    @Option(parsing: .unconditional, help: "Worker threads (results are identical for any value).")
    var threads: Int = 2
    @Option(name: [.short, .customLong("output")], help: "Score file to write (HDF5).")
    var output: String

    func validate() throws {
        try checkThreads(threads)
        if detector == .mahalanobis && training == nil { throw ValidationError("mahalanobis needs --training") }
        if detector.isTrained {
            if training == nil { throw ValidationError("\(detector.rawValue) needs --training (the file it is trained on)") }
            if seed == nil { throw ValidationError("\(detector.rawValue) needs --seed (it trains a network)") }
            guard (1 ... 1000).contains(epochs) else { throw ValidationError("--epochs must be in 1…1000 (got \(epochs))") }
            guard (0 ... 1000).contains(member) else { throw ValidationError("--member must be in 0…1000 (got \(member))") }
        } else if validation != nil || seed != nil || member != 0 {
            throw ValidationError("--validation, --seed and --member apply to the autoencoders only (\(detector.rawValue) trains nothing)")
        }
    }

    func run() throws {
        let inputs = [("--model", model), ("--data", data)] + (training.map { [("--training", $0)] } ?? [])
            + (validation.map { [("--validation", $0)] } ?? [])
        try checkOutput(output, inputs: inputs)
        var options = AutoencoderOptions()
        options.epochs = epochs
        ProgressReporter.write(try detector.run(model: NamedFile("--model", model), data: NamedFile("--data", data),
                                                training: training.map { NamedFile("--training", $0) },
                                                validation: validation.map { NamedFile("--validation", $0) }, seed: seed, member: member,
                                                autoencoder: options, threads: threads, output: output) + "\n")
    }
}

extension Detector: ExpressibleByArgument {}

struct EvaluateSpread: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spread",
        abstract: "Mean and spread of every headline number over repeated trainings (REPEATS).",
        discussion: """
        Reads the numbers.tex files given (repetition r: a path containing /repeat<r>/; repetition 0: none) \
        and writes spread.{md,csv,tex}: mean, standard deviation between trainings, minimum, maximum.

        Example:
          calobnn evaluate spread --profile quick -o out/quick/results/repeats \\
            out/quick/results/anomaly/numbers.tex out/quick/repeat1/results/anomaly/numbers.tex
        """)

    @Argument(help: "numbers.tex files of the repetitions.")
    var files: [String]
    @Option(help: "Profile name, recorded in the outputs.")
    var profile: String = "default"
    @Option(name: [.short, .customLong("output")], help: "Output directory.")
    var output: String

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give the numbers.tex files of the repetitions") }
        try checkProfileName(profile)
    }

    func run() throws {
        try checkOutputDirectory(output)
        print(try RepeatSpread.run(files, profile: profile, to: output))
    }
}

struct EvaluateScans: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scans",
        abstract: "The BNN σ against the number of weight samples T, the prior width and the training size (beyond the talk).",
        discussion: """
        Each point is VALUE=PREDICTIONS: a prediction file of a BNN trained without --class on the test set.

        Example:
          calobnn evaluate scans --class jpsi_ee --samples 5=pred/scan_T5.h5 --samples 100=pred/scan_T100.h5 \\
            --prior 0.1=pred/scan_prior0.1.h5 --size 100=pred/scan_size100.h5 --bootstrap 50 --bootstrap-seed 20221124 -o results/beyond
        """)

    @Option(name: .customLong("class"), help: "The removed class of every point.")
    var removed: String
    @Option(name: .customLong("samples"), help: "T=PREDICTIONS (repeatable).")
    var samples: [String] = []
    @Option(name: .customLong("prior"), help: "σ_prior=PREDICTIONS (repeatable).")
    var prior: [String] = []
    @Option(name: .customLong("size"), help: "EVENTS_PER_CLASS=PREDICTIONS (repeatable).")
    var size: [String] = []
    @OptionGroup var resampling: BootstrapOptions
    @Option(help: "Profile name, recorded in the outputs.")
    var profile: String = "default"
    @Option(name: [.short, .customLong("output")], help: "Output directory.")
    var output: String

    static func points(_ items: [String], _ option: String) throws -> [Scans.Point] {
        try items.map { item in
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let v = Double(parts[0]), v.isFinite, v > 0 else {
                throw ValidationError("\(option) expects VALUE=PREDICTIONS with a positive VALUE (got '\(item)')")
            }
            return Scans.Point(value: v, predictions: parts[1])
        }
    }

    func validate() throws {
        guard toolRegistry.index(of: removed) != nil else { throw ValidationError("--class: unknown class '\(removed)'") }
        _ = try Self.points(samples, "--samples"); _ = try Self.points(prior, "--prior"); _ = try Self.points(size, "--size")
        try checkProfileName(profile)
    }

    func run() throws {
        try checkOutputDirectory(output)
        print(try Scans.run(removed: removed, samples: try Self.points(samples, "--samples"), prior: try Self.points(prior, "--prior"),
                            size: try Self.points(size, "--size"), bootstrapReplicates: resampling.bootstrap, bootstrapSeed: resampling.bootstrapSeed,
                            registry: toolRegistry, profile: profile, to: output))
    }
}
