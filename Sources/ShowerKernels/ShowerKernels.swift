// The shower simulator's SIMD kernels (study §3): the lane arithmetic of the geant4 tuning's fast
// path (CalorimeterSimulation's ShowerFastPath.swift, which says what each computes and in which
// order; the tests check it bit for bit against the plain model). One source, compiled twice:
// here for the baseline x86-64 instruction set (SSE2) and as ShowerKernelsAVX2 with AVX2 (a
// symbolic link to this file). Only IEEE-754 additions, multiplications, divisions, square roots,
// comparisons and bit operations, no fused multiply-add (Swift does not contract a * b + c), so the
// two builds give the same bits; CalorimeterSimulation picks one per process.
// Shapes: n = lanes in use of a call (arrays padded to a multiple of 4); 4 lanes per SIMD4;
// taus2's words 8 lanes per SIMD8<UInt32> (one 256-bit register under AVX2).

/// Lanes of four doubles.
typealias Lanes = SIMD4<Double>
/// The comparison masks of ``Lanes``.
typealias LaneMask = SIMDMask<SIMD4<Int64>>

/// 2⁵²: x + 2⁵² − 2⁵² rounds 0 ≤ x < 2⁵¹ to an integer, and the bits of 2⁵² + k hold k.
let twoTo52 = 4_503_599_627_370_496.0

/// Double(k) for small non-negative integers, exactly: the bits of 2⁵² + k, minus 2⁵².
@inline(__always) private func lanesFromSmallUInt(_ k: SIMD4<UInt64>) -> Lanes {
    unsafeBitCast(k | 0x4330_0000_0000_0000, to: Lanes.self) - twoTo52
}

/// ⌊v⌋ for 0 ≤ v < 2⁵¹, exactly (as `Int(v)` for such v): round to nearest through 2⁵², then step
/// down where that rounded up. Other lanes get a value that the caller masks out.
@inline(__always) private func floorNonNegative(_ v: Lanes) -> Lanes {
    let r = (v + twoTo52) - twoTo52
    return r.replacing(with: r - 1, where: r .> v)
}

/// CalorimeterSimulation's `unitCircle(_:)` on four 16-bit azimuths, the same bits per lane; the quadrant's swap and
/// signs by masks and sign-bit flips (−x is the sign bit flipped) instead of a branch.
@inline(__always) func laneUnitCircle(_ k: SIMD4<UInt64>) -> (cos: Lanes, sin: Lanes) {
    let q = (k &+ 8192) &>> 14
    // Int(k) − 16384 q ∈ [−8192, 8192), shifted by 8192 to stay non-negative for the conversion.
    let n: Lanes = lanesFromSmallUInt(k &+ 8192 &- (q &<< 14)) - 8192
    let theta: Lanes = (n + 0.5) * (Double.pi / 2 / 16384)
    let t2 = theta * theta
    // The scalar version's nested Horner forms, innermost first (the same operations).
    var pc: Lanes = t2 * (-1.0 / 3628800 as Double)
    pc = t2 * ((1.0 / 40320 as Double) + pc)
    pc = t2 * ((-1.0 / 720 as Double) + pc)
    pc = t2 * ((1.0 / 24 as Double) + pc)
    pc = t2 * ((-1.0 / 2 as Double) + pc)
    let c: Lanes = 1 + pc
    var ps: Lanes = t2 * (-1.0 / 39916800 as Double)
    ps = t2 * ((1.0 / 362880 as Double) + ps)
    ps = t2 * ((-1.0 / 5040 as Double) + ps)
    ps = t2 * ((1.0 / 120 as Double) + ps)
    ps = t2 * ((-1.0 / 6 as Double) + ps)
    let s: Lanes = theta * (1 + ps)
    // Quadrant q & 3 → (c, s), (−s, c), (−c, −s), (s, −c): swap on odd q; cos negative for
    // q & 3 ∈ {1, 2}, i.e. bit 1 of q + 1; sin negative for q & 3 ∈ {2, 3}, i.e. bit 1 of q.
    let swap = (q & 1) .!= 0
    let cosBits = unsafeBitCast(c.replacing(with: s, where: swap), to: SIMD4<UInt64>.self) ^ (((q &+ 1) & 2) &<< 62)
    let sinBits = unsafeBitCast(s.replacing(with: c, where: swap), to: SIMD4<UInt64>.self) ^ ((q & 2) &<< 62)
    return (unsafeBitCast(cosBits, to: Lanes.self), unsafeBitCast(sinBits, to: Lanes.self))
}

