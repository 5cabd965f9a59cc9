// `calobnn evaluate geant4`: the study's networks, trained on our simulator, applied to Geant4
// images (the Paper's "Validation against Geant4", the study on Geant4 images). Photon-ID AUC and
// accuracy on Geant4 vs on our own test events of the same classes, and the BNN's σ of the
// predicted node — does it flag the change of simulator as an anomaly?
import ArgumentParser
import Classification
import Foundation
import StudyData
import StudyReport

struct EvaluateGeant4: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "geant4",
        abstract: "The networks trained on our simulator, on Geant4 images vs on our own test set.")

    @Option(help: "BNN predictions on the Geant4 dataset (`calobnn validate --export-dataset`, then `calobnn predict`).")
    var bnn: String
    @Option(help: "Deterministic-twin predictions on the Geant4 dataset.")
    var det: String
    @Option(name: .customLong("own-bnn"), help: "BNN predictions on our own test set.")
    var ownBNN: String
    @Option(name: .customLong("own-det"), help: "Deterministic-twin predictions on our own test set.")
    var ownDet: String
    @Option(name: .short, help: "Output directory.")
    var output: String

    func run() throws {
        let gb = try readPredictions(bnn), gd = try readPredictions(det)
        let ob = try readPredictions(ownBNN), od = try readPredictions(ownDet)
        let names = gb.outputClasses, k = names.count
        guard [gd.outputClasses, ob.outputClasses, od.outputClasses].allSatisfy({ $0 == names }) else {
            throw CLIError("the four prediction files must come from models with the same output classes")
        }
        guard let photon = names.firstIndex(of: "photon") else { throw CLIError("the models have no photon node") }
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let classes = Set(gb.set.label.map(Int.init)).filter { $0 < k }.sorted()

        func members(_ s: PredictionSet, _ c: Int) -> [Int] { (0 ..< s.count).filter { Int(s.label[$0]) == c } }
        func accuracy(_ s: PredictionSet, _ c: Int) -> Double {
            let m = members(s, c)
            return Double(m.filter { s.predicted($0) == c }.count) / Double(max(m.count, 1))
        }
        func photonScores(_ s: PredictionSet, _ c: Int) -> [Double] { members(s, c).map { Double(s.mean[$0 * k + photon]) } }
        /// σ of the predicted node per event of class c.
        func sigmas(_ s: PredictionSet, _ c: Int) -> [Double] { members(s, c).map { Double(s.std[$0 * k + s.predicted($0)]) } }
        func median(_ x: [Double]) -> Double {
            let s = x.sorted()
            guard !s.isEmpty else { return .nan }
            return s.count % 2 == 1 ? s[s.count / 2] : 0.5 * (s[s.count / 2 - 1] + s[s.count / 2])
        }

        var rows: [[String]] = [], macros: [(String, String)] = []
        var sigmaData = "# σ of the predicted BNN node: per class (gnuplot index in row order of geant4_study), rows: sigma_bin_centre own_fraction geant4_fraction\n"
        for c in classes {
            let label = prettyLabel(names[c]), m = macroName(names[c])
            var row = [label, "\(members(gb.set, c).count)"]
            let accs = [accuracy(ob.set, c), accuracy(gb.set, c), accuracy(od.set, c), accuracy(gd.set, c)]
            row += accs.map { fmt(100 * $0, 1) }
            var aucs = [Double](repeating: .nan, count: 4)
            if c != photon {
                aucs = [ROC.auc(positive: photonScores(ob.set, photon), negative: photonScores(ob.set, c)),
                        ROC.auc(positive: photonScores(gb.set, photon), negative: photonScores(gb.set, c)),
                        ROC.auc(positive: photonScores(od.set, photon), negative: photonScores(od.set, c)),
                        ROC.auc(positive: photonScores(gd.set, photon), negative: photonScores(gd.set, c))]
            }
            row += aucs.map { $0.isNaN ? "—" : fmt($0, 3) }
            let so = sigmas(ob.set, c), sg = sigmas(gb.set, c)
            // Does σ flag Geant4 events against our own? AUROC of σ, Geant4 events positive.
            let flag = ROC.auc(positive: sg, negative: so)
            row += [fmt(median(so), 4), fmt(median(sg), 4), fmt(flag, 3)]
            rows.append(row)
            macros += [("GFourAccOwnBNN\(m)", fmt(100 * accs[0], 1)), ("GFourAccBNN\(m)", fmt(100 * accs[1], 1)),
                       ("GFourAccOwnDet\(m)", fmt(100 * accs[2], 1)), ("GFourAccDet\(m)", fmt(100 * accs[3], 1)),
                       ("GFourSigmaOwn\(m)", fmt(median(so), 4)), ("GFourSigma\(m)", fmt(median(sg), 4)),
                       ("GFourSigmaAUROC\(m)", fmt(flag, 3))]
            if c != photon {
                macros += [("GFourAUCOwnBNN\(m)", fmt(aucs[0], 3)), ("GFourAUCBNN\(m)", fmt(aucs[1], 3)),
                           ("GFourAUCOwnDet\(m)", fmt(aucs[2], 3)), ("GFourAUCDet\(m)", fmt(aucs[3], 3))]
            }
            // σ histograms, 40 bins on [0, 0.5] (the σ of a probability in [0, 1] is ≤ 0.5).
            var ho = Histogram(bins: 40, lower: 0, upper: 0.5), hg = Histogram(bins: 40, lower: 0, upper: 0.5)
            for v in so { ho.fill(v) }
            for v in sg { hg.fill(v) }
            sigmaData += "# \(names[c])\n"
            for b in 0 ..< 40 {
                sigmaData += "\(fmt(ho.centres[b], 5)) \(fmt(ho.counts[b] / Double(max(so.count, 1)), 5)) \(fmt(hg.counts[b] / Double(max(sg.count, 1)), 5))\n"
            }
            sigmaData += "\n\n"
        }
        try writeTextAtomically(sigmaData, to: "\(output)/sigma_own_vs_geant4.dat")
        try writeTextAtomically(classes.map { "\(names[$0])" }.joined(separator: "\n") + "\n", to: "\(output)/classes.txt")
        try ResultTable(caption: "The networks trained on our simulator, on our own test events (own) and on Geant4 events (G4) of the same classes: accuracy (%), photon-vs-class AUC of the photon node, median σ of the BNN's predicted node, and the AUROC of that σ for telling Geant4 events from our own (0.5: the BNN does not notice the change of simulator).",
                        header: ["class", "N G4", "acc. BNN own", "acc. BNN G4", "acc. det own", "acc. det G4",
                                 "AUC BNN own", "AUC BNN G4", "AUC det own", "AUC det G4",
                                 "med. σ own", "med. σ G4", "AUROC σ G4 vs own"], rows: rows)
            .write(to: output, stem: "geant4_study")
        try writeMacros(macros, to: "\(output)/numbers.tex", header: "calobnn evaluate geant4")
        print("evaluate geant4: \(classes.count) classes → \(output)")
    }
}
