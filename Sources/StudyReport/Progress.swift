// Progress output for long work, on stderr (the package's convention, for the tool and the experiments): a live line with rate and ETA on a
// terminal; otherwise one plain line when a stage starts and one when it ends.
import Foundation

/// Reports progress of a stage to stderr. Thread-safe.
public final class ProgressReporter: @unchecked Sendable {
    private let stage: String
    private let total: Int
    private let unit: String
    private let start = Date()
    private var lastPrint = Date.distantPast
    private let lock = NSLock()
    private let live: Bool
    private let quiet: Bool

    /// A reporter of `total` `unit`s of work in `stage`; `quiet` prints nothing.
    public init(stage: String, total: Int, unit: String, quiet: Bool = false) {
        self.stage = stage; self.total = total; self.unit = unit; self.quiet = quiet
        live = isatty(fileno(stderr)) != 0
        if !quiet && !live { ProgressReporter.write("\(stage): \(total) \(unit)…\n") }
    }

    /// Write `s` to stderr as is.
    public static func write(_ s: String) { FileHandle.standardError.write(s.data(using: .utf8)!) }

    /// `done` units finished so far.
    public func update(_ done: Int) {
        guard live, !quiet else { return }
        lock.lock(); defer { lock.unlock() }
        let now = Date()
        guard now.timeIntervalSince(lastPrint) > 0.2 || done == total else { return }
        lastPrint = now
        let elapsed = now.timeIntervalSince(start)
        let rate = Double(done) / max(elapsed, 1e-9)
        let eta = rate > 0 ? Double(total - done) / rate : 0
        ProgressReporter.write(String(format: "\r%@: %d/%d %@ (%@, ETA %.0f s)   ", stage, done, total, unit, ProgressReporter.rateText(rate), eta))
    }

    /// The stage is over: one summary line.
    public func finish(_ extra: String = "") {
        guard !quiet else { return }
        let elapsed = Date().timeIntervalSince(start)
        let rate = Double(total) / max(elapsed, 1e-9)
        ProgressReporter.write(String(format: "%@%@: %d %@ in %.1f s (%@)%@\n", live ? "\r" : "", stage, total, unit,
                                      elapsed, ProgressReporter.rateText(rate), extra))
    }

    /// A rate of `rate` units per second as the lines print it: "1234/s", "2.5/s", or for less than
    /// one a second the time each takes, "24.9 s each" (a slow stage's "0/s" said nothing).
    public static func rateText(_ rate: Double) -> String {
        if rate >= 10 { return String(format: "%.0f/s", rate) }
        if rate >= 1 { return String(format: "%.1f/s", rate) }
        return rate > 0 ? String(format: "%.1f s each", 1 / rate) : "—"
    }
}