/// CalorimeterSimulation's `fastLog(_:)` on four doubles (> 0), the same bits per lane.
@inline(__always) func laneFastLog(_ x: Lanes) -> Lanes {
    let bits = unsafeBitCast(x, to: SIMD4<UInt64>.self)
    // Double(e) for the unbiased exponent e: 2⁵² + biased exponent, minus 2⁵² + 1023 (exact).
    let e = unsafeBitCast(((bits &>> 52) & 0x7FF) | 0x4330_0000_0000_0000, to: Lanes.self) - (twoTo52 + 1023)
    let m = unsafeBitCast((bits & 0x000F_FFFF_FFFF_FFFF) | 0x3FF0_0000_0000_0000, to: Lanes.self)
    let sv = (m - 1) / (m + 1), s2 = sv * sv
    var p: Lanes = s2 * (2.0 / 11 as Double)
    p = s2 * ((2.0 / 9 as Double) + p)
    p = s2 * ((2.0 / 7 as Double) + p)
    p = s2 * ((2.0 / 5 as Double) + p)
    p = s2 * ((2.0 / 3 as Double) + p)
    let series: Lanes = sv * (2 + p)
    return e * 0.693_147_180_559_945_3 + series
}

/// Four 32-bit words from memory, widened to 64-bit lanes.
@inline(__always) private func load4(_ p: UnsafePointer<UInt32>) -> SIMD4<UInt64> {
    SIMD4<UInt64>(truncatingIfNeeded: UnsafeRawPointer(p).loadUnaligned(as: SIMD4<UInt32>.self))
}

/// (Double(k) + ½)/65536 for 16-bit k: a uniform on (0, 1) from 16 random bits.
@inline(__always) private func uniform16(_ k: SIMD4<UInt64>) -> Lanes {
    (lanesFromSmallUInt(k) + 0.5) * (1.0 / 65536)
}

/// The 65 536 values fastLog((k + ½)/65536), k = 0 … 65535, into `table`: the logarithms of
/// the halo's 16-bit uniforms, computed once (512 KiB) and looked up by `haloQuanta(words:…)`.
public func uniformLogTable(_ table: UnsafeMutablePointer<Double>) {
    var k = 0
    while k < 65536 {
        let v = laneFastLog(uniform16(SIMD4<UInt64>(UInt64(k), UInt64(k + 1), UInt64(k + 2), UInt64(k + 3))))
        UnsafeMutableRawPointer(table + k).storeBytes(of: v, as: Lanes.self)
        k += 4
    }
}

/// One taus2 component moved on by `d` bits of its bit sequence at once, lane by lane: the
/// step of L'Ecuyer (1996) for a component of degree k with q and mask `c`, valid for any
/// 0 < d ≤ k − q. StudyRandom's Taus2 takes d = 12, 4, 17 for the three components (one word).
@inline(__always) private func taus2Bits<V: SIMD>(_ s: V, k: UInt32, q: UInt32, mask c: UInt32,
                                                  d: UInt32) -> V where V.Scalar == UInt32 {
    ((s & c) &<< d) ^ (((s &<< q) ^ s) &>> (k - d))
}

/// Words of a block of ``taus2Block(start:jumps:words:laneStarts:)``: 8 lanes × 32 words.
public let taus2BlockWords = 256

