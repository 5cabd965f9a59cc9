// From a simulated dataset to the network's training inputs (study §4, and §5's
// leave-one-class-out runs): drop the excluded class, renumber the labels, preprocess the cells.
import BayesianNetworks

/// A dataset's events prepared for ``Training``: cells (N, 504) after ``Preprocessing``,
/// labels (N) in 0..<classNames.count.
public struct TrainingInputs: Sendable {
    /// Preprocessed cells, (N, 504).
    public var cells: [Float]
    /// Labels in 0..<classNames.count, (N).
    public var labels: [Int32]
    /// The classes the network learns, in output order.
    public var classNames: [String]
}

/// An input error with a one-line message naming the file.
public struct InputError: Error, CustomStringConvertible, Equatable {
    /// The message.
    public let description: String
    /// An error saying `message`.
    public init(_ message: String) { description = message }
}

extension CaloDataset {
    /// The events without class `excluded` (by name), labels above it shifted down by one so
    /// they stay contiguous, cells mapped by `preprocessing`. `path` names the file in errors.
    ///
    /// - Throws: ``InputError`` if the file has no class names or `excluded` is not one of them.
    public func trainingInputs(excluding excluded: String? = nil, preprocessing: Preprocessing = Preprocessing(),
                               path: String) throws -> TrainingInputs {
        var names = provenance.classNames
        guard !names.isEmpty else { throw InputError("\(path): attribute 'class_names' is missing, cannot name the outputs") }
        let cellsPer = geometry.totalCells
        var drop: Int32 = -1
        if let excluded {
            guard let k = names.firstIndex(of: excluded) else {
                throw InputError("unknown class '\(excluded)' in \(path) (classes: \(names.joined(separator: ", ")))")
            }
            drop = Int32(k)
            names.remove(at: k)
        }
        var cells: [Float] = [], labels: [Int32] = []
        cells.reserveCapacity(batch.count * cellsPer)
        labels.reserveCapacity(batch.count)
        for e in 0 ..< batch.count {
            let y = batch.label[e]
            if y == drop { continue }
            labels.append(drop >= 0 && y > drop ? y - 1 : y)
            for c in 0 ..< cellsPer { cells.append(preprocessing.apply(batch.cells[e * cellsPer + c])) }
        }
        return TrainingInputs(cells: cells, labels: labels, classNames: names)
    }
}
