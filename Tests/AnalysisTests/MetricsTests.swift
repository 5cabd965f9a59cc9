// Metrics of §4 and scores of §5, each checked against a slow, obvious re-derivation or a
// constructed case whose answer is known.
import AnomalyDetection
import Classification
import Foundation
import StudyReport
import Testing

@Suite("Classification metrics")
struct MetricsTests {
    @Test("AUC by mid-ranks equals the brute-force pair count with ties ½")
    func aucMatchesPairs() {
        var rng = SplitMix64(seed: 5)
        for trial in 0 ..< 20 {
            // Coarse values force many ties.
            let pos = (0 ..< 50 + trial).map { _ in Double(rng.below(20)) }
            let neg = (0 ..< 70).map { _ in Double(rng.below(15)) }
            var pairs = 0.0
            for p in pos { for q in neg { pairs += p > q ? 1 : (p == q ? 0.5 : 0) } }
            #expect(abs(ROC.auc(positive: pos, negative: neg) - pairs / Double(pos.count * neg.count)) < 1e-12)
        }
        #expect(ROC.auc(positive: [2, 3], negative: [0, 1]) == 1)
        #expect(ROC.auc(positive: [0, 1], negative: [2, 3]) == 0)
    }

    @Test("TPR at 5 % FPR on a constructed curve")
    func tprAtFPR() {
        // 100 negatives 0…99; positives 95.5…: at FPR ≤ 5 % (threshold > 94) every positive above passes.
        let neg = (0 ..< 100).map { Double($0) }
        let pos: [Double] = [200, 150, 96.5, 50, 10]
        #expect(abs(ROC.tpr(atFPR: 0.05, positive: pos, negative: neg) - 0.6) < 1e-12)
    }

    @Test("confusion matrix, accuracy and per-class accuracy")
    func confusion() {
        // 3 classes; predictions chosen by the mean.
        let mean: [Float] = [0.8, 0.1, 0.1,  0.2, 0.7, 0.1,  0.6, 0.3, 0.1,  0.1, 0.1, 0.8]
        let set = PredictionSet(mean: mean, std: [Float](repeating: 0, count: 12), argmax: [0, 1, 0, 2],
                                expectedEntropy: nil, label: [0, 1, 1, 2], classes: 3)
        let cm = ConfusionMatrix(set)
        #expect(cm.counts == [[1, 0, 0], [1, 1, 0], [0, 0, 1]])
        #expect(cm.accuracy == 0.75)
        #expect(cm.perClassAccuracy == [1, 0.5, 1])
    }

    @Test("average precision equals the brute-force sum over positives of the precision at their rank, ties entering together")
    func averagePrecision() {
        var rng = SplitMix64(seed: 9)
        for trial in 0 ..< 20 {
            let pos = (0 ..< 20 + trial).map { _ in Double(rng.below(12)) }
            let neg = (0 ..< 60).map { _ in Double(rng.below(10)) }
            // AP = (1/P) Σ_{positives p} precision at threshold s_p (all events with score ≥ s_p).
            var sum = 0.0
            for p in pos {
                let tp = Double(pos.filter { $0 >= p }.count), fp = Double(neg.filter { $0 >= p }.count)
                sum += tp / (tp + fp)
            }
            #expect(abs(ROC.averagePrecision(positive: pos, negative: neg) - sum / Double(pos.count)) < 1e-12)
            // The one-pass pair (bootstrap replicates) gives the same bits as the two functions.
            let pair = ROC.averagePrecisionAndFPR(atTPR: 0.95, positive: pos, negative: neg)
            #expect(pair.ap == ROC.averagePrecision(positive: pos, negative: neg) && pair.fpr == ROC.fpr(atTPR: 0.95, positive: pos, negative: neg))
        }
        #expect(ROC.averagePrecision(positive: [5, 6], negative: [1, 2, 3]) == 1)
        // A constant score: precision = the positive share at the one threshold.
        #expect(abs(ROC.averagePrecision(positive: [1, 1], negative: [1, 1, 1, 1, 1, 1]) - 0.25) < 1e-15)
    }

