// Simulated events in CaloGAN's HDF5 layout (arXiv:1712.10321, as listed below) plus labels and provenance.
//
// Datasets: layer_0 (N,3,96), layer_1 (N,12,12), layer_2 (N,12,6), overflow (N,3) in MeV;
// energy (N,1) in GeV; label (N) int32. Root attributes: class_names (comma-separated, label
// order), seed, mode, noise, gun_distance_mm, gun_energy_gev, shower_model (when known),
// generator, package_version.
import CalorimeterSimulation
import Foundation

/// The package version recorded in every output file.
public let packageVersion = "0.1.0"

/// Provenance of a dataset, stored as root attributes.
public struct DatasetProvenance: Sendable, Equatable {
    /// Class names in label order.
    public var classNames: [String]
    /// Master seed.
    public var seed: UInt64
    /// `total` or `visible`.
    public var mode: String
    /// Whether electronic noise was added.
    public var noise: Bool
    /// Gun distance, mm.
    public var gunDistanceMM: Double
    /// Gun kinetic energy, GeV.
    public var gunEnergyGeV: Double
    /// The shower model that made the events: its tuning, and any parameters set by name
    /// (`geant4`, `gflash`, `geant4 with halo_h0=0.05,…`); empty when not known (events from
    /// elsewhere), and then not written.
    public var showerModel: String

    /// Provenance from its parts.
    public init(classNames: [String], seed: UInt64, mode: String, noise: Bool, gunDistanceMM: Double, gunEnergyGeV: Double,
                showerModel: String = "") {
        self.classNames = classNames; self.seed = seed; self.mode = mode; self.noise = noise
        self.gunDistanceMM = gunDistanceMM; self.gunEnergyGeV = gunEnergyGeV; self.showerModel = showerModel
    }
}

/// A dataset of calorimeter images in memory: the same flat arrays as `CalorimeterSimulation.EventBatch`.
public struct CaloDataset: Sendable {
    /// The events.
    public var batch: EventBatch
    /// Where they came from.
    public var provenance: DatasetProvenance
    /// The geometry that fixes the layer shapes.
    public var geometry: CalorimeterGeometry

    /// A dataset from a batch.
    public init(batch: EventBatch, provenance: DatasetProvenance, geometry: CalorimeterGeometry = .caloGAN) {
        self.batch = batch; self.provenance = provenance; self.geometry = geometry
    }

    /// Write to `path` atomically (temporary file, then rename).
    public func write(to path: String) throws {
        try writeHDF5Atomically(to: path) { f in
            let n = batch.count, g = geometry
            for (l, layer) in g.layers.enumerated() {
                try f.write("layer_\(l)", g.layerCells(l, of: batch.cells, count: n), shape: [n, layer.cellsX, layer.cellsY])
            }
            try f.write("overflow", batch.overflow, shape: [n, g.layers.count])
            try f.write("energy", batch.energy, shape: [n, 1])
            try f.write("label", batch.label, shape: [n])
            try f.setAttribute("class_names", provenance.classNames.joined(separator: ","))
            try f.setAttribute("seed", provenance.seed)
            try f.setAttribute("mode", provenance.mode)
            try f.setAttribute("noise", provenance.noise ? "on" : "off")
            try f.setAttribute("gun_distance_mm", provenance.gunDistanceMM)
            try f.setAttribute("gun_energy_gev", provenance.gunEnergyGeV)
            if !provenance.showerModel.isEmpty { try f.setAttribute("shower_model", provenance.showerModel) }
            try f.setAttribute("generator", "calo-bnn GFlash parametrised simulation (CaloGAN geometry)")
            try f.setAttribute("package_version", packageVersion)
        }
    }

    /// Read and validate a dataset: shapes, finite cells, labels within the class list.
    /// Errors name the file and the dataset.
    public static func read(from path: String, geometry: CalorimeterGeometry = .caloGAN) throws -> CaloDataset {
        let f = try HDF5File.open(path)
        let g = geometry
        let labels = try f.read("label", as: Int32.self, expected: [nil])
        let n = labels.shape[0]
        let total = n.multipliedReportingOverflow(by: g.totalCells * MemoryLayout<Float>.stride)
        guard !total.overflow, total.partialValue <= HDF5File.memoryLimitBytes else {
            throw HDF5Error("\(path): dataset 'label' declares \(n) events, more than this machine's memory holds (limit \(HDF5File.memoryLimitBytes / (g.totalCells * MemoryLayout<Float>.stride)))")
        }
        var cells = [Float](repeating: 0, count: n * g.totalCells)
        for (l, layer) in g.layers.enumerated() {
            let (values, _) = try f.read("layer_\(l)", as: Float.self, expected: [n, layer.cellsX, layer.cellsY])
            let off = g.layerOffsets[l], cc = layer.cellCount
            for e in 0 ..< n {
                for c in 0 ..< cc {
                    let v = values[e * cc + c]
                    guard v.isFinite else {
                        throw HDF5Error("\(path): dataset 'layer_\(l)' has a non-finite cell (event \(e), cell \(c))")
                    }
                    cells[e * g.totalCells + off + c] = v
                }
            }
        }
        let overflow = try f.read("overflow", as: Float.self, expected: [n, g.layers.count]).values
        if let bad = overflow.firstIndex(where: { !$0.isFinite }) {
            throw HDF5Error("\(path): dataset 'overflow' has a non-finite value (event \(bad / g.layers.count))")
        }
        let energy = f.contains("energy") ? try f.read("energy", as: Float.self, expected: [n, 1]).values
            : [Float](repeating: .nan, count: n)
        let names = f.containsAttribute("class_names") ? try f.stringAttribute("class_names").split(separator: ",").map(String.init) : []
        guard Set(names).count == names.count else { throw HDF5Error("\(path): attribute 'class_names' repeats a class") }
        if let bad = labels.values.firstIndex(where: { $0 < 0 || (!names.isEmpty && Int($0) >= names.count) }) {
            throw HDF5Error("\(path): dataset 'label' has label \(labels.values[bad]) at event \(bad), outside 0..<\(names.count)")
        }
        let provenance = DatasetProvenance(
            classNames: names,
            // Absent in files from elsewhere (CaloGAN's own); if present they must be well formed.
            seed: try f.optionalNumericAttribute("seed", as: UInt64.self) ?? 0,
            mode: try f.optionalStringAttribute("mode") ?? "total",
            noise: (try f.optionalStringAttribute("noise") ?? "off") == "on",
            gunDistanceMM: try f.optionalNumericAttribute("gun_distance_mm", as: Double.self) ?? .nan,
            gunEnergyGeV: try f.optionalNumericAttribute("gun_energy_gev", as: Double.self) ?? .nan,
            showerModel: try f.optionalStringAttribute("shower_model") ?? "")
        return CaloDataset(batch: EventBatch(count: n, cells: cells, overflow: overflow, energy: energy, label: labels.values),
                           provenance: provenance, geometry: g)
    }
}

extension CalorimeterGeometry {
    /// Layer `l` of `count` events whose cells are concatenated (`totalCells` per event, layers in
    /// order), gathered into (N, cellsX, cellsY) row-major: what a file's `layer_ℓ` holds.
    public func layerCells(_ l: Int, of cells: [Float], count n: Int) -> [Float] {
        let cc = layers[l].cellCount, off = layerOffsets[l]
        var values = [Float](repeating: 0, count: n * cc)
        for e in 0 ..< n {
            for c in 0 ..< cc { values[e * cc + c] = cells[e * totalCells + off + c] }
        }
        return values
    }
}
