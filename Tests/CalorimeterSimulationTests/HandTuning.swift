// The baseline of the tests that show what one setting of the shower model does.
import CalorimeterSimulation
import Foundation
import Testing

/// The first geant4 tuning, `Reproduce/tunings/hand.set`: the compiled tuning until the fitted
/// candidate `backwardfit` replaced it. GFlash's profile with the soft-photon halo, the axis tilt
/// and the tail split, and every later setting off — the plain model against which a test
/// switches one setting on and measures what it does. Read from the file, so that the tests and
/// the tuning a user can run with `--set` are the same values.
func handTuned(_ medium: SamplingMedium) -> ShowerModel {
    var model = ShowerModel(medium: medium)
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
    /// The file's name=value line (its comment lines dropped), parsed; empty if it cannot be read,
    /// which ``handTuned(_:)``'s callers then see as failed expectations.
    static let values: [String: Double] = {
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { return [:] }
        var values = [String: Double]()
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            for pair in line.split(separator: ",") {
                let parts = pair.split(separator: "=")
                if parts.count == 2, let v = Double(parts[1].trimmingCharacters(in: .whitespaces)) {
                    values[parts[0].trimmingCharacters(in: .whitespaces)] = v
                }
            }
        }
        return values
    }()
}