    @Test("FPR at 95 % TPR on a constructed curve")
    func fprAtTPR() {
        // 20 positives 10…29, 100 negatives 0…99: TPR ≥ 0.95 needs the threshold at 11, where
        // the negatives 11…99 (89 of them) pass.
        let pos = (10 ..< 30).map(Double.init), neg = (0 ..< 100).map(Double.init)
        #expect(abs(ROC.fpr(atTPR: 0.95, positive: pos, negative: neg) - 0.89) < 1e-12)
        #expect(ROC.fpr(atTPR: 0.95, positive: [5, 6], negative: [1, 2]) == 0)
    }

    @Test("calibration: a classifier right as often as it is sure has ECE 0; an overconfident one its gap")
    func calibration() {
        // Two classes, confidence 0.8 on every event; 8 of 10 right → ECE 0, then 5 of 10 → 0.3.
        func set(right: Int) -> PredictionSet {
            let labels = (0 ..< 10).map { Int32($0 < right ? 0 : 1) }
            return PredictionSet(mean: Array(repeating: [Float(0.8), 0.2], count: 10).flatMap { $0 }, std: [Float](repeating: 0, count: 20),
                                 argmax: [UInt8](repeating: 0, count: 10), expectedEntropy: nil, label: labels, classes: 2)
        }
        #expect(abs(Calibration(set(right: 8)).ece) < 1e-6)
        let c = Calibration(set(right: 5))
        #expect(abs(c.ece - 0.3) < 1e-6 && c.count.reduce(0, +) == 10 && c.count[12] == 10)
    }
}

@Suite("Anomaly scores and the A/B/C cases")
struct AnomalyTests {
    /// One event of K = 3 nodes with T = 20 weight samples, from explicit per-sample softmaxes.
    func event(_ samples: [[Float]]) -> PredictionSet {
        let k = samples[0].count, t = samples.count
        var mean = [Float](repeating: 0, count: k), sq = [Float](repeating: 0, count: k)
        var decisions: [UInt8] = [], expected: Float = 0
        for p in samples {
            for j in 0 ..< k { mean[j] += p[j] / Float(t); sq[j] += p[j] * p[j] / Float(t) }
            decisions.append(UInt8(p.firstIndex(of: p.max()!)!))
            expected += Float(entropy(p)) / Float(t)
        }
        let std = (0 ..< k).map { max(sq[$0] - mean[$0] * mean[$0], 0).squareRoot() }
        return PredictionSet(mean: mean, std: std, argmax: decisions, expectedEntropy: [expected], label: [0], classes: k)
    }

    @Test("case A: confident, steady, σ ≈ 0")
    func caseA() {
        let e = event(Array(repeating: [0.98, 0.01, 0.01], count: 20))
        #expect(anomalyCase(e, 0) == .a)
        #expect(StudyScores.bnnMutualInformation.evaluate(e, 0).magnitude < 1e-6)
    }

    @Test("case B: two active nodes")
    func caseB() {
        let e = event(Array(repeating: [0.55, 0.40, 0.05], count: 20))
        #expect(anomalyCase(e, 0) == .b)
    }

    @Test("jumpy but not confident is B: the mean itself shows two classes")
    func jumpyButAmbiguous() {
        let samples = Array(repeating: [Float(0.6), 0.35, 0.05], count: 12) + Array(repeating: [Float(0.35), 0.6, 0.05], count: 8)
        let e = event(samples)
        #expect(e.disagreement(0) >= 0.05 && e.means(0).max()! < 0.7)
        #expect(anomalyCase(e, 0) == .b)
    }

    @Test("C takes precedence over B when the mean is confident")
    func confidentJumpsAreC() {
        // Node 1 has mean 0.2 (active) but node 0's mean is 0.775 ≥ 0.7 and 20 % of samples jump.
        let samples = Array(repeating: [Float(0.9), 0.08, 0.02], count: 16) + Array(repeating: [Float(0.275), 0.7, 0.025], count: 4)
        let e = event(samples)
        #expect(e.means(0)[1] >= 0.2 && e.means(0)[0] >= 0.7)
        #expect(anomalyCase(e, 0) == .c)
    }

