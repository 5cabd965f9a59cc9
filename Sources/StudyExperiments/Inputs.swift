// Reading and cross-checking an experiment's input files. Every check that inputs belong
// together lives here, so the CLI and a user's own script refuse the same mismatches with the
// same one-line messages (StudyData's `InputError`).
import BayesianNetworks
import Foundation
import StudyData

/// An input file and the name it goes by in messages: the CLI passes its option ("--bnn"), a
/// script may pass any role ("BNN predictions").
public struct NamedFile: Sendable {
    /// How messages name the file's role.
    public var name: String
    /// The path.
    public var path: String
    /// A file `path` called `name` in messages.
    public init(_ name: String, _ path: String) { self.name = name; self.path = path }
}

/// Readers that turn every library error into one `InputError` line naming the file.
public enum ExperimentInputs {
    /// Read and validate a simulated dataset.
    public static func dataset(_ file: NamedFile) throws -> CaloDataset {
        do { return try CaloDataset.read(from: file.path) } catch { throw InputError("\(error)") }
    }

    /// Read a prediction file. Files without provenance (made before it was recorded) are
    /// refused: they cannot be checked against the other inputs.
    public static func predictions(_ path: String) throws -> PredictionFile {
        let p: PredictionFile
        do { p = try PredictionFile.read(path) } catch { throw InputError("\(error)") }
        guard p.dataIdentity != nil, p.modelIdentity != nil else {
            throw InputError("\(path): records no data/model identity (made by an older calobnn?); run `calobnn predict` again")
        }
        return p
    }

    /// Refuse two prediction files that were not made on the same dataset, naming both.
    public static func checkSameData(_ a: PredictionFile, _ pathA: String, _ b: PredictionFile, _ pathB: String) throws {
        guard a.dataIdentity == b.dataIdentity, a.datasetLabels == b.datasetLabels else {
            throw InputError("\(pathA) and \(pathB) were made on different datasets (\(a.dataFile ?? "?") vs \(b.dataFile ?? "?"), identities \(a.dataIdentity!.prefix(12))… vs \(b.dataIdentity!.prefix(12))…)")
        }
    }

    /// The training record of the model file `modelPath`, refusing a model that is not the one
    /// the predictions `p` (read from `predPath`) were made with. A model file that does not
    /// exist gives nil (its cost columns stay empty).
    public static func trainingRecord(_ modelPath: String?, for p: PredictionFile, _ predPath: String) throws -> TrainingRecord? {
        guard let modelPath, FileManager.default.fileExists(atPath: modelPath) else { return nil }
        let state: TrainingState
        do { state = try Checkpoint.load(from: modelPath) } catch { throw InputError("\(error)") }
        guard Checkpoint.identity(of: state) == p.modelIdentity else {
            throw InputError("\(predPath) was not made by the model \(modelPath) (it records \(p.modelFile ?? "another model"))")
        }
        return TrainingRecord(state)
    }

    /// A trained model ready to apply: its state, the preprocessing it was trained with, and the
    /// network of its best epoch.
    public static func model(_ file: NamedFile) throws -> (state: TrainingState, preprocessing: Preprocessing, network: CaloNetwork) {
        let state: TrainingState
        do { state = try Checkpoint.load(from: file.path) } catch { throw InputError("\(file.name) \(error)") }
        guard let pre = Preprocessing(named: state.preprocessing) else {
            throw InputError("\(file.name) \(file.path): model was trained with preprocessing '\(state.preprocessing)', which this build does not know")
        }
        do { return (state, pre, try state.bestNetwork()) } catch { throw InputError("\(file.name) \(file.path): \(error)") }
    }
}
