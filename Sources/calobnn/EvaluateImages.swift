// `calobnn evaluate images`: figure data for study §3 — the average image of each class and a few
// single events, all three layers (the Paper's "one average image per class" and "single events").
import ArgumentParser
import CalorimeterSimulation
import Foundation
import StudyData
import StudyReport

struct EvaluateImages: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "images", abstract: "§3: average and single-event images per class, per layer.")

    @Option(help: "Dataset (from `calobnn simulate`).")
    var data: String
    @Option(parsing: .unconditional, help: "Single events written per class (0…1000).")
    var events: Int = 3
    @Option(name: .short, help: "Output directory.")
    var output: String

    func validate() throws {
        guard (0 ... 1000).contains(events) else { throw ValidationError("--events must be in 0…1000 (got \(events))") }
    }

    func run() throws {
        try checkOutputDirectory(output)
        let ds = try readDataset(data)
        guard ds.batch.count > 0 else { throw CLIError("--data \(data): dataset 'label' is empty") }
        var line = ""
        try writeDirectoryAtomically(to: output) { output in line = try write(ds, into: output) }
        print(line)
    }

    /// The image files and the layer-energy table into `output` (a temporary directory).
    func write(_ ds: CaloDataset, into output: String) throws -> String {
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
            layerStats.append([prettyLabel(name)] + layerMeans.map { fmt($0 / 1000, 2) } + [fmt(layerMeans.reduce(0, +) / 1000, 2)])
        }
        try ResultTable(caption: "Mean energy per layer and in total (GeV) per class, total-deposit mode, 20 GeV gun (dataset \(URL(fileURLWithPath: data).lastPathComponent), seed \(ds.provenance.seed)).",
                        header: ["class", "layer 0", "layer 1", "layer 2", "sum"], rows: layerStats).write(to: output, stem: "layer_energies")
        return ("images: wrote \(labels.count) classes to \(output)")
    }
}