    @Test("case C: a confident mean, but the argmax jumps between samples")
    func caseC() {
        // 18 samples say class 0 firmly, 2 say class 1: the mean of node 1 stays below 0.1.
        let samples = Array(repeating: [Float(0.97), 0.02, 0.01], count: 18) + Array(repeating: [Float(0.45), 0.54, 0.01], count: 2)
        let e = event(samples)
        #expect(e.means(0)[1] < 0.1)
        #expect(anomalyCase(e, 0) == .c)
        #expect(abs(e.disagreement(0) - 0.1) < 1e-12)
        // Jumpy outputs carry epistemic uncertainty: I > 0.
        #expect(StudyScores.bnnMutualInformation.evaluate(e, 0) > 0.01)
    }

    @Test("other: steady but uncertain")
    func caseOther() {
        let samples = (0 ..< 20).map { i -> [Float] in let d = Float(i % 2 == 0 ? 0.05 : -0.05); return [0.9 + d, 0.05 - d, 0.05] }
        #expect(anomalyCase(event(samples), 0) == .other)
    }

    @Test("thresholds fixed on known events: the documented quantiles, each case near 10 % of the known events")
    func thresholdsFromKnown() {
        // 100 known events, T = 20 samples, 3 classes: event i has σ(pred) growing with i, a second
        // node growing with i, and i mod 10 of its samples disagreeing (0 … 9 of 20).
        var rng = SplitMix64(seed: 3)
        var mean: [Float] = [], std: [Float] = [], argmax: [UInt8] = []
        for i in 0 ..< 100 {
            let second = Float(i) / 400   // 0 … 0.2475
            mean += [1 - second - 0.001, second, 0.001]
            std += [Float(i + 1) / 1000, 0.01, 0]
            let jumps = i % 10
            argmax += (0 ..< 20).map { $0 < jumps ? UInt8(1 + rng.below(2)) : 0 }
        }
        let set = PredictionSet(mean: mean, std: std, argmax: argmax, expectedEntropy: nil, label: [Int32](repeating: 0, count: 100), classes: 3)
        let t = CaseThresholds.fromKnown(set, known: Array(0 ..< 100))
        #expect(t.quietStd == Float(11) / 1000)                  // the 10 % quantile: the 11th smallest σ
        // Confident known events (mean of node 0 ≥ 0.7): all 100. Above the 90 % quantile of their
        // disagreement (9/20, up to rounding of the random jumps' classes: disagreement counts the
        // majority, here class 0 with ≥ 11 of 20).
        #expect(abs(t.jumpyFraction - (9.0 / 20 + 1.0 / 20)) < 1e-12)
        #expect(t.activeMean == (Float(90) / 400).nextUp)        // above the 90 % quantile of the second mean
        #expect(t.confidentMean == 0.7)
        // The B threshold selects exactly the known events above the quantile: 9 of 100.
        let bShare = (0 ..< 100).filter { set.means($0).sorted(by: >)[1] >= t.activeMean }.count
        #expect(bShare == 9)
        // Ambiguous known events (predicted mean < 0.7) with many jumps do not set C's threshold:
        // 10 confident steady events and 10 ambiguous ones with 10 of 20 samples elsewhere.
        let confidentRow: [Float] = [0.9, 0.05, 0.05], ambiguousRow: [Float] = [0.5, 0.45, 0.05]
        let mixedMean: [Float] = Array(repeating: confidentRow, count: 10).flatMap { $0 } + Array(repeating: ambiguousRow, count: 10).flatMap { $0 }
        let mixedArgmax = [UInt8](repeating: 0, count: 200) + (0 ..< 10).flatMap { _ in (0 ..< 20).map { UInt8($0 < 10 ? 0 : 1) } }
        let mixed = PredictionSet(mean: mixedMean, std: [Float](repeating: 0.01, count: 60), argmax: mixedArgmax, expectedEntropy: nil,
                                  label: [Int32](repeating: 0, count: 20), classes: 3)
        #expect(abs(CaseThresholds.fromKnown(mixed, known: Array(0 ..< 20)).jumpyFraction - 1.0 / 20) < 1e-12)
        // With no known events the documented defaults stay.
        #expect(CaseThresholds.fromKnown(set, known: []).quietStd == CaseThresholds().quietStd)
    }

    @Test("ensemble of identical members has zero spread and zero mutual information")
    func ensembleOfClones() {
        let member = PredictionSet(mean: [0.7, 0.2, 0.1], std: [0, 0, 0], argmax: [0], expectedEntropy: nil, label: [0], classes: 3)
        let ens = ensemble([member, member, member])
        #expect(ens.std.allSatisfy { $0 < 1e-7 })
        #expect(abs(StudyScores.ensembleMutualInformation.evaluate(ens, 0)) < 1e-6)
        #expect(ens.samples == 3 && ens.argmax == [0, 0, 0])
    }

