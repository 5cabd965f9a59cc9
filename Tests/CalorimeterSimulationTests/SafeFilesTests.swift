// The library side of "bad input never crashes, lies or destroys" (StudyData): content identities
// against the FIPS 180-4 test vectors, strict prior parsing, atomic writes that refuse devices and
// leave nothing behind. The command-line side is Tests/bad_input.py (make check-bad-input).
import BayesianNetworks
import Foundation
import StudyData
import Testing

@Suite("Safe files and identities")
struct SafeFilesTests {
    func sha(_ s: String) -> String {
        var h = SHA256()
        h.update(Array(s.utf8))
        return h.finalize()
    }

    @Test("SHA-256 matches the FIPS 180-4 examples, also when fed in pieces")
    func sha256Vectors() {
        #expect(sha("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(sha("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
        #expect(sha(two) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        var pieces = SHA256()
        for chunk in stride(from: 0, to: two.utf8.count, by: 7) {
            pieces.update(Array(Array(two.utf8)[chunk ..< min(chunk + 7, two.utf8.count)]))
        }
        #expect(pieces.finalize() == sha(two))
    }

    @Test("priors: malformed text and impossible values are refused, never defaulted")
    func strictPriors() throws {
        #expect(try strictPrior("normal(1.0)").name == "normal(1.0)")
        #expect(try strictPrior("mixture(0.5,1,0.002)").name == "mixture(0.5,1.0,0.002)")
        for bad in ["normal(abc,1)", "normal(0)", "normal(-1)", "normal(nan)", "normal()", "normal(1,2)", "normal 1",
                    "mixture(2,1,1)", "mixture(0.5,1)", "cauchy(1)"] {
            #expect(throws: InputError.self, "\(bad)") { try strictPrior(bad) }
        }
    }

    @Test("atomic writes: a failing body leaves the old file and no temporary; devices and links are refused")
    func atomicWrites() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("calobnn-safe-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/x.txt"
        try "old".write(toFile: path, atomically: false, encoding: .utf8)
        struct Boom: Error {}
        #expect(throws: Boom.self) { try writeAtomically(to: path) { tmp in try "new".write(toFile: tmp, atomically: false, encoding: .utf8); throw Boom() } }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "old")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["x.txt"])
        try writeAtomically(to: path) { tmp in try "new".write(toFile: tmp, atomically: false, encoding: .utf8) }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "new")

        try FileManager.default.createSymbolicLink(atPath: dir + "/link", withDestinationPath: path)
        #expect(throws: HDF5Error.self) { try writeAtomically(to: dir + "/link") { _ in } }
        #expect(mkfifo(dir + "/fifo", 0o644) == 0)
        #expect(throws: HDF5Error.self) { try writeAtomically(to: dir + "/fifo") { _ in } }
        #expect(throws: HDF5Error.self) { try writeDirectoryAtomically(to: path) { _ in } }

        // A directory of outputs appears whole, with its parents, or not at all.
        #expect(throws: Boom.self) { try writeDirectoryAtomically(to: dir + "/a/b") { d in try "t".write(toFile: d + "/t", atomically: false, encoding: .utf8); throw Boom() } }
        #expect(!FileManager.default.fileExists(atPath: dir + "/a"))
        try writeDirectoryAtomically(to: dir + "/a/b") { d in try "t".write(toFile: d + "/t", atomically: false, encoding: .utf8) }
        #expect(try String(contentsOfFile: dir + "/a/b/t", encoding: .utf8) == "t")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["a", "fifo", "link", "x.txt"])
    }
}
