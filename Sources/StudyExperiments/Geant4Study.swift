// The study's networks, trained on our simulator, applied to Geant4 images (the Paper's study on
// Geant4 images): photon-ID accuracy and AUC on Geant4 events against our own test events of the
// same classes, and the BNN's σ of the predicted node — does it flag the change of simulator as
// an anomaly?
import CalorimeterSimulation
import Classification
import Foundation
import StudyData
import StudyReport

/// The networks on Geant4 images.
public enum Geant4Study {
    /// Read the four prediction files (BNN and twin, on the Geant4 dataset and on our own test
    /// set), then write the table, the σ histograms and the macros into `directory`, atomically.
    /// Returns the one-line summary.
    public static func run(bnn: NamedFile, det: NamedFile, ownBNN: NamedFile, ownDet: NamedFile,
                           registry: EventRegistry, to directory: String) throws -> String {
        let gb = try ExperimentInputs.predictions(bnn.path), gd = try ExperimentInputs.predictions(det.path)
        let ob = try ExperimentInputs.predictions(ownBNN.path), od = try ExperimentInputs.predictions(ownDet.path)
        for (file, p, kind) in [(bnn, gb, "bnn"), (det, gd, "deterministic"), (ownBNN, ob, "bnn"), (ownDet, od, "deterministic")] where p.model != kind {
            throw InputError("\(file.name) \(file.path): predictions of a \(p.model) model, expected a \(kind == "bnn" ? "bnn" : "deterministic one")")
        }
        try ExperimentInputs.checkSameData(gb, bnn.path, gd, det.path)
        try ExperimentInputs.checkSameData(ob, ownBNN.path, od, ownDet.path)
        let names = gb.outputClasses
        guard [gd.outputClasses, ob.outputClasses, od.outputClasses].allSatisfy({ $0 == names }) else {
            throw InputError("the four prediction files must come from models with the same output classes")
        }
        guard let photon = names.firstIndex(of: "photon") else { throw InputError("\(bnn.name) \(bnn.path): the models have no photon node") }
        var count = 0
        try writeDirectoryAtomically(to: directory) { output in
            count = try write(geant4: (gb.set, gd.set), own: (ob.set, od.set), names: names, photon: photon, registry: registry, into: output)
        }
        return "evaluate geant4: \(count) classes → \(directory)"
    }

    /// Every output into `output`; returns the number of classes compared.
    static func write(geant4: (bnn: PredictionSet, det: PredictionSet), own: (bnn: PredictionSet, det: PredictionSet),
                      names: [String], photon: Int, registry: EventRegistry, into output: String) throws -> Int {
        let (gb, gd) = geant4, (ob, od) = own
        let k = names.count
        let classes = Set(gb.label.map(Int.init)).filter { $0 < k }.sorted()

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

        var rows: [[String]] = []
        var macros = MacroFile(header: "calobnn evaluate geant4")
        var sigmaData = "# σ of the predicted BNN node: per class (gnuplot index in row order of geant4_study), rows: sigma_bin_centre own_fraction geant4_fraction\n"
        for c in classes {
            let label = registry.prettyLabel(names[c]), m = macroName(names[c])
            var row = [label, "\(members(gb, c).count)"]
            let accs = [accuracy(ob, c), accuracy(gb, c), accuracy(od, c), accuracy(gd, c)]
            row += accs.map { fmt(100 * $0, 1) }
            var aucs = [Double](repeating: .nan, count: 4)
            if c != photon {
                aucs = [ROC.auc(positive: photonScores(ob, photon), negative: photonScores(ob, c)),
                        ROC.auc(positive: photonScores(gb, photon), negative: photonScores(gb, c)),
                        ROC.auc(positive: photonScores(od, photon), negative: photonScores(od, c)),
                        ROC.auc(positive: photonScores(gd, photon), negative: photonScores(gd, c))]
            }
            row += aucs.map { $0.isNaN ? "—" : fmt($0, 3) }
            let so = sigmas(ob, c), sg = sigmas(gb, c)
            // Does σ flag Geant4 events against our own? AUROC of σ, Geant4 events positive.
            let flag = ROC.auc(positive: sg, negative: so)
            row += [fmt(median(so), 4), fmt(median(sg), 4), fmt(flag, 3)]
            rows.append(row)
            macros.add([("GFourAccOwnBNN\(m)", fmt(100 * accs[0], 1)), ("GFourAccBNN\(m)", fmt(100 * accs[1], 1)),
                        ("GFourAccOwnDet\(m)", fmt(100 * accs[2], 1)), ("GFourAccDet\(m)", fmt(100 * accs[3], 1)),
                        ("GFourSigmaOwn\(m)", fmt(median(so), 4)), ("GFourSigma\(m)", fmt(median(sg), 4)),
                        ("GFourSigmaAUROC\(m)", fmt(flag, 3))])
            if c != photon {
                macros.add([("GFourAUCOwnBNN\(m)", fmt(aucs[0], 3)), ("GFourAUCBNN\(m)", fmt(aucs[1], 3)),
                            ("GFourAUCOwnDet\(m)", fmt(aucs[2], 3)), ("GFourAUCDet\(m)", fmt(aucs[3], 3))])
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
        try macros.write(to: "\(output)/numbers.tex")
        return classes.count
    }
}
