// `calobnn bench`: throughput figures (a benchmark, not a test). Median of repeated runs.
import ArgumentParser
import BayesianNetworks
import CalorimeterSimulation
import Foundation

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure throughput: simulator events/s per class; training samples/s and prediction image-samples/s.")

    @Flag(help: "Print JSON (the only format for now; kept for the documented interface).")
    var json = false
    @Option(parsing: .unconditional, help: "Events per class per measurement (1…1000000).")
    var events: Int = 4000
    @Option(parsing: .unconditional, help: "Repetitions; the median is reported (1…100).")
    var repeats: Int = 3
    @Option(help: "Parts to measure: simulator, network, or all.")
    var only: String = "all"
    @Option(help: "Networks to measure (comma-separated: bnn, deterministic).")
    var models: String = "bnn,deterministic"
    @Option(help: "Minibatch sizes to measure (comma-separated).")
    var batches: String = "128,1024"
    @Option(help: "Thread counts to measure (comma-separated).")
    var threads: String = "1,2"

    @Option(help: "Shower-model tuning of the simulator benchmark: geant4 (the default model) or gflash.")
    var tuning: String = "geant4"

    func validate() throws {
        let eventLimit = min(1_000_000, memoryLimit(bytesEach: simulateBytesPerEvent))
        guard (1 ... eventLimit).contains(events) else { throw ValidationError("--events must be in 1…\(eventLimit) (got \(events))") }
        guard (1 ... 100).contains(repeats) else { throw ValidationError("--repeats must be in 1…100 (got \(repeats))") }
        guard ["all", "simulator", "network"].contains(only) else { throw ValidationError("--only must be simulator, network or all (got '\(only)')") }
        guard ShowerTuning(rawValue: tuning) != nil else { throw ValidationError("--tuning must be geant4 or gflash (got '\(tuning)')") }
        for m in models.split(separator: ",", omittingEmptySubsequences: false) where ModelKind(rawValue: String(m)) == nil {
            throw ValidationError("--models: '\(m)' is not bnn or deterministic")
        }
        for b in batches.split(separator: ",", omittingEmptySubsequences: false) where !(Int(b).map { (1 ... 65536).contains($0) } ?? false) {
            throw ValidationError("--batches: '\(b)' is not a batch size in 1…65536")
        }
        for t in threads.split(separator: ",", omittingEmptySubsequences: false) where !(Int(t).map { (1 ... 256).contains($0) } ?? false) {
            throw ValidationError("--threads: '\(t)' is not a thread count in 1…256")
        }
    }

    func run() throws {
        var report: [String: Any] = [:]
        if only != "network" { report["simulator"] = simulatorBenchmark() }
        if only != "simulator" {
            FileHandle.standardError.write("bench: networks (bnn, deterministic × batch 128, 1024 × 1, 2 threads; T = 100)…\n".data(using: .utf8)!)
            let results = networkBenchmarks(models: models.split(separator: ",").compactMap { ModelKind(rawValue: String($0)) },
                                            batches: batches.split(separator: ",").compactMap { Int($0) },
                                            threads: threads.split(separator: ",").compactMap { Int($0) }, repeats: repeats)
            var networks: [String: Any] = networkBenchmarkJSON(results)
            networks["statistic"] = "median of \(repeats) one-second measurements"
            networks["mc_samples"] = 100
            networks["kernels"] = KernelSet.active.rawValue
            report["networks"] = networks
        }
        let data = try JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys])
        print(String(data: data, encoding: .utf8)!)
    }

    func simulatorBenchmark() -> [String: Any] {
        var perClass: [[String: Any]] = []
        var settings = SimulationSettings()
        settings.showers.tuning = ShowerTuning(rawValue: tuning)!
        let simulator = EventSimulator(settings: settings, registry: .study)
        for (label, c) in EventRegistry.study.classes.enumerated() {
            var entry: [String: Any] = ["class": c.name]
            for threads in [1, 2] {
                let generator = EventGenerator(simulator: simulator, seed: 12345, threads: threads)
                var rates: [Double] = []
                for _ in 0 ..< repeats {
                    let t0 = DispatchTime.now().uptimeNanoseconds
                    _ = generator.generate(labels: [label], perClass: events)
                    let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
                    rates.append(Double(events) / dt)
                }
                entry["events_per_s_\(threads)_thread\(threads == 1 ? "" : "s")"] = median(rates).rounded()
            }
            let e1 = entry["events_per_s_1_thread"] as! Double, e2 = entry["events_per_s_2_threads"] as! Double
            entry["scaling_2_threads"] = (e2 / e1 * 100).rounded() / 100
            perClass.append(entry)
            FileHandle.standardError.write("bench: \(c.name) \(Int(e1))/s (1 thread), \(Int(e2))/s (2 threads)\n".data(using: .utf8)!)
        }
        return ["mode": "total", "tuning": tuning, "gun_energy_gev": 20, "events_per_measurement": events,
                "repeats": repeats, "statistic": "median", "classes": perClass]
    }
}

/// Median of a non-empty list.
func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : 0.5 * (s[s.count / 2 - 1] + s[s.count / 2])
}
