// The library side of "bad input never crashes, lies or destroys" (StudyData): content identities
// against the FIPS 180-4 test vectors, strict prior parsing, atomic writes that refuse devices and
// leave nothing behind. The command-line side is Tests/bad_input.py (make check-bad-input).
import BayesianNetworks
import CSHA256
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

    @Test("SHA-256: the SHA-extension and plain compressions agree, block by block and in bulk")
    func sha256Paths() {
        // 3001 blocks of a fixed pseudo-random stream (xorshift), from the standard initial state.
        var x: UInt64 = 0x9E37_79B9_7F4A_7C15
        let bytes = (0 ..< 3001 * 64).map { _ -> UInt8 in
            x ^= x << 13; x ^= x >> 7; x ^= x << 17
            return UInt8(truncatingIfNeeded: x >> 32)
        }
        let initial: [UInt32] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]
        var fast = initial, plain = initial, oneByOne = initial
        bytes.withUnsafeBufferPointer { b in
            calo_sha256_blocks(&fast, b.baseAddress!, 3001)
            calo_sha256_blocks_portable(&plain, b.baseAddress!, 3001)
            for k in 0 ..< 3001 { calo_sha256_blocks(&oneByOne, b.baseAddress! + 64 * k, 1) }
        }
        #expect(fast == plain)
        #expect(oneByOne == plain)
        // One million 'a' (FIPS 180-2, appendix B.3), in pieces that straddle blocks.
        var h = SHA256()
        let piece = [UInt8](repeating: 0x61, count: 1000)
        for _ in 0 ..< 1000 { h.update(piece) }
        #expect(h.finalize() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
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