    @Test("bootstrap error of a perfect separation is 0; of overlapping sets it is ≈ the Hanley–McNeil error")
    func bootstrap() {
        let perfect = evaluate(anomalous: [5, 6, 7], known: [1, 2, 3], seed: 1)
        #expect(perfect.auroc == 1 && perfect.aurocError == 0)
        var rng = SplitMix64(seed: 9)
        func gauss() -> Double { // Box–Muller from the test's own generator
            let u = (Double(rng.next() >> 11) + 0.5) / 9007199254740992, v = (Double(rng.next() >> 11) + 0.5) / 9007199254740992
            return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
        }
        let a = (0 ..< 400).map { _ in gauss() + 1 }, k = (0 ..< 400).map { _ in gauss() }
        let r = evaluate(anomalous: a, known: k, replicates: 400, seed: 3)
        // Hanley & McNeil (1982): SE² = [A(1−A) + (n₁−1)(Q₁−A²) + (n₂−1)(Q₂−A²)]/(n₁n₂), Q₁ = A/(2−A), Q₂ = 2A²/(1+A).
        let auc = r.auroc, q1 = auc / (2 - auc), q2 = 2 * auc * auc / (1 + auc)
        let se = ((auc * (1 - auc) + 399 * (q1 - auc * auc) + 399 * (q2 - auc * auc)) / (400 * 400)).squareRoot()
        #expect(abs(r.aurocError - se) < 0.25 * se, "bootstrap \(r.aurocError) vs Hanley–McNeil \(se)")
    }
}

@Suite("Tables")
struct TableTests {
    @Test("progress lines: a rate below one a second is printed as the time each unit takes, not as 0/s")
    func progressRates() {
        #expect(ProgressReporter.rateText(1234.4) == "1234/s")
        #expect(ProgressReporter.rateText(2.54) == "2.5/s")
        #expect(ProgressReporter.rateText(1 / 24.9) == "24.9 s each")
        #expect(ProgressReporter.rateText(0) == "—")
    }

    @Test("LaTeX escapes and bold cells; Markdown and CSV render the same cells")
    func renderings() {
        var t = ResultTable(caption: "AUROC", header: ["removed class", "BNN σ"], rows: [["J/ψ → e⁺e⁻", "0.91 ± 0.01"], ["noise_burst", "1.000"]])
        t.bold = [[1, 1]]
        #expect(t.latex.contains("J/$\\psi$ $\\to$ e$^+$e$^-$"))
        #expect(t.latex.contains("noise\\_burst & \\textbf{1.000}"))
        #expect(t.markdown.contains("| noise_burst | **1.000** |"))
        #expect(t.csv == "removed class,BNN σ\nJ/ψ → e⁺e⁻,0.91 ± 0.01\nnoise_burst,1.000\n")
    }

    @Test("LaTeX: every Greek letter as math, ^ and ~ as text symbols (pdfLaTeX stops on either raw)")
    func greekAndSymbols() {
        #expect(ResultTable.latexEscape("tail rate β_hom, κ = 1") == "tail rate $\\beta$\\_hom, $\\kappa$ = 1")
        #expect(ResultTable.latexEscape("Δσ %") == "$\\Delta\\sigma$ \\%")
        #expect(ResultTable.latexEscape("s (20 GeV/E)^p ~ 1") == "s (20 GeV/E)\\textasciicircum{}p \\textasciitilde{} 1")
        #expect(ResultTable.latexEscape("$x^2$ ε") == "$x^2$ $\\varepsilon$")
        // Every character but ASCII that the escape leaves is one the Paper declares (checked by
        // `make check-paper-text`); no Greek letter from α to ω is left.
        let greek = (0x03B1 ... 0x03C9).filter { $0 != 0x03BF }.map { String(Unicode.Scalar($0)!) }.joined()
        let escaped = ResultTable.latexEscape(greek)
        #expect(escaped.unicodeScalars.filter { !$0.isASCII }.isEmpty, "\(escaped)")
    }
}
