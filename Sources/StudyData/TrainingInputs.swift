// From a simulated dataset to the network's training inputs (study §4, and §5's
// leave-one-class-out runs): drop the excluded class, renumber the labels, preprocess the cells.
import BayesianNetworks

/// A dataset's events prepared for `BayesianNetworks.Training`: cells (N, 504) after
/// `BayesianNetworks.Preprocessing`, labels (N) in 0..<classNames.count.
public struct TrainingInputs: Sendable {
    /// Preprocessed cells, (N, 504).
    public var cells: [Float]
    /// Labels in 0..<classNames.count, (N).
    public var labels: [Int32]
    /// The classes the network learns, in output order.
    public var classNames: [String]

    /// Inputs from their parts.
    public init(cells: [Float], labels: [Int32], classNames: [String]) {
        self.cells = cells; self.labels = labels; self.classNames = classNames
    }

    /// The first `n` events of each class, in file order (all of a class with fewer): a smaller
    /// training set drawn without randomness, so a smaller set is a subset of every larger one.
    public func firstEvents(perClass n: Int) -> TrainingInputs {
        let width = labels.isEmpty ? 0 : cells.count / labels.count
        var taken = [Int32: Int](), cells: [Float] = [], labels: [Int32] = []
        for (e, y) in self.labels.enumerated() where taken[y, default: 0] < n {
            taken[y, default: 0] += 1
            labels.append(y); cells.append(contentsOf: self.cells[e * width ..< (e + 1) * width])
        }
        return TrainingInputs(cells: cells, labels: labels, classNames: classNames)
    }
}

/// An input error with a one-line message naming the file.
public struct InputError: Error, CustomStringConvertible, Equatable {
    /// The message.
    public let description: String
    /// An error saying `message`.
    public init(_ message: String) { description = message }
}

extension CaloDataset {
    /// The events without class `excluded` (by name), cells mapped by `preprocessing`. The
    /// network's outputs are the classes present in the file (a file's `class_names` lists the
    /// whole registry, e.g. the extra `electron`, which a study dataset does not contain) minus
    /// the excluded one, in label order; labels are renumbered to index them. `outputs`, if
    /// given, fixes the output classes instead (a validation file must use the training file's).
    /// `path` names the file in errors.
    ///
    /// - Parameters:
    ///   - excluded: the class left out (study §5's removed class), by name; nil keeps all.
    ///   - outputs: the output classes in order, if fixed by another file (the training file's
    ///     ``TrainingInputs/classNames`` when preparing a validation or test file).
    ///   - preprocessing: the map from cell energy (MeV) to network input.
    ///   - path: the file's path, used only in error messages.
    /// - Returns: cells (N′, 504) and labels (N′) of the N′ events not of class `excluded`.
    /// - Throws: ``InputError`` if the file has no class names, `excluded` is not one of them,
    ///   or (with `outputs`) the file holds a class outside `outputs` other than `excluded`.
    public func trainingInputs(excluding excluded: String? = nil, outputs: [String]? = nil,
                               preprocessing: Preprocessing = Preprocessing(), path: String) throws -> TrainingInputs {
        let names = provenance.classNames
        guard !names.isEmpty else { throw InputError("\(path): attribute 'class_names' is missing, cannot name the outputs") }
        if let excluded, !names.contains(excluded) {
            throw InputError("unknown class '\(excluded)' in \(path) (classes: \(names.joined(separator: ", ")))")
        }
        let present = Set(batch.label.map(Int.init))
        if let bad = present.first(where: { $0 < 0 || $0 >= names.count }) {
            throw InputError("\(path): dataset 'label' holds \(bad), outside 0..<\(names.count)")
        }
        let outputNames = outputs ?? present.sorted().map { names[$0] }.filter { $0 != excluded }
        // Label in the file → output index, or −1 for the excluded class.
        var map = [Int32](repeating: -1, count: names.count)
        for l in present where names[l] != excluded {
            guard let k = outputNames.firstIndex(of: names[l]) else {
                throw InputError("\(path): class '\(names[l])' is not among the model's outputs (\(outputNames.joined(separator: ",")))")
            }
            map[l] = Int32(k)
        }
        let cellsPer = geometry.totalCells
        var cells: [Float] = [], labels: [Int32] = []
        cells.reserveCapacity(batch.count * cellsPer)
        labels.reserveCapacity(batch.count)
        for e in 0 ..< batch.count {
            let y = map[Int(batch.label[e])]
            if y < 0 { continue }
            labels.append(y)
            preprocessing.appendEvent(batch.cells[e * cellsPer ..< (e + 1) * cellsPer], to: &cells)
        }
        return TrainingInputs(cells: cells, labels: labels, classNames: outputNames)
    }
}
