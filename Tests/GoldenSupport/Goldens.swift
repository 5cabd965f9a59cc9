// Golden values for the tests: numbers pinned in a JSON file next to the test
// that checks them, keyed by the table cell or figure they pin. They change only through
// `make record-goldens` (CALOBNN_RECORD_GOLDENS=1), which rewrites the file and prints every
// change loudly; the commit that follows must say why.
import Foundation

/// A JSON file of named golden numbers.
public struct GoldenFile {
    /// Where the file lives.
    public let url: URL
    /// Whether this run records instead of checking.
    public static var recording: Bool { ProcessInfo.processInfo.environment["CALOBNN_RECORD_GOLDENS"] == "1" }

    /// The golden file `name` in the folder `Goldens/` beside `testFile` (pass `#filePath`).
    public init(_ name: String, besides testFile: String) {
        url = URL(fileURLWithPath: testFile).deletingLastPathComponent()
            .appendingPathComponent("Goldens").appendingPathComponent(name)
    }

    /// The stored values (empty if the file does not exist yet). Parsed here, not by
    /// JSONSerialization, whose number parsing on Linux is not exact in the last bit: each value
    /// is read with `Double(_:)` from the text, which round-trips Swift's own output exactly.
    public func load() -> [String: Double] {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [:] }
        var out: [String: Double] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let key = parts[0].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            let value = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: " ,"))
            if let v = Double(value) { out[key] = v }
        }
        return out
    }

    /// Compare `measured` with the stored goldens at relative tolerance `rtol` (plus `atol`).
    /// Returns one message per mismatch or missing key. In recording mode, writes `measured`
    /// instead, prints each changed value, and returns no mismatches.
    public func check(_ measured: [String: Double], rtol: Double, atol: Double = 0) -> [String] {
        let stored = load()
        if GoldenFile.recording {
            // Record only values that fail the check; print each. Written by hand with Swift's
            // shortest round-trip form of each double, so reading the file back gives the same bits.
            var updated = stored
            for key in measured.keys.sorted() {
                let got = measured[key]!
                if let want = stored[key], abs(got - want) <= atol + rtol * abs(want), got.bitPattern == want.bitPattern || rtol > 0 || atol > 0 {
                    continue
                }
                print("RECORD-GOLDENS \(url.lastPathComponent): \(key): \(stored[key].map { "\($0)" } ?? "new") → \(got)")
                updated[key] = got
            }
            guard updated != stored || !FileManager.default.fileExists(atPath: url.path) else { return [] }
            let body = updated.keys.sorted().map { "  \"\($0)\": \(updated[$0]!)" }.joined(separator: ",\n")
            try! FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try! Data(("{\n" + body + "\n}\n").utf8).write(to: url)
            return []
        }
        var problems: [String] = []
        for key in measured.keys.sorted() {
            guard let want = stored[key] else {
                problems.append("\(key): no golden value in \(url.lastPathComponent) (run `make record-goldens`)")
                continue
            }
            let got = measured[key]!
            if abs(got - want) > atol + rtol * abs(want) {
                problems.append("\(key): measured \(got), golden \(want) (rtol \(rtol), atol \(atol))")
            }
        }
        return problems
    }
}
