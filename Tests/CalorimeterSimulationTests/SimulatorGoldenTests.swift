// Golden values of the simulator: per class, mean and standard deviation of the three layer
// energies and of the number of cells above 1 MeV, for seed 20221124 and 300 events per class
// (total mode, 20 GeV, 1 m, no noise).
//
// Regenerate: `make record-goldens` (then say why in the commit).
// Tolerance: none. The package promises the same datasets on every x86-64 machine; the statistics
// are sums in a fixed order, so they are exact too. (The simulator calls libm, whose last bit can
// depend on the CPU: a failure here on another machine would be a finding, not noise.)
import CalorimeterSimulation
import Foundation
import GoldenSupport
import Testing

@Suite("Simulator goldens")
struct SimulatorGoldenTests {
    @Test("layer energies and cell counts per class, seed 20221124, N = 300")
    func layerStatistics() {
        let g = CalorimeterGeometry.caloGAN
        let n = 300
        let batch = EventGenerator(simulator: EventSimulator(), seed: 20221124, threads: 2)
            .generate(labels: Array(0 ..< 10), perClass: n)
        var measured: [String: Double] = [:]
        for (label, c) in EventRegistry.study.classes.enumerated() {
            for (l, layer) in g.layers.enumerated() {
                var energies: [Double] = [], counts: [Double] = []
                for e in label * n ..< (label + 1) * n {
                    let start = e * g.totalCells + g.layerOffsets[l]
                    let cells = batch.cells[start ..< start + layer.cellCount]
                    energies.append(cells.reduce(0) { $0 + Double($1) })
                    counts.append(Double(cells.filter { $0 > 1 }.count))
                }
                measured["\(c.name).layer_\(l).energy_mean_MeV"] = mean(energies)
                measured["\(c.name).layer_\(l).energy_std_MeV"] = std(energies)
                measured["\(c.name).layer_\(l).cells_above_1MeV_mean"] = mean(counts)
                measured["\(c.name).layer_\(l).cells_above_1MeV_std"] = std(counts)
            }
        }
        let problems = GoldenFile("simulator_layer_statistics.json", besides: #filePath).check(measured, rtol: 0)
        #expect(problems.isEmpty, "\(problems.prefix(10).joined(separator: "\n"))")
    }

    func mean(_ x: [Double]) -> Double { x.reduce(0, +) / Double(x.count) }
    func std(_ x: [Double]) -> Double {
        let m = mean(x)
        return (x.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(x.count - 1)).squareRoot()
    }
}
