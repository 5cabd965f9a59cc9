// PortableMath against the platform's libm (accuracy) and against pinned bit patterns
// (portability): the functions must give the same bits on every CPU, so a digest of their
// results over many arguments is a golden value.
import Foundation
import PortableMath
import Testing

/// FNV-1a over the bit patterns of a sequence of results.
struct BitDigest {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    mutating func add(_ bits: UInt64) { h = (h ^ bits) &* 0x100_0000_01b3 }
    mutating func add(_ x: Double) { add(x.bitPattern) }
    mutating func add(_ x: Float) { add(UInt64(x.bitPattern)) }
}

/// Distance in units in the last place between two doubles of the same sign.
func ulps(_ a: Double, _ b: Double) -> Int64 { abs(Int64(bitPattern: a.bitPattern) - Int64(bitPattern: b.bitPattern)) }
func ulps(_ a: Float, _ b: Float) -> Int32 { abs(Int32(bitPattern: a.bitPattern) - Int32(bitPattern: b.bitPattern)) }

@Suite("PortableMath")
struct PortableMathTests {
    @Test("double exp and log within 2 ulp of libm over their useful ranges")
    func doubleAccuracy() {
        var worstExp: Int64 = 0, worstLog: Int64 = 0
        for i in 0 ..< 200_000 {
            let x = -700 + 1400 * Double(i) / 200_000
            worstExp = max(worstExp, ulps(PortableMath.exp(x), Foundation.exp(x)))
            let y = Foundation.exp(-700 + 1400 * Double(i) / 200_000 + 0.123)
            worstLog = max(worstLog, ulps(PortableMath.log(y), Foundation.log(y)))
        }
        #expect(worstExp <= 2, "exp: \(worstExp) ulp")
        #expect(worstLog <= 2, "log: \(worstLog) ulp")
        #expect(PortableMath.log(1.0) == 0 && PortableMath.exp(0.0) == 1)
        #expect(PortableMath.log(0.0) == -Double.infinity && PortableMath.log(-1.0).isNaN && PortableMath.exp(1000.0) == Double.infinity)
        #expect(ulps(PortableMath.log1p(1e-12), Foundation.log1p(1e-12)) <= 2)
        #expect(PortableMath.power(3, 5) == 243 && PortableMath.power(0.5, 0) == 1)
        #expect(abs(PortableMath.power(0.9, 37) - Foundation.pow(0.9, 37)) < 1e-15)
    }

    @Test("float exp and log within 2 ulp, log1p within 3 ulp of libm (double rounded to float) where the package uses them")
    func floatAccuracy() {
        var worst: (Int32, Int32, Int32) = (0, 0, 0)
        for i in 0 ..< 100_000 {
            let x = Float(-87 + 87 * Double(i) / 100_000)           // softmax and softplus: x ≤ 0
            worst.0 = max(worst.0, ulps(PortableMath.exp(x), Float(Foundation.exp(Double(x)))))
            let y = Float(Foundation.exp(-80 + 160 * Double(i) / 100_000))
            worst.1 = max(worst.1, ulps(PortableMath.log(y), Float(Foundation.log(Double(y)))))
            let z = Float(1e-8 * Foundation.pow(1e13, Double(i) / 100_000))  // preprocessing: 0 … 10⁵ MeV
            worst.2 = max(worst.2, ulps(PortableMath.log1p(z), Float(Foundation.log1p(Double(z)))))
        }
        #expect(worst.0 <= 2 && worst.1 <= 2 && worst.2 <= 3, "ulp: exp \(worst.0), log \(worst.1), log1p \(worst.2)")
        #expect(PortableMath.log(Float(0)) == -Float.infinity && PortableMath.log(Float(-1)).isNaN)
        #expect(PortableMath.log1p(Float(0)) == 0 && PortableMath.exp(Float(0)) == 1)
    }

    @Test("sin and cos of 2πu within 2·10⁻⁷, and the SIMD lanes equal the one-lane results")
    func turns() {
        var worst: Float = 0
        var lanes = SIMD8<Float>()
        for i in 0 ..< 1 << 16 {
            let u = Float(i) / Float(1 << 16)
            let (s, c) = PortableMath.sinCosTurns(SIMD8(repeating: u))
            worst = max(worst, abs(s[0] - Float(sin(2 * Double.pi * Double(u)))), abs(c[0] - Float(cos(2 * Double.pi * Double(u)))))
            lanes[i % 8] = u
            if i % 8 == 7 {
                let (sv, cv) = PortableMath.sinCosTurns(lanes)
                for l in 0 ..< 8 {
                    let (s1, c1) = PortableMath.sinCosTurns(SIMD8(repeating: lanes[l]))
                    #expect(sv[l] == s1[0] && cv[l] == c1[0])
                }
            }
        }
        #expect(worst < 2e-7, "max error \(worst)")
    }

    /// Regenerate (only if the functions change on purpose): `make record-goldens` does not touch
    /// this literal; print `digest()` and paste it, with the reason in the commit.
    static let pinnedDigest: UInt64 = 4_508_896_262_700_266_799

    static func digest() -> UInt64 {
        var d = BitDigest()
        for i in 0 ..< 50_000 {
            let x = -60 + 120 * Double(i) / 50_000 + 1e-7 * Double(i % 7)
            d.add(PortableMath.exp(x)); d.add(PortableMath.log(abs(x) + 1e-3)); d.add(PortableMath.log1p(abs(x)))
            let f = Float(x)
            d.add(PortableMath.exp(f)); d.add(PortableMath.log(abs(f) + 1e-3)); d.add(PortableMath.log1p(abs(f)))
            d.add(PortableMath.expm1(f / 50))
            let (s, c) = PortableMath.sinCosTurns(SIMD8(repeating: Float(i) / 50_000))
            d.add(s[0]); d.add(c[0])
        }
        return d.h
    }

    @Test("the same bits on every CPU: a digest of 450 000 results equals the pinned one")
    func pinnedBits() {
        #expect(Self.digest() == Self.pinnedDigest, "digest \(String(Self.digest(), radix: 16)) ≠ pinned \(String(Self.pinnedDigest, radix: 16))")
    }
}
