// `calobnn`: the command-line face of the package. Each subcommand maps onto a step of the study
// (see README.md) and is parsing plus one call into the library (StudyExperiments for the
// experiments, SimulationValidation for the validation, the simulator for `simulate`).
//
// One error style throughout: every failure — a malformed option, a bad input file, a full
// disk, a diverged training — is one line "Error: …" on stderr that names the option or file,
// and a non-zero exit: 64 for a usage error (an option's value, thrown as ArgumentParser's
// `ValidationError` from `validate()`), 1 for anything found while running. Outputs are written atomically
// (StudyData's `writeAtomically`); SIGINT/SIGTERM/SIGHUP remove the temporaries.
import ArgumentParser
import BayesianNetworks
import CalorimeterSimulation
import Foundation
import StudyData

@main
struct CaloBNN: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calobnn",
        abstract: "Photon ID and anomaly detection with Bayesian neural networks on a toy calorimeter.",
        discussion: """
        A reproducibility package of Erdmann, Ramosaj & Wall, "Combining ID & AD" (2022).
        `make reproduce` runs every step; these subcommands run one step each.
        """,
        subcommands: [Classes.self, Simulate.self, Train.self, Predict.self, Detect.self, Evaluate.self, Validate.self, Bench.self])

    static func main() {
        TemporaryFiles.installSignalCleanup()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            // --help and friends: ArgumentParser prints them.
            if code == .success { exit(withError: error) }
            FileHandle.standardError.write("Error: \(errorLine(error))\n".data(using: .utf8)!)
            // _exit, not exit: after a failed write (a full disk at H5Fclose) libhdf5's own exit
            // handler would try to close that file again and crash; our temporaries are gone already.
            fflush(stdout)
            _exit(code.rawValue)
        }
    }

    /// The one-line message of any error this tool can meet.
    static func errorLine(_ error: Error) -> String {
        let text: String
        switch error {
        case let e as CLIError: text = e.description
        case let e as HDF5Error: text = e.description
        case let e as InputError: text = e.description
        case let e as CocoaError:
            // Foundation's file errors: the path and the system's reason, not the NSError dump.
            let path = e.filePath ?? e.url?.path ?? "a file"
            let reason = (e.underlying as? POSIXError).map { String(cString: strerror($0.code.rawValue)) } ?? "\(e.code)"
            text = "\(path): \(reason)"
        default:
            text = message(for: error)
        }
        // Exactly one line.
        return text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: "; ")
    }
}

/// A run-time failure reported as one line ("Error: …") without the usage text, exit code 1.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

/// Refuse an output path that cannot be written safely: a missing or unwritable directory, an
/// existing non-regular file (device, FIFO, link, directory), or one of the command's inputs.
/// `inputs` pairs each input's option with its path.
func checkOutput(_ path: String, option: String = "-o", inputs: [(option: String, path: String)]) throws {
    do { try checkReplaceable(path) } catch { throw CLIError("\(option) \(error)") }
    let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
    guard access(dir, W_OK) == 0 else { throw CLIError("\(option) \(path): directory '\(dir)' is missing or not writable") }
    var out = stat()
    guard stat(path, &out) == 0 else { return }
    for input in inputs {
        var st = stat()
        if stat(input.path, &st) == 0 && st.st_dev == out.st_dev && st.st_ino == out.st_ino {
            throw CLIError("\(option) \(path) is the input \(input.option) \(input.path); refusing to overwrite an input")
        }
    }
}

/// Refuse an output directory that exists as something else, or whose nearest existing
/// ancestor is not writable (checked before any work); messages name it by `option`.
func checkOutputDirectory(_ path: String, option: String = "-o") throws {
    do { try checkReplaceable(path, directory: true) } catch { throw CLIError("\(option) \(error)") }
    var anchor = URL(fileURLWithPath: path)
    while !FileManager.default.fileExists(atPath: anchor.path) && anchor.path != "/" { anchor.deleteLastPathComponent() }
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: anchor.path, isDirectory: &isDir), isDir.boolValue,
          access(anchor.path, W_OK) == 0 else {
        throw CLIError("\(option) \(path): '\(anchor.path)' is not a writable directory")
    }
    // access(2) says yes to root everywhere (even under /proc): a directory made and removed
    // again is the real test of what the run will do there.
    var probe = Array((anchor.appendingPathComponent(".calobnn-probe-XXXXXX").path).utf8CString)
    guard let made = mkdtemp(&probe) else {
        throw CLIError("\(option) \(path): cannot create a directory in '\(anchor.path)'")
    }
    rmdir(made)
}

// Closed sets of values are typed options: `--help` lists their values, a wrong one is refused
// by name.
extension ModelKind: ExpressibleByArgument {}
extension DepositMode: ExpressibleByArgument {}
extension ShowerTuning: ExpressibleByArgument {}

/// The registry the tool knows: the study's classes (``EventRegistry/study``, what `all` means
/// and what `make reproduce` runs) plus extras. A class is added in the library's registry, never here.
let toolRegistry = EventRegistry.withExtras

/// `--set name=value,…` (comma-separated or repeated; a name given again takes the later value, so
/// a candidate's line can be followed by changes to it): parameters of the geant4 tuning by name
/// (``ShowerModel/apply(_:)``), checked against the model — unknown names and values outside a
/// parameter's range are refused by name.
func showerOverrides(_ spec: [String]) throws -> [String: Double] {
    var out: [String: Double] = [:]
    for line in spec {
        do { out.merge(try ShowerModel.overrides(parsing: line)) { _, later in later } }
        catch { throw ArgumentParser.ValidationError("--set \(error)") }
    }
    var probe = ShowerModel(medium: CalorimeterGeometry.caloGAN.medium)
    do { try probe.apply(out) } catch { throw ArgumentParser.ValidationError("--set: \(error)") }
    return out
}

/// `--threads`: 1…64 worker threads (results never depend on the number).
func checkThreads(_ threads: Int) throws {
    guard (1 ... 64).contains(threads) else { throw ArgumentParser.ValidationError("--threads must be in 1…64 (got \(threads))") }
}

/// The largest count `limit` such that `count × bytesEach` stays within this machine's memory
/// budget (half its physical memory), and whether `count` exceeds it (overflow-safe).
func memoryLimit(bytesEach: Int) -> Int { HDF5File.memoryLimitBytes / max(bytesEach, 1) }

/// A byte count for messages ("37.3 TiB").
func bytesText(_ b: Double) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
    var v = b, i = 0
    while v >= 1024 && i < units.count - 1 { v /= 1024; i += 1 }
    return String(format: "%.1f %@", v, units[i])
}
