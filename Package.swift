// swift-tools-version: 6.0
//
// calo-bnn — a literate reproducibility package of "Combining ID & AD: simultaneous particle
// identification and anomaly detection at collider experiments using Bayesian neural networks"
// (J. Erdmann, B. Ramosaj, D. Wall, 2022).
//
// The targets read as the study's table of contents (see README.md):
//   §2 BayesianNetworks · §3 CalorimeterSimulation · §4 Classification · §5 AnomalyDetection
// plus StudyExperiments (the experiments of §3–§5 as library functions), StudyData (HDF5 in
// CaloGAN layout) and the `calobnn` command-line tool.
import PackageDescription

/// Release builds drop Swift's overflow/bounds traps only where we say so in code
/// (`&+`, unsafe buffers); the optimiser level is the standard `-O`.
let hotLoopSettings: [SwiftSetting] = [
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

/// errno is never read by the package: without it, a square root (correctly rounded, so the same
/// bits either way) compiles to the sqrt instruction instead of a libm call that might set errno.
let noMathErrno: [SwiftSetting] = [.unsafeFlags(["-Xcc", "-fno-math-errno"])]

let package = Package(
    name: "calo-bnn",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "calobnn", targets: ["calobnn"]),
        .library(name: "CalorimeterSimulation", targets: ["CalorimeterSimulation"]),
        .library(name: "BayesianNetworks", targets: ["BayesianNetworks"]),
        .library(name: "StudyRandom", targets: ["StudyRandom"]),
        .library(name: "PortableMath", targets: ["PortableMath"]),
        .library(name: "NetworkKernels", targets: ["NetworkKernels"]),
        .library(name: "Classification", targets: ["Classification"]),
        .library(name: "AnomalyDetection", targets: ["AnomalyDetection"]),
        .library(name: "StudyData", targets: ["StudyData"]),
        .library(name: "StudyReport", targets: ["StudyReport"]),
        .library(name: "SimulationValidation", targets: ["SimulationValidation"]),
        .library(name: "StudyExperiments", targets: ["StudyExperiments"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // `make docs` only: the DocC plugin (swift package generate-documentation).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
    ],
    targets: [
        // C system libraries: GSL (random numbers and special functions of the simulator) and HDF5.
        .systemLibrary(name: "CNumerics", path: "Sources/CNumerics"),
        .systemLibrary(name: "CHDF5", path: "Sources/CHDF5", pkgConfig: "hdf5",
                       providers: [.apt(["libhdf5-dev"])]),

        // exp, log, sin/cos … with the same bits on every CPU (no libm on the networks' path).
        .target(name: "PortableMath", swiftSettings: hotLoopSettings),
        // Every random number of the study: seeded GSL streams, salt-derived sub-streams.
        .target(name: "StudyRandom", dependencies: ["CNumerics"], swiftSettings: hotLoopSettings),
        // §3 The use case: the toy calorimeter and its events.
        .target(name: "CalorimeterSimulation", dependencies: ["CNumerics", "StudyRandom", "ShowerKernels", "ShowerKernelsAVX2"],
                swiftSettings: hotLoopSettings + [.unsafeFlags(["-Xcc", "-fno-math-errno"])]),
        // The simulator's SIMD kernels, one source compiled twice (baseline x86-64 and AVX2, the
        // same bits, like NetworkKernels); -fno-math-errno: squareRoot() is the sqrt instruction.
        .target(name: "ShowerKernels", swiftSettings: hotLoopSettings + [.unsafeFlags(["-Xcc", "-fno-math-errno"])]),
        .target(name: "ShowerKernelsAVX2",
                swiftSettings: hotLoopSettings + [.unsafeFlags(["-Xcc", "-fno-math-errno"]),
                                                  .unsafeFlags(["-target-cpu", "haswell"], .when(platforms: [.linux]))]),
        // The networks' hot kernels, one source compiled twice: baseline x86-64 and AVX2 (the same
        // bits; BayesianNetworks.KernelSet picks one per process). No fused multiply-add in either.
        // -fno-math-errno: squareRoot() is the sqrt instruction on all lanes, not a libm call per lane.
        .target(name: "NetworkKernels", dependencies: ["PortableMath"], swiftSettings: hotLoopSettings + noMathErrno),
        .target(name: "NetworkKernelsAVX2", dependencies: ["PortableMath"],
                swiftSettings: hotLoopSettings + noMathErrno + [.unsafeFlags(["-target-cpu", "haswell"], .when(platforms: [.linux]))]),
        // §2 Bayesian neural networks: Flipout layers, ELBO, Adam, MC prediction.
        .target(name: "BayesianNetworks",
                dependencies: ["CNumerics", "StudyRandom", "PortableMath", "NetworkKernels", "NetworkKernelsAVX2"],
                swiftSettings: hotLoopSettings + noMathErrno),
        // §4 Classification performance: metrics on (MC) predictions.
        .target(name: "Classification"),
        // §5 Anomaly detection: scores, AUROC, the A/B/C cases.
        .target(name: "AnomalyDetection", dependencies: ["Classification", "StudyRandom", "PortableMath"]),
        // Tables, figure data and TeX macros for the Paper (written atomically through StudyData).
        .target(name: "StudyReport", dependencies: ["StudyData"]),
        // Datasets and checkpoints in HDF5 (CaloGAN layout).
        .target(name: "StudyData", dependencies: ["CHDF5", "CSHA256", "CalorimeterSimulation", "BayesianNetworks", "Classification"]),
        // SHA-256's compression function for the content identities: the x86 SHA extensions or a plain loop.
        .target(name: "CSHA256"),
        // §3 validated: our showers against Geant4 reference samples (shapes, separation, classifier).
        .target(name: "SimulationValidation",
                dependencies: ["CalorimeterSimulation", "StudyData", "Classification", "StudyReport", "PortableMath"]),

        // The study's experiments as functions of a configuration: §3 images, §4 identification,
        // §5 leave-one-out, the networks on Geant4 images; training and prediction runs; seeds.
        .target(name: "StudyExperiments",
                dependencies: ["CalorimeterSimulation", "BayesianNetworks", "Classification", "AnomalyDetection",
                               "StudyData", "StudyReport"]),

        // The command-line tool: parsing plus one library call per command.
        .executableTarget(name: "calobnn", dependencies: [
            "CalorimeterSimulation", "BayesianNetworks", "StudyExperiments",
            "StudyData", "StudyReport", "SimulationValidation",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: hotLoopSettings),

        // Golden-value files for the tests (record/check); test-only.
        .target(name: "GoldenSupport", path: "Tests/GoldenSupport"),
        .testTarget(name: "CalorimeterSimulationTests",
                    dependencies: ["CalorimeterSimulation", "StudyData", "CNumerics", "CSHA256", "GoldenSupport",
                                   "ShowerKernels", "ShowerKernelsAVX2"],
                    exclude: ["Goldens"]),
        .testTarget(name: "BayesianNetworksTests",
                    dependencies: ["BayesianNetworks", "NetworkKernels", "NetworkKernelsAVX2", "StudyData",
                                   "CalorimeterSimulation", "CNumerics", "GoldenSupport"],
                    exclude: ["Goldens"]),
        .testTarget(name: "PortableMathTests", dependencies: ["PortableMath"]),
        .testTarget(name: "SimulationValidationTests",
                    dependencies: ["SimulationValidation", "CalorimeterSimulation", "StudyRandom", "StudyReport"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "AnalysisTests",
                    dependencies: ["Classification", "AnomalyDetection", "StudyReport"]),
        // The worked extension example of the DocC articles "Adding an anomaly class" and
        // "Adding a prior" (ω → π⁰γ, a Laplace prior, leave-ω-out at toy sizes): public API only.
        .testTarget(name: "ExtensionExampleTests",
                    dependencies: ["CalorimeterSimulation", "BayesianNetworks", "Classification",
                                   "AnomalyDetection", "StudyData", "StudyExperiments"]),
        // The experiments library on small files made in the test: §4 and §5 outputs, seeds, checks.
        .testTarget(name: "StudyExperimentsTests",
                    dependencies: ["StudyExperiments", "CalorimeterSimulation", "BayesianNetworks", "StudyData",
                                   "StudyReport", "AnomalyDetection", "Classification"]),
    ],
    swiftLanguageModes: [.v5]
)
