// The spread between repeated trainings (REPEATS, Reproduce/repeats.mk): every numeric macro of
// the repetitions' classification and anomaly `numbers.tex`, its mean, standard deviation between
// trainings (1/(R − 1)), minimum and maximum. The spread is the error that the bootstrap (which
// resamples test events only) does not see.
import Foundation
import StudyData
import StudyReport

/// Mean and spread over repeated trainings.
public enum RepeatSpread {
    /// Read `files` — the `numbers.tex` of every repetition, repetition r's path containing
    /// `/repeat<r>/` (none: repetition 0, the main run) — and write `spread.{md,csv,tex}` into
    /// `directory`: one row per numeric macro present in every repetition (wall times, names
    /// containing "Seconds", are skipped), mean and deviation with one decimal more than the
    /// macros, minimum and maximum as printed. `\<Name>Mean` and `\<Name>Spread` for the Paper.
    public static func run(_ files: [String], profile: String, to directory: String) throws -> String {
        var order: [String] = [], digits: [String: Int] = [:], values: [String: [Int: Double]] = [:]
        var repetitions = Set<Int>()
        for path in files {
            let r = repetition(of: path)
            repetitions.insert(r)
            for (name, text) in try MacroFile.read(path) where !name.contains("Seconds") {
                guard let v = Double(text), text.allSatisfy({ $0.isNumber || $0 == "." || $0 == "-" }) else { continue }
                if values[name] == nil {
                    order.append(name)
                    digits[name] = (text.firstIndex(of: ".").map { text.distance(from: $0, to: text.endIndex) - 1 } ?? 0) + 1
                }
                if values[name, default: [:]][r] == nil { values[name, default: [:]][r] = v }
            }
        }
        let reps = repetitions.count
        let tag = "make reproduce PROFILE=\(profile), target repeats"
        var rows: [[String]] = []
        var macros = MacroFile(header: tag)
        macros.add("Repetitions", "\(reps)")
        for name in order {
            guard let byRep = values[name], byRep.count == reps else { continue }
            let v = byRep.keys.sorted().map { byRep[$0]! }
            let mean = v.reduce(0, +) / Double(reps)
            let sd = reps > 1 ? (v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(reps - 1)).squareRoot() : 0
            let d = digits[name]!
            let m = String(format: "%.\(d)f", mean), s = String(format: "%.\(d)f", sd)
            rows.append([name, m, s, String(format: "%.\(d - 1)f", v.min()!), String(format: "%.\(d - 1)f", v.max()!)])
            macros.add("\(name)Mean", m); macros.add("\(name)Spread", s)
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try ResultTable(caption: "Spread between \(reps) repeated trainings (\(tag)): mean, standard deviation, minimum, maximum over the repetitions.",
                        header: ["quantity", "mean", "std. dev.", "min", "max"], rows: rows).write(to: directory, stem: "spread")
        try macros.write(to: "\(directory)/spread.tex")
        return "spread: \(rows.count) numbers over \(reps) repetitions → \(directory)"
    }

    /// The repetition a path belongs to: r for `…/repeat<r>/…`, else 0.
    static func repetition(of path: String) -> Int {
        guard let range = path.range(of: #"/repeat[0-9]+/"#, options: .regularExpression) else { return 0 }
        return Int(path[range].dropFirst(7).dropLast()) ?? 0
    }
}
