// `calobnn bench`: throughput figures (a benchmark, not a test). Median of repeated runs.
import ArgumentParser
import BayesianNetworks
import CalorimeterSimulation
import Foundation

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure throughput: simulator events/s per class; training samples/s and prediction image-samples/s.",
        discussion: """
        Prints JSON on stdout (progress on stderr). A benchmark, not a test: compare two builds in \
        one run with `make bench-compare BASE=<rev>`.

        Examples:
          calobnn bench --only network --models bnn --batches 128 --threads 1,2
          calobnn bench --only simulator --events 1000 --tuning gflash
          calobnn bench --only simulator --class etap_10g --threads 1 --repeats 5
        """)

    /// What to measure.
    enum Part: String, ExpressibleByArgument, CaseIterable { case all, simulator, network }

    @Option(parsing: .unconditional, help: "Events per class per measurement (1…1000000).")
    var events: Int = 4000
    @Option(parsing: .unconditional, help: "Repetitions; the median is reported (1…100).")
    var repeats: Int = 3
    @Option(help: "Parts to measure.")
    var only: Part = .all
    @Option(name: .customLong("models"), help: "Networks to measure (comma-separated: bnn, deterministic; default both).",
            transform: { try commaList($0, "--models", ModelKind.init(rawValue:)) })
    var modelsOption: [ModelKind]?
    @Option(name: .customLong("batches"), help: "Minibatch sizes to measure (comma-separated, each 1…65536; default 128,1024).",
            transform: { try commaList($0, "--batches") { Int($0).flatMap { (1 ... 65536).contains($0) ? $0 : nil } } })
    var batchesOption: [Int]?
    @Option(name: .customLong("class"), help: "Classes of the simulator benchmark (as calobnn simulate --class: comma-separated or repeated; 'all' = the study's classes, the default).")
    var classesOption: [String] = []
    /// What is measured: as given, or the defaults (both networks at batches 128 and 1024; the
    /// study's classes). Optional options, so that one given where it has no effect is refused.
    var models: [ModelKind] { modelsOption ?? [.bnn, .deterministic] }
    var batches: [Int] { batchesOption ?? [128, 1024] }
    var classes: [String] { classesOption.isEmpty ? ["all"] : classesOption }
    @Option(help: "Thread counts to measure, in the simulator and the network benchmarks (comma-separated, each 1…256).",
            transform: { try commaList($0, "--threads") { Int($0).flatMap { (1 ... 256).contains($0) ? $0 : nil } } })
    var threads: [Int] = [1, 2]
    @Option(help: "Shower-model tuning of the simulator benchmark.")
    var tuning: ShowerTuning = .geant4
    @Option(name: .customLong("set"), help: "Parameters of the geant4 tuning by name for the simulator benchmark, name=value, comma-separated (as calobnn simulate --set; e.g. a candidate of Reproduce/tunings).")
    var overrideSpec: [String] = []
    @Option(parsing: .unconditional, help: "Seed of the simulated events and of the networks' synthetic inputs.")
    var seed: UInt64 = 12345

    func validate() throws {
        let eventLimit = min(1_000_000, memoryLimit(bytesEach: simulateBytesPerEvent))
        guard (1 ... eventLimit).contains(events) else { throw ValidationError("--events must be in 1…\(eventLimit) (got \(events))") }
        guard (1 ... 100).contains(repeats) else { throw ValidationError("--repeats must be in 1…100 (got \(repeats))") }
        if !(try showerOverrides(overrideSpec)).isEmpty && (tuning != .geant4 || only == .network) {
            throw ValidationError("--set sets parameters of the geant4 tuning for the simulator benchmark; with \(only == .network ? "--only network" : "--tuning \(tuning.rawValue)") it would have no effect")
        }
        _ = try resolveClasses(classes)
        if only == .simulator, let given = modelsOption != nil ? "--models" : (batchesOption != nil ? "--batches" : nil) {
            throw ValidationError("\(given) chooses what the network benchmark measures; with --only simulator it would have no effect")
        }
        if only == .network && !classesOption.isEmpty {
            throw ValidationError("--class chooses the simulator benchmark's classes; with --only network it would have no effect")
        }
    }

    func run() throws {
        var report: [String: Any] = [:]
        if only != .network { report["simulator"] = try simulatorBenchmark() }
        if only != .simulator {
            FileHandle.standardError.write("bench: networks (\(models.map(\.rawValue).joined(separator: ", ")) × batch \(batches.map(String.init).joined(separator: ", ")) × \(threads.map(String.init).joined(separator: ", ")) threads; T = 100)…\n".data(using: .utf8)!)
            let results = networkBenchmarks(models: models, batches: batches, threads: threads, repeats: repeats, seed: seed)
            var networks: [String: Any] = networkBenchmarkJSON(results)
            networks["statistic"] = "median of \(repeats) one-second measurements"
            networks["mc_samples"] = 100
            networks["kernels"] = KernelSet.active.rawValue
            report["networks"] = networks
        }
        let data = try JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys])
        print(String(data: data, encoding: .utf8)!)
    }

    func simulatorBenchmark() throws -> [String: Any] {
        var perClass: [[String: Any]] = []
        var settings = SimulationSettings()
        settings.showers.tuning = tuning
        let overrides = try showerOverrides(overrideSpec)
        try settings.showers.apply(overrides)
        let simulator = EventSimulator(settings: settings, registry: toolRegistry)
        let labels = try resolveClasses(classes)
        // One untimed event per class first: the simulator's tables made on first use (the
        // halo's log table, taus2's jump table) would otherwise be timed in the first class.
        _ = EventGenerator(simulator: simulator, seed: seed, threads: 1).generate(labels: labels, perClass: 1)
        for label in labels {
            let c = toolRegistry.classes[label]
            var entry: [String: Any] = ["class": c.name]
            var rateText: [String] = []
            for threads in threads {
                let generator = EventGenerator(simulator: simulator, seed: seed, threads: threads)
                var rates: [Double] = []
                for _ in 0 ..< repeats {
                    let t0 = DispatchTime.now().uptimeNanoseconds
                    _ = generator.generate(labels: [label], perClass: events)
                    let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
                    rates.append(Double(events) / dt)
                }
                let rate = median(rates).rounded(), unit = threads == 1 ? "thread" : "threads"
                entry["events_per_s_\(threads)_\(unit)"] = rate
                rateText.append("\(Int(rate))/s (\(threads) \(unit))")
            }
            if let e1 = entry["events_per_s_1_thread"] as? Double, let e2 = entry["events_per_s_2_threads"] as? Double {
                entry["scaling_2_threads"] = (e2 / e1 * 100).rounded() / 100
            }
            perClass.append(entry)
            FileHandle.standardError.write("bench: \(c.name) \(rateText.joined(separator: ", "))\n".data(using: .utf8)!)
        }
        return ["mode": "total", "tuning": tuning.rawValue, "set": ShowerModel.overridesText(overrides), "seed": seed, "gun_energy_gev": 20, "events_per_measurement": events,
                "repeats": repeats, "statistic": "median", "classes": perClass]
    }
}

/// Median of a non-empty list.
func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : 0.5 * (s[s.count / 2 - 1] + s[s.count / 2])
}

/// Parse a comma-separated list, each item by `parse`; a bad item is a usage error naming `option`.
func commaList<T>(_ text: String, _ option: String, _ parse: (String) -> T?) throws -> [T] {
    try text.split(separator: ",", omittingEmptySubsequences: false).map { item in
        guard let value = parse(String(item)) else { throw ValidationError("\(option): '\(item)' is not a valid value") }
        return value
    }
}