/// The step of taus2's component `c` (0, 1, 2) on one 32-bit state, as StudyRandom's Taus2.
@inline(__always) private func taus2Step(_ s: UInt32, component c: Int) -> UInt32 {
    switch c {
    case 0: return ((s & 0xFFFF_FFFE) &<< 12) ^ (((s &<< 13) ^ s) &>> 19)
    case 1: return ((s & 0xFFFF_FFF8) &<< 4) ^ (((s &<< 2) ^ s) &>> 25)
    default: return ((s & 0xFFFF_FFF0) &<< 17) ^ (((s &<< 3) ^ s) &>> 11)
    }
}

/// The jumps of ``taus2Block(start:jumps:words:laneStarts:)`` into `table` (3 · 8 · 16 · 8
/// UInt32, 12 KiB): for component c, nibble position p, nibble value v and lane j, the state
/// 32 j steps on from the state v·16ᵖ. A component's step is linear over GF(2) (masks, shifts
/// and exclusive ors of the 32 bits), so the state 32 j steps on from any state s is the
/// exclusive or, over its eight nibbles, of these entries.
public func taus2JumpTable(_ table: UnsafeMutablePointer<UInt32>) {
    for c in 0 ..< 3 {
        // The images of the 32 unit vectors after 32 j steps, lane j.
        var basis = [UInt32](repeating: 0, count: 32 * 8)
        for b in 0 ..< 32 {
            var x = UInt32(1) << UInt32(b)
            for j in 0 ..< 8 {
                basis[8 * b + j] = x
                for _ in 0 ..< 32 { x = taus2Step(x, component: c) }
            }
        }
        for p in 0 ..< 8 {
            for v in 0 ..< 16 {
                for j in 0 ..< 8 {
                    var x: UInt32 = 0
                    for t in 0 ..< 4 where v & (1 << t) != 0 { x ^= basis[8 * (4 * p + t) + j] }
                    table[((c * 8 + p) * 16 + v) * 8 + j] = x
                }
            }
        }
    }
}

/// Eight lanes of 32-bit words.
typealias Words8 = SIMD8<UInt32>

/// The state of one component 32 j steps on from `s` in lane j (``taus2JumpTable(_:)``'s
/// entries of its nibbles, `table` at the component's first entry).
@inline(__always) private func taus2Jump(_ s: UInt32, _ table: UnsafePointer<UInt32>) -> Words8 {
    var x = Words8()
    for p in 0 ..< 8 {
        let v = Int((s &>> UInt32(4 * p)) & 15)
        x ^= UnsafeRawPointer(table + (p * 16 + v) * 8).loadUnaligned(as: Words8.self)
    }
    return x
}

/// Two vectors' elements interleaved apart: the even elements of (a, b), then the odd ones.
@inline(__always) private func unshuffle(_ a: Words8, _ b: Words8) -> (Words8, Words8) {
    let ab = SIMD16(lowHalf: a, highHalf: b)
    return (ab.evenHalf, ab.oddHalf)
}

