// Study §3, "The use case": figure data of the simulated events — the average image of each
// class and a few single events, all three layers — and the mean energy per layer.
import CalorimeterSimulation
import Classification
import Foundation
import StudyData
import StudyReport

/// The §3 image figures.
public enum ImageFigures {
    /// Read `data`, then write `images_<class>.dat` per class (gnuplot blocks: the three layers of
    /// the average, then `events` single events × 3 layers) and the layer-energy table into
    /// `directory`, atomically. Returns the one-line summary.
    public static func run(data: NamedFile, events: Int, registry: EventRegistry, to directory: String) throws -> String {
        let ds = try ExperimentInputs.dataset(data)
        guard ds.batch.count > 0 else { throw InputError("\(data.name) \(data.path): dataset 'label' is empty") }
        var line = ""
        try writeDirectoryAtomically(to: directory) { output in
            let classes = try write(ds, dataName: URL(fileURLWithPath: data.path).lastPathComponent, events: events,
                                    registry: registry, into: output)
            line = "images: wrote \(classes) classes to \(directory)"
        }
        return line
    }

    /// The image files and the layer-energy table of `ds` into `output`; returns the number of classes.
    public static func write(_ ds: CaloDataset, dataName: String, events: Int, registry: EventRegistry, into output: String) throws -> Int {
        let g = ds.geometry, names = ds.provenance.classNames
        let labels = Set(ds.batch.label.map(Int.init)).sorted()
        var layerStats: [[String]] = []
        for label in labels {
            let name = label < names.count ? names[label] : "label\(label)"
            let members = (0 ..< ds.batch.count).filter { Int(ds.batch.label[$0]) == label }
            var average = [Double](repeating: 0, count: g.totalCells)
            for n in members { for c in 0 ..< g.totalCells { average[c] += Double(ds.batch.cells[n * g.totalCells + c]) / Double(members.count) } }
            // One file per class: gnuplot index 0..2 = layers of the average; 3.. = single events.
            var out = "# \(name): average over \(members.count) events (index 0-2 = layers 0-2), then \(events) single events × 3 layers; rows: x y E_MeV\n"
            func block(_ cells: (Int) -> Double, layer l: Int) {
                let layer = g.layers[l], off = g.layerOffsets[l]
                for ix in 0 ..< layer.cellsX {
                    for iy in 0 ..< layer.cellsY { out += "\(ix) \(iy) \(String(format: "%.5g", cells(off + ix * layer.cellsY + iy)))\n" }
                    out += "\n"
                }
                out += "\n\n"
            }
            for l in 0 ..< g.layers.count { block({ average[$0] }, layer: l) }
            for n in members.prefix(events) {
                for l in 0 ..< g.layers.count { block({ Double(ds.batch.cells[n * g.totalCells + $0]) }, layer: l) }
            }
            try writeTextAtomically(out, to: "\(output)/images_\(name).dat")
            let layerMeans = (0 ..< g.layers.count).map { l -> Double in
                let off = g.layerOffsets[l]
                return (off ..< off + g.layers[l].cellCount).map { average[$0] }.reduce(0, +)
            }
            layerStats.append([registry.prettyLabel(name)] + layerMeans.map { fmt($0 / 1000, 2) } + [fmt(layerMeans.reduce(0, +) / 1000, 2)])
        }
        try ResultTable(caption: "Mean energy per layer and in total (GeV) per class, total-deposit mode, 20 GeV gun (dataset \(dataName), seed \(ds.provenance.seed)).",
                        header: ["class", "layer 0", "layer 1", "layer 2", "sum"], rows: layerStats).write(to: output, stem: "layer_energies")
        return labels.count
    }
}
