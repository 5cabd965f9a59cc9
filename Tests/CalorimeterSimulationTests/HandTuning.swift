// The baseline of the tests that show what one setting of the shower model does.
import CalorimeterSimulation
import Foundation
import Testing

/// The first geant4 tuning, `Reproduce/tunings/hand.set`: the compiled tuning until the fitted
/// candidate `backwardfit` replaced it (since replaced by `albedofit`, then `spectrum`). GFlash's profile with the soft-photon halo, the axis tilt
/// and the tail split, and every later setting off — the plain model against which a test
/// switches one setting on and measures what it does. Read from the file, so that the tests and
/// the tuning a user can run with `--set` are the same values.
func handTuned(_ medium: SamplingMedium) -> ShowerModel {
    var model = ShowerModel(medium: medium)
    if HandTuning.values.isEmpty { Issue.record("Reproduce/tunings/hand.set: no values read") }
    do {
        try model.apply(HandTuning.values)
    } catch {
        Issue.record("Reproduce/tunings/hand.set: \(error)")
    }
    return model
}

enum HandTuning {
    static let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Reproduce/tunings/hand.set").standardizedFileURL
    /// The file's name=value line (its comment lines dropped, as the Makefile reads it), parsed
    /// by ``ShowerModel/overrides(parsing:)``; empty if it cannot be read or parsed (an issue
    /// of every test that calls ``handTuned(_:)``).
    static let values: [String: Double] = {
        guard let line = valueLine(of: file) else { return [:] }
        return (try? ShowerModel.overrides(parsing: line)) ?? [:]
    }()

    /// The name=value line of a tuning file of `Reproduce/tunings/` (its comment lines dropped, as
    /// the Makefile reads it); nil if it cannot be read.
    static func valueLine(of file: URL) -> String? {
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { return nil }
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.joined().filter { !$0.isWhitespace }
    }
}