/// The next ``taus2BlockWords`` words of GSL's taus2 from the state `start` (s₁, s₂, s₃ as
/// StudyRandom's Taus2) into `words`, in order; the state after the last of them returned.
/// Lane j's state at the start of its run (32 j steps on from `start`) into `laneStarts`
/// (component c at 8c + j, 24 UInt32): the state after word 32 j + i is that state stepped
/// i + 1 times (how the simulator hands the stream back mid-block). `jumps` is
/// ``taus2JumpTable(_:)``.
///
/// Lane j draws words 32 j ..< 32 j + 32 one step at a time, each from the last: one step of
/// the three components per eight words (taus2's leaps on lanes of successive states, as the halo
/// drew them before, cost seven shift groups per four words, ~12 instructions a word against
/// ~4.4 here). Lane j starts 32 j steps on, by the jump table (no 32 j serial steps). The 32
/// rows go through memory, then each eight rows of eight lanes are transposed (three rounds of
/// `unshuffle`) so that every lane's run lands in order (transposed as they were drawn, the
/// compiler interleaved the two and mixed the components' shifts into per-lane shifts, 3.5 times
/// the instructions).
public func taus2Block(start: (UInt32, UInt32, UInt32), jumps: UnsafePointer<UInt32>,
                       words: UnsafeMutablePointer<UInt32>, laneStarts: UnsafeMutablePointer<UInt32>) -> (UInt32, UInt32, UInt32) {
    var c1 = taus2Jump(start.0, jumps), c2 = taus2Jump(start.1, jumps + 1024), c3 = taus2Jump(start.2, jumps + 2048)
    UnsafeMutableRawPointer(laneStarts).storeBytes(of: c1, as: Words8.self)
    UnsafeMutableRawPointer(laneStarts + 8).storeBytes(of: c2, as: Words8.self)
    UnsafeMutableRawPointer(laneStarts + 16).storeBytes(of: c3, as: Words8.self)
    @inline(__always) func row() -> Words8 {
        c1 = taus2Bits(c1, k: 31, q: 13, mask: 0xFFFF_FFFE, d: 12)
        c2 = taus2Bits(c2, k: 29, q: 2, mask: 0xFFFF_FFF8, d: 4)
        c3 = taus2Bits(c3, k: 28, q: 3, mask: 0xFFFF_FFF0, d: 17)
        return c1 ^ c2 ^ c3
    }
    // The 32 rows (row i: word 32 j + i in lane j), then transposed eight by eight.
    withUnsafeTemporaryAllocation(of: Words8.self, capacity: 32) { rowBuffer in
        let rows = rowBuffer.baseAddress!
        for i in 0 ..< 32 { rows[i] = row() }
        var i = 0
        while i < 32 {
            var v = (rows[i], rows[i + 1], rows[i + 2], rows[i + 3], rows[i + 4], rows[i + 5], rows[i + 6], rows[i + 7])
            for _ in 0 ..< 3 {
                let (e0, o0) = unshuffle(v.0, v.1), (e1, o1) = unshuffle(v.2, v.3)
                let (e2, o2) = unshuffle(v.4, v.5), (e3, o3) = unshuffle(v.6, v.7)
                v = (e0, e1, e2, e3, o0, o1, o2, o3)
            }
            let out = UnsafeMutableRawPointer(words + i)
            out.storeBytes(of: v.0, toByteOffset: 0, as: Words8.self)
            out.storeBytes(of: v.1, toByteOffset: 128, as: Words8.self)
            out.storeBytes(of: v.2, toByteOffset: 256, as: Words8.self)
            out.storeBytes(of: v.3, toByteOffset: 384, as: Words8.self)
            out.storeBytes(of: v.4, toByteOffset: 512, as: Words8.self)
            out.storeBytes(of: v.5, toByteOffset: 640, as: Words8.self)
            out.storeBytes(of: v.6, toByteOffset: 768, as: Words8.self)
            out.storeBytes(of: v.7, toByteOffset: 896, as: Words8.self)
            i += 8
        }
    }
    return (c1[7], c2[7], c3[7])
}

