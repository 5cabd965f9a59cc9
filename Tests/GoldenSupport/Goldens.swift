// Golden values for the tests (STYLE.md §7–8): numbers pinned in a JSON file next to the test
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

    /// The stored values (empty if the file does not exist yet).
    public func load() -> [String: Double] {
        guard let data = try? Data(contentsOf: url),
              let dict = try? JSONSerialization.jsonObject(with: data) as? [String: Double] else { return [:] }
        return dict
    }

    /// Compare `measured` with the stored goldens at relative tolerance `rtol` (plus `atol`).
    /// Returns one message per mismatch or missing key. In recording mode, writes `measured`
    /// instead, prints each changed value, and returns no mismatches.
    public func check(_ measured: [String: Double], rtol: Double, atol: Double = 0) -> [String] {
        let stored = load()
        if GoldenFile.recording {
            for key in measured.keys.sorted() where stored[key] != measured[key] {
                print("RECORD-GOLDENS \(url.lastPathComponent): \(key): \(stored[key].map { "\($0)" } ?? "new") → \(measured[key]!)")
            }
            let data = try! JSONSerialization.data(withJSONObject: measured, options: [.prettyPrinted, .sortedKeys])
            try! FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try! data.write(to: url)
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