/// The halo quanta of one step from its 3·n_q random words of GSL's taus2, in the stream's order
/// (drawn ahead by ``taus2Block(start:jumps:words:laneStarts:)``): from them (energy/flight word
/// i < n_q, then per quantum a depth/scale word and a direction/azimuth word) each quantum's
/// energy (× the long-flight factor `qLong` for the long flights and the backward factor `qBack`
/// for those with cos θ < 0, then all scaled to sum to `energy`), depth z,
/// transverse (x, y) and cell code: a cell index as the scalar binning (z outside [0, depth) lost; the layer by z against `z01`, `z12`; inside the window
/// ±`window` the cell ⌊(x + w)·(1/size)⌋ capped at the last, plus the layer's offset; inside the
/// plates ±`plate` `overflowCode` + layer; else `lostCode`). `layers` holds per layer (offset,
/// cells in y, last x index, last y index, 1/size x, 1/size y), 3 layers. `logTable` is
/// ``uniformLogTable(_:)``: the two logarithms of a quantum (its energy and flight) take 16-bit
/// uniforms, so they are looked up, not computed (the same bits). `energyTable` is the table a
/// quantum's energy is −entry of, at its 16 energy bits shifted right by `energyShift`:
/// `logTable` itself and 0 for the exponential spectrum, or the quantiles of another
/// (CalorimeterSimulation's `QuantumSpectrum`, 4096 of them, and 4). `words` must hold 3·n_q + 8
/// readable entries (the lanes beyond n_q read the 8 beyond 3·n_q, whatever they hold, and are
/// never used), the outputs n_q + 3, `scratch` 3·(n_q + 4).
///
/// Two passes over the quanta: the random variables (energy, depth along the axis s, the flight's
/// components ℓ cos θ, ℓ sin θ cos φ, ℓ sin θ sin φ), then the position and the cell. In one
/// pass, an iteration was a chain of ~100 cycles (two square roots and a division, then the
/// binning), too long for the processor to overlap more than one or two of them. (Drawing the
/// words inside the lane loops, as needed, measured slower.)
public func haloQuanta(words: UnsafePointer<UInt32>, count nq: Int, energy eHalo: Double,
                       stepStart s1: Double, stepLength ds: Double, longShare: Double, lambdaLong: Double,
                       lambdaShort: Double, longQuantumFactor qLong: Double, backwardQuantumFactor qBack: Double,
                       asymmetry a: Double,
                       axisX axX: Double, axisY axY: Double, ux: Double, uy: Double, uz: Double,
                       depth: Double, z01: Double, z12: Double, window w: Double, plate: Double,
                       layers: UnsafePointer<Double>, overflowCode: Int, lostCode: Int, logTable: UnsafePointer<Double>,
                       energyTable: UnsafePointer<Double>, energyShift: UInt64,
                       energies quanta: UnsafeMutablePointer<Double>, z zs: UnsafeMutablePointer<Double>,
                       codes: UnsafeMutablePointer<Int32>, scratch: UnsafeMutablePointer<Double>) {
    let oneMinusA2 = (1 - a) * (1 - a), fourA = 4 * a
    // Pass 1. Energies (unscaled): −ln u of the word's high 16 bits (or the spectrum's quantile),
    // from the table; × `qLong`
    // for the quanta that fly with the long scale (their depth/scale word's low 16 bits below
    // `longShare`), unless it is 1, and × `qBack` for those that fly backward (cos θ < 0), unless
    // it is 1. s, and the flight's components (ℓ cos θ into `zs`, which pass 2 overwrites with z).
    let stride = nq + 4
    let depths = scratch, alongX = scratch + stride, alongY = scratch + 2 * stride
    var i = 0
    while i < nq {
        let b = load4(words + i)
        let pair = UnsafeRawPointer(words + nq + 2 * i).loadUnaligned(as: SIMD8<UInt32>.self)
        let sb = SIMD4<UInt64>(truncatingIfNeeded: pair.evenHalf)
        let bits = SIMD4<UInt64>(truncatingIfNeeded: pair.oddHalf)
        let long = uniform16(sb & 0xFFFF) .< longShare
        let hi = b &>> (16 &+ energyShift)
        var e = -Lanes(energyTable[Int(hi[0])], energyTable[Int(hi[1])], energyTable[Int(hi[2])], energyTable[Int(hi[3])])
        if qLong != 1 { e.replace(with: e * qLong, where: long) }
        let uc = uniform16(bits &>> 16)
        let cosT = a > 1e-6 ? ((oneMinusA2 + fourA * uc).squareRoot() - 1) / a : 2 * uc - 1
        // × `qBack` for the quanta that fly backward, unless it is 1.
        if qBack != 1 { e.replace(with: e * qBack, where: cosT .< 0) }
        UnsafeMutableRawPointer(quanta + i).storeBytes(of: e, as: Lanes.self)
        let s = s1 + uniform16(sb &>> 16) * ds
        let lambda = Lanes(repeating: lambdaShort).replacing(with: lambdaLong, where: long)
        let sinT = (1 - cosT * cosT).squareRoot()
        let (c, sn) = laneUnitCircle(bits & 0xFFFF)
        // The flight: ln u of the energy/flight word's low 16 bits, from the table.
        let f = b & 0xFFFF
        let ell = -lambda * Lanes(logTable[Int(f[0])], logTable[Int(f[1])], logTable[Int(f[2])], logTable[Int(f[3])])
        let ellSin = ell * sinT
        UnsafeMutableRawPointer(depths + i).storeBytes(of: s, as: Lanes.self)
        UnsafeMutableRawPointer(zs + i).storeBytes(of: ell * cosT, as: Lanes.self)
        UnsafeMutableRawPointer(alongX + i).storeBytes(of: ellSin * c, as: Lanes.self)
        UnsafeMutableRawPointer(alongY + i).storeBytes(of: ellSin * sn, as: Lanes.self)
        i += 4
    }
    var sum = 0.0
    for j in 0 ..< nq { sum += quanta[j] }
    let norm = eHalo / sum
    // Per layer: offset, cells in y, last x, last y, 1/size x, 1/size y.
    let off0 = Lanes(repeating: layers[0]), off1 = Lanes(repeating: layers[6]), off2 = Lanes(repeating: layers[12])
    let ny0 = Lanes(repeating: layers[1]), ny1 = Lanes(repeating: layers[7]), ny2 = Lanes(repeating: layers[13])
    let lx0 = Lanes(repeating: layers[2]), lx1 = Lanes(repeating: layers[8]), lx2 = Lanes(repeating: layers[14])
    let ly0 = Lanes(repeating: layers[3]), ly1 = Lanes(repeating: layers[9]), ly2 = Lanes(repeating: layers[15])
    let ix0 = Lanes(repeating: layers[4]), ix1 = Lanes(repeating: layers[10]), ix2 = Lanes(repeating: layers[16])
    let iy0 = Lanes(repeating: layers[5]), iy1 = Lanes(repeating: layers[11]), iy2 = Lanes(repeating: layers[17])
    let overflowL = Lanes(repeating: Double(overflowCode)), lostL = Lanes(repeating: Double(lostCode))
    i = 0
    while i < nq {
        // Pass 2: the position (the same operations as in one expression: s·u_z + ℓ cos θ,
        // a_x + s·u_x + ℓ sin θ cos φ, …), the energy scaled, the cell.
        let s = UnsafeRawPointer(depths + i).loadUnaligned(as: Lanes.self)
        let z = s * uz + UnsafeRawPointer(zs + i).loadUnaligned(as: Lanes.self)
        let x = axX + s * ux + UnsafeRawPointer(alongX + i).loadUnaligned(as: Lanes.self)
        let y = axY + s * uy + UnsafeRawPointer(alongY + i).loadUnaligned(as: Lanes.self)
        let eq = UnsafeRawPointer(quanta + i).loadUnaligned(as: Lanes.self) * norm
        UnsafeMutableRawPointer(quanta + i).storeBytes(of: eq, as: Lanes.self)
        UnsafeMutableRawPointer(zs + i).storeBytes(of: z, as: Lanes.self)
        // The cell: the layer's constants selected by z (layer 1 from z01 on, 2 from z12 on).
        let in1 = z .>= z01, in2 = z .>= z12
        @inline(__always) func perLayer(_ v0: Lanes, _ v1: Lanes, _ v2: Lanes) -> Lanes {
            v0.replacing(with: v1, where: in1).replacing(with: v2, where: in2)
        }
        let off = perLayer(off0, off1, off2), ny = perLayer(ny0, ny1, ny2)
        let lastX = perLayer(lx0, lx1, lx2), lastY = perLayer(ly0, ly1, ly2)
        let invX = perLayer(ix0, ix1, ix2), invY = perLayer(iy0, iy1, iy2)
        let lq = perLayer(Lanes(repeating: 0), Lanes(repeating: 1), Lanes(repeating: 2))
        var ix = floorNonNegative((x + w) * invX)
        ix.replace(with: lastX, where: ix .> lastX)
        var iy = floorNonNegative((y + w) * invY)
        iy.replace(with: lastY, where: iy .> lastY)
        let inWindow = (x .> -w) .& (x .< w) .& (y .> -w) .& (y .< w)
        let inPlate = (magnitude(x) .< plate) .& (magnitude(y) .< plate)
        let inDepth = (z .>= 0) .& (z .< depth)
        var code = (off + ix * ny + iy).replacing(with: lostL.replacing(with: overflowL + lq, where: inPlate), where: .!inWindow)
        code.replace(with: lostL, where: .!inDepth)
        let ci = SIMD4<Int32>(truncatingIfNeeded: unsafeBitCast(code + twoTo52, to: SIMD4<Int64>.self))
        UnsafeMutableRawPointer(codes + i).storeBytes(of: ci, as: SIMD4<Int32>.self)
        i += 4
    }
}

/// The cells of `count` spots of one step at radius r and 16-bit azimuth k about the axis
/// (ax, ay): a cell index as CalorimeterGeometry.cell(layer:x:y:) (division by the cell size,
/// exact on edges) plus `offset`; `overflowCode` inside the plates but outside the window;
/// `lostCode` beyond the plates. Arrays padded to a multiple of 4.
public func spotCells(count: Int, radius: UnsafePointer<Double>, azimuth: UnsafePointer<UInt32>,
                      axisX ax: Double, axisY ay: Double, window w: Double, plate: Double,
                      cellSizeX: Double, cellSizeY: Double, cellsX: Int, cellsY: Int, offset: Int,
                      overflowCode: Int, lostCode: Int, codes: UnsafeMutablePointer<Int32>) {
    let lastX = Lanes(repeating: Double(cellsX - 1)), lastY = Lanes(repeating: Double(cellsY - 1))
    let ny = Lanes(repeating: Double(cellsY)), off = Lanes(repeating: Double(offset))
    let overflowL = Lanes(repeating: Double(overflowCode)), lostL = Lanes(repeating: Double(lostCode))
    var i = 0
    while i < count {
        let r = UnsafeRawPointer(radius + i).loadUnaligned(as: Lanes.self)
        let (c, sn) = laneUnitCircle(load4(azimuth + i))
        let x = ax + r * c, y = ay + r * sn
        let inWindow = (x .> -w) .& (x .< w) .& (y .> -w) .& (y .< w)
        let inPlate = (x .> -plate) .& (x .< plate) .& (y .> -plate) .& (y .< plate)
        var ix = floorNonNegative((x + w) / cellSizeX)
        ix.replace(with: lastX, where: ix .> lastX)
        var iy = floorNonNegative((y + w) / cellSizeY)
        iy.replace(with: lastY, where: iy .> lastY)
        let code = (off + ix * ny + iy).replacing(with: lostL.replacing(with: overflowL, where: inPlate), where: .!inWindow)
        let ci = SIMD4<Int32>(truncatingIfNeeded: unsafeBitCast(code + twoTo52, to: SIMD4<Int64>.self))
        UnsafeMutableRawPointer(codes + i).storeBytes(of: ci, as: SIMD4<Int32>.self)
        i += 4
    }
}

/// |v| per lane (the sign bit cleared, as `abs`).
@inline(__always) func magnitude(_ v: Lanes) -> Lanes {
    unsafeBitCast(unsafeBitCast(v, to: SIMD4<UInt64>.self) & 0x7FFF_FFFF_FFFF_FFFF, to: Lanes.self)
}

/// The series of CalorimeterSimulation's RegularizedGammaP (x < a + 1) on the first `lanes` lanes:
/// Σₙ xⁿ/(a(a+1)⋯(a+n)) as the scalar loop sums it, each lane's sum taken at the iteration where
/// the scalar loop breaks (or after its 500th). Four lanes: its iterations are independent
/// (throughput-bound), and more lanes would wait for more stragglers.
public func gammaSeries(x xv: SIMD4<Double>, a: SIMD4<Double>, lanes: Int) -> SIMD4<Double> {
    var active = Lanes(0, 1, 2, 3) .< Double(lanes)
    var ap = a
    var term = 1 / a, sum = term
    var result = sum
    for _ in 0 ..< 500 {
        ap += 1
        term *= xv / ap
        sum += term
        let done = active .& (magnitude(term) .< magnitude(sum) * 1e-15)
        result.replace(with: sum, where: done)
        active = active .& .!done
        if !any(active) { break }
    }
    result.replace(with: sum, where: active)
    return result
}

/// Four lanes of the continued fraction (``gammaContinuedFraction(x:a:lanes:)``): the Lentz
/// state b, c, d, h of each lane and which lanes still iterate. A lane's h stays as it was at
/// the iteration where the lane converged: that is its value.
struct FractionLanes {
    let a: Lanes
    var b: Lanes, c: Lanes, d: Lanes, h: Lanes
    var active: LaneMask
    static let tiny = 1e-300

    @inline(__always) init(x xv: Lanes, a: Lanes, active: LaneMask) {
        self.a = a
        b = xv + 1 - a; c = Lanes(repeating: 1 / FractionLanes.tiny); d = 1 / b; h = d
        self.active = active
    }

    /// Iteration `i` of the scalar loop on each lane still iterating.
    @inline(__always) mutating func iterate(_ i: Int) {
        let tiny = FractionLanes.tiny
        let an = (-Double(i)) * (Double(i) - a)
        b += 2
        d = an * d + b
        d.replace(with: tiny, where: magnitude(d) .< tiny)
        c = b + an / c
        c.replace(with: tiny, where: magnitude(c) .< tiny)
        d = 1 / d
        let delta = d * c
        h.replace(with: h * delta, where: active)
        active = active .& .!(magnitude(delta - 1) .< 1e-15)
    }
}

/// The continued fraction of CalorimeterSimulation's RegularizedGammaP (x ≥ a + 1) on the first
/// `lanes` lanes, by the modified Lentz algorithm as the scalar loop runs it, each lane's value
/// taken at the iteration where the scalar loop breaks (or after its 499th).
///
/// Eight lanes as two groups of four (`FractionLanes`), whose latency-bound chains (two
/// dependent divisions per iteration) overlap. Two SIMD4 values, not one SIMD8: SIMD8<Double>
/// compiled, under AVX2, to 128-bit halves joined and split by shuffles and spilled, ~160
/// instructions an iteration with eight 2-lane divisions; two SIMD4 take four 4-lane ones.
public func gammaContinuedFraction(x xv: SIMD8<Double>, a: SIMD8<Double>, lanes: Int) -> SIMD8<Double> {
    var low = FractionLanes(x: xv.lowHalf, a: a.lowHalf, active: Lanes(0, 1, 2, 3) .< Double(lanes))
    var high = FractionLanes(x: xv.highHalf, a: a.highHalf, active: Lanes(4, 5, 6, 7) .< Double(lanes))
    for i in 1 ..< 500 {
        low.iterate(i)
        high.iterate(i)
        if !any(low.active .| high.active) { break }
    }
    return SIMD8(lowHalf: low.h, highHalf: high.h)
}
