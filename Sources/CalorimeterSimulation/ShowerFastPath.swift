// The geant4 tuning's deposit loop, written for speed (study §3; the model is
// ``ShowerModel/depositGeant4Reference(energyMeV:track:mode:geometry:into:rng:)`` in Shower.swift,
// and this file computes exactly its numbers: same random numbers in the same order, same
// IEEE-754 operations on each, same order of the additions into each cell — the tests check the
// two bit for bit).
//
// What makes it faster (profile of `calobnn simulate`, η′ → ηπ⁰π⁰ (10γ) and γ at 20 GeV: ~70 % of
// the time in the per-deposit loops, ~20 % in the per-step incomplete gamma functions):
//   - random numbers from GSL's taus2 held in registers (``Taus2``), not a call into GSL per number;
//   - positions and cells of 4 deposits at a time (SIMD4<Double>: two SSE2 registers), with no
//     branch per deposit: the azimuth's quadrant, the flight scale, the layer and the window are
//     selected by masks (a random quadrant alone cost ~3/4 of a branch mispredict per deposit);
//   - then one plain loop adds the energies into the cells, in the reference's order.
// Shapes: n = spots of a step (buffered in chunks of `spotChunk`), n_q = halo quanta of a step
// (≤ 4097); 4 lanes per SIMD4; lanes beyond n or n_q are computed on padding and never used.

import Foundation
import StudyRandom

/// Lanes of four doubles (the ``unitCircle(_:)``, ``fastLog(_:)`` and cell binning of the fast path).
typealias Lanes = SIMD4<Double>
/// The comparison masks of ``Lanes``.
typealias LaneMask = SIMDMask<SIMD4<Int64>>

/// 2⁵²: x + 2⁵² − 2⁵² rounds 0 ≤ x < 2⁵¹ to an integer, and the bits of 2⁵² + k hold k.
private let twoTo52 = 4_503_599_627_370_496.0

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

/// ``unitCircle(_:)`` on four 16-bit azimuths, the same bits per lane; the quadrant's swap and
/// signs by masks and sign-bit flips (−x is the sign bit flipped) instead of a branch.
@inline(__always) func unitCircle(_ k: SIMD4<UInt64>) -> (cos: Lanes, sin: Lanes) {
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

/// ``fastLog(_:)`` on four doubles (> 0), the same bits per lane.
@inline(__always) func fastLog(_ x: Lanes) -> Lanes {
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

/// The cell binning of one readout layer (``CalorimeterGeometry/cell(layer:x:y:)``), as SIMD4 constants.
private struct LaneBins {
    let offset: Lanes, ny: Lanes, lastX: Lanes, lastY: Lanes, sizeX: Lanes, sizeY: Lanes
    init(geometry: CalorimeterGeometry, layer l: Int) {
        let layer = geometry.layers[l]
        offset = Lanes(repeating: Double(geometry.layerOffsets[l])); ny = Lanes(repeating: Double(layer.cellsY))
        lastX = Lanes(repeating: Double(layer.cellsX - 1)); lastY = Lanes(repeating: Double(layer.cellsY - 1))
        sizeX = Lanes(repeating: layer.cellSizeX); sizeY = Lanes(repeating: layer.cellSizeY)
    }
}

extension ShowerModel {
    /// Deposit one shower with the ``ShowerTuning/geant4`` model.
    ///
    /// As ``deposit(energyMeV:track:mode:geometry:into:rng:)``, with these changes, each against
    /// a measured disagreement with Geant4 (the Paper's "Validation against Geant4"):
    /// ```
    ///     energy profile     homogeneous pair (T_hom, α_hom): the total deposit of a sampling
    ///                        stack is that of the homogeneous mixture
    ///     radial profile     homogeneous (no sampling corrections)
    ///     axis               tilted by (δx, δy) ~ N(0, σ_axis²) rad per shower
    ///     halo               a share h(τ) of each step as soft-photon quanta (SoftPhotonHalo)
    ///     tail               beyond r_f, r → r_f + Exp(λ_f) (``tailFallOff``)
    ///     visible            ΔE_vis = f_s(τ) · ΔE · g,  g = Γ(ΔE/c_s², c_s²)/ΔE  (ΔE in GeV),
    ///                        f_s(τ) the LAr fraction at the deposit's shower age
    /// ```
    /// The model is written out plainly, one deposit at a time, in
    /// ``depositGeant4Reference(energyMeV:track:mode:geometry:into:rng:)``; this is the same
    /// computation arranged for speed (the file header of ShowerFastPath.swift says how), with
    /// bit-identical results.
    @discardableResult
    public func depositGeant4(energyMeV: Double, track: ShowerTrack, mode: DepositMode,
                              geometry: CalorimeterGeometry, into image: inout CalorimeterImage,
                              rng: RandomStream) -> ShowerRecord {
        let lp = drawLongitudinal(energyMeV: energyMeV, rng: rng)
        let energyGeV = energyMeV / 1000
        let x0 = medium.radiationLengthMM, rm = medium.moliereRadiusMM
        let nSpotTotal = 10.3 / geant4SpotSamplingTerm * pow(energyGeV, 0.959)
        let cs2 = geant4SamplingTerm * geant4SamplingTerm
        let visible = mode == .visible
        let halo = self.halo
        // Our cap: at most 4096 halo quanta per step (only very high energies reach it).
        let maxQuanta = 4096.0
        var contained = 0.0
        var spots = 0
        let energyCDF = RegularizedGammaP(a: lp.alphaHom), spotCDF = RegularizedGammaP(a: lp.alphaSpot)
        let betaE = lp.betaHom
        let lnEnergyGeV = log(energyGeV)
        let startDepth = track.startPath * track.uz
        let axX = track.x0, axY = track.y0
        var ux = track.ux, uy = track.uy
        if axisTiltMradRootGeV > 0 {
            let sigma = axisTiltMradRootGeV / 1000 / energyGeV.squareRoot()
            ux += sigma * rng.gaussian(); uy += sigma * rng.gaussian()
        }
        let a = halo.forwardAsymmetry, oneMinusA2 = (1 - a) * (1 - a), fourA = 4 * a
        let depth = geometry.depth
        let plate = geometry.plateHalfWidth
        let (rFall, lFall) = tailFallOff
        precondition(geometry.layers.count == 3, "the geant4 tuning's halo bins three readout layers")
        let z01 = geometry.layers[0].zMax, z12 = geometry.layers[1].zMax, w = geometry.windowHalfWidth
        let bins = (LaneBins(geometry: geometry, layer: 0), LaneBins(geometry: geometry, layer: 1),
                    LaneBins(geometry: geometry, layer: 2))
        let scalarBins = geometry.layers.enumerated().map { (l, layer) in
            (offset: geometry.layerOffsets[l], nx: layer.cellsX, ny: layer.cellsY, invX: 1 / layer.cellSizeX, invY: 1 / layer.cellSizeY)
        }
        // Cell codes: 0 ..< total a cell; total + ℓ the overflow of layer ℓ; total + 3 lost.
        let total = Double(geometry.totalCells), totalCells = geometry.totalCells
        let invTHomX0 = 1 / (lp.tHom * x0)
        let split = max(1, tailSplit.pieces), splitMaxAge = tailSplit.pieces > 1 ? tailSplit.maxAge : 0
        let longShare = halo.longFraction, lambdaLong = halo.longAttenuationMM, lambdaShort = halo.attenuationMM
        // The stream's state, drawn from inline; handed back around every GSL call below.
        var taus = rng.inlineState()
        let m = Int(maxQuanta) + 1, spotChunk = 256
        image.cells.withUnsafeMutableBufferPointer { cellBuffer in
            image.overflow.withUnsafeMutableBufferPointer { overflowBuffer in
                let cells = cellBuffer.baseAddress!, overflow = overflowBuffer.baseAddress!
                // Per quantum: energy, flight uniform (then depth z), x, y (Double), 3 random words;
                // per buffered spot: radius, azimuth word, energy, cell code. Padded for 4 lanes.
                let mq = m + 8, words32 = 3 * m + 16
                let doubles = 4 * mq + spotChunk, words32Total = words32 + spotChunk, int32s = spotChunk
                withUnsafeTemporaryAllocation(byteCount: doubles * 8 + words32Total * 4 + int32s * 4 + spotChunk * 4,
                                              alignment: 16) { raw in
                    let base = raw.baseAddress!
                    let quanta = base.bindMemory(to: Double.self, capacity: doubles)
                    let flights = quanta + mq, xs = flights + mq, ys = xs + mq, spotR = ys + mq
                    let words = (base + doubles * 8).bindMemory(to: UInt32.self, capacity: words32Total)
                    let spotA = words + words32
                    let codes = (base + doubles * 8 + words32Total * 4).bindMemory(to: Int32.self, capacity: int32s)
                    let spotE = (base + doubles * 8 + words32Total * 4 + int32s * 4).bindMemory(to: Float.self, capacity: spotChunk)
                    spotR.initialize(repeating: 0, count: spotChunk)
                    spotA.initialize(repeating: 0, count: spotChunk)
                    spotE.initialize(repeating: 0, count: spotChunk)
                    forEachStepBatched(track: track, geometry: geometry, t: lp.tHom, energyCDF: energyCDF, beta: betaE,
                                       spotCDF: spotCDF, betaSpot: lp.betaSpot) { l, offset, t1, t2, energyFraction, spotFraction in
                        let tMid = 0.5 * (t1 + t2)
                        let dE = energyMeV * energyFraction
                        guard dE > 0 else { return }
                        contained += dE
                        let sMid = track.startPath + tMid * x0
                        var g = 1.0
                        if visible {
                            rng.setInlineState(taus)
                            g = 1000 * rng.gamma(shape: dE / 1000 / cs2, scale: cs2) / dE
                            taus = rng.inlineState()
                        }
                        let tau = tMid / lp.tHom
                        let h = min(halo.fraction0 + halo.fractionSlope * tau, halo.fractionMax)
                        var eHalo = h * dE
                        let quantum = max(halo.quantumMeV, eHalo / maxQuanta)
                        let nq = Int(eHalo / quantum + taus.uniform())
                        if nq == 0 { eHalo = 0 }
                        let eCore = dE - eHalo
                        // ``spotCount(expected:rng:)``.
                        let expected = nSpotTotal * spotFraction
                        var n = Int(expected)
                        if taus.uniform() < expected - Double(n) { n += 1 }
                        n = max(n, 1)
                        spots += n
                        let rp = radial(tau: tau, lnEnergyGeV: lnEnergyGeV, samplingCorrections: false)
                        let ax = axX + sMid * ux, ay = axY + sMid * uy
                        let coreScale = visible ? g * samplingFraction(age: tau) : 1
                        let eSpot = Float(eCore * coreScale / Double(n)), eTail = eSpot / Float(split)

                        // Spots: draw (radius, azimuth) in the reference's order into the buffer;
                        // bin and add a chunk at a time.
                        let bin = l == 0 ? bins.0 : (l == 1 ? bins.1 : bins.2)
                        let axL = Lanes(repeating: ax), ayL = Lanes(repeating: ay)
                        let overflowCode = Lanes(repeating: total + Double(l)), lostCode = Lanes(repeating: total + 3)
                        var k = 0
                        func flushSpots() {
                            var i = 0
                            while i < k {
                                let r = UnsafeRawPointer(spotR + i).loadUnaligned(as: Lanes.self)
                                let (c, sn) = unitCircle(load4(spotA + i))
                                let x = axL + r * c, y = ayL + r * sn
                                let inWindow = (x .> -w) .& (x .< w) .& (y .> -w) .& (y .< w)
                                let inPlate = (x .> -plate) .& (x .< plate) .& (y .> -plate) .& (y .< plate)
                                // ``CalorimeterGeometry/cell(layer:x:y:)``: division, exact on edges.
                                var ix = floorNonNegative((x + w) / bin.sizeX)
                                ix.replace(with: bin.lastX, where: ix .> bin.lastX)
                                var iy = floorNonNegative((y + w) / bin.sizeY)
                                iy.replace(with: bin.lastY, where: iy .> bin.lastY)
                                let code = (bin.offset + ix * bin.ny + iy)
                                    .replacing(with: lostCode.replacing(with: overflowCode, where: inPlate), where: .!inWindow)
                                let ci = SIMD4<Int32>(truncatingIfNeeded: unsafeBitCast(code + twoTo52, to: SIMD4<Int64>.self))
                                UnsafeMutableRawPointer(codes + i).storeBytes(of: ci, as: SIMD4<Int32>.self)
                                i += 4
                            }
                            for j in 0 ..< k {
                                let c = Int(codes[j])
                                if c < totalCells { cells[c] += spotE[j] } else if c < totalCells + 3 { overflow[c - totalCells] += spotE[j] }
                            }
                            k = 0
                        }
                        @inline(__always) func put(radius: Double, azimuth: UInt32, energy: Float) {
                            var r = radius * rm
                            if r > rFall { r = rFall - lFall * log(taus.uniformPositive()) }
                            spotR[k] = r; spotA[k] = azimuth; spotE[k] = energy
                            k += 1
                            if k == spotChunk { flushSpots() }
                        }
                        for _ in 0 ..< n {
                            let bits = taus.next()
                            let choice = (Double(bits >> 16) + 0.5) / 65536
                            if choice < rp.coreProbability || tau >= splitMaxAge {
                                put(radius: ShowerModel.sampleRadius(rp, choice: choice, u: taus.uniform()),
                                    azimuth: bits & 0xFFFF, energy: eSpot)
                            } else {
                                put(radius: rp.tail * ShowerModel.radiusFactor(taus.uniform()), azimuth: bits & 0xFFFF, energy: eTail)
                                for _ in 1 ..< split {
                                    let more = taus.next()
                                    put(radius: rp.tail * ShowerModel.radiusFactor((Double(more >> 16) + 0.5) / 65536),
                                        azimuth: more & 0xFFFF, energy: eTail)
                                }
                            }
                        }
                        if k > 0 { flushSpots() }

                        guard nq > 0 else { return }
                        // Halo: words [0, n_q) energies and flights; then per quantum 2 words
                        // (depth in step and flight scale; direction and azimuth).
                        taus.fill(words, count: 3 * nq)
                        for j in 3 * nq ..< 3 * nq + 8 { words[j] = 0 }
                        var i = 0
                        while i < nq {
                            let b = load4(words + i)
                            let u = uniform16(b & 0xFFFF)
                            let e = -fastLog(uniform16(b &>> 16))
                            UnsafeMutableRawPointer(quanta + i).storeBytes(of: e, as: Lanes.self)
                            UnsafeMutableRawPointer(flights + i).storeBytes(of: u, as: Lanes.self)
                            i += 4
                        }
                        var sum = 0.0
                        for j in 0 ..< nq { sum += quanta[j] }
                        let norm = eHalo / sum
                        let s1 = track.startPath + t1 * x0, ds = (t2 - t1) * x0
                        i = 0
                        while i < nq {
                            let pair = UnsafeRawPointer(words + nq + 2 * i).loadUnaligned(as: SIMD8<UInt32>.self)
                            let sb = SIMD4<UInt64>(truncatingIfNeeded: pair.evenHalf)
                            let bits = SIMD4<UInt64>(truncatingIfNeeded: pair.oddHalf)
                            let s = s1 + uniform16(sb &>> 16) * ds
                            let lambda = Lanes(repeating: lambdaShort)
                                .replacing(with: lambdaLong, where: uniform16(sb & 0xFFFF) .< longShare)
                            let uc = uniform16(bits &>> 16)
                            let cosT = a > 1e-6 ? ((oneMinusA2 + fourA * uc).squareRoot() - 1) / a : 2 * uc - 1
                            let sinT = (1 - cosT * cosT).squareRoot()
                            let (c, sn) = unitCircle(bits & 0xFFFF)
                            let ell = -lambda * fastLog(UnsafeRawPointer(flights + i).loadUnaligned(as: Lanes.self))
                            let z = s * track.uz + ell * cosT
                            let x = axX + s * ux + ell * sinT * c
                            let y = axY + s * uy + ell * sinT * sn
                            let eq = UnsafeRawPointer(quanta + i).loadUnaligned(as: Lanes.self) * norm
                            UnsafeMutableRawPointer(quanta + i).storeBytes(of: eq, as: Lanes.self)
                            UnsafeMutableRawPointer(flights + i).storeBytes(of: z, as: Lanes.self)
                            UnsafeMutableRawPointer(xs + i).storeBytes(of: x, as: Lanes.self)
                            UnsafeMutableRawPointer(ys + i).storeBytes(of: y, as: Lanes.self)
                            i += 4
                        }
                        // Binning, one quantum at a time (the layer's constants by index: cheaper
                        // than selecting them per lane with SSE2's and/andnot/or).
                        for j in 0 ..< nq {
                            let z = flights[j]
                            guard z >= 0, z < depth else { continue }
                            let lq = (z < z01 ? 0 : 1) + (z < z12 ? 0 : 1)
                            let x = xs[j], y = ys[j]
                            var e = quanta[j]
                            if visible { e *= g * samplingFraction(age: (z / track.uz - track.startPath) * invTHomX0) }
                            // Binning by multiplication with the inverse cell sizes, as the reference.
                            if x > -w, x < w, y > -w, y < w {
                                let bin = scalarBins[lq]
                                let ix = min(Int((x + w) * bin.invX), bin.nx - 1), iy = min(Int((y + w) * bin.invY), bin.ny - 1)
                                cells[bin.offset + ix * bin.ny + iy] += Float(e)
                            } else if abs(x) < plate, abs(y) < plate {
                                overflow[lq] += Float(e)
                            }
                        }
                    }
                }
            }
        }
        rng.setInlineState(taus)
        return ShowerRecord(energyMeV: energyMeV, parameters: lp, containedMeV: contained,
                            startDepth: startDepth, spots: spots)
    }
}

extension ShowerModel {
    /// ``forEachStep(track:geometry:t:energyCDF:beta:spotCDF:betaSpot:_:)`` with the same steps
    /// and the same fractions, bit for bit: the step boundaries do not depend on the profiles, so
    /// all of them are laid out first and P(α, βt), P(α_s, β_s t) evaluated at all of them at once
    /// (``RegularizedGammaP/values(_:_:at:count:into:)``), then `body` runs step by step.
    @inline(__always)
    func forEachStepBatched(track: ShowerTrack, geometry: CalorimeterGeometry, t: Double,
                            energyCDF: RegularizedGammaP, beta: Double, spotCDF: RegularizedGammaP, betaSpot: Double,
                            _ body: (_ layer: Int, _ offset: Int, _ t1: Double, _ t2: Double,
                                     _ energyFraction: Double, _ spotFraction: Double) -> Void) {
        let x0 = medium.radiationLengthMM, startDepth = track.startPath * track.uz
        let layers = geometry.layers
        // The boundaries t₀ = t_lo, t₁, …, t_k = t_hi of each layer, as forEachStep makes them.
        @inline(__always) func boundaries(_ layer: ReadoutLayer, _ emit: (Double) -> Void) {
            let tLo = max(0, (layer.zMin / track.uz - track.startPath) / x0)
            let tHi = (layer.zMax / track.uz - track.startPath) / x0
            emit(tLo)
            var t1 = tLo
            while t1 < tHi {
                let dtWanted = stepX0 * max(1, t1 / (2 * t))
                var t2 = min(tHi, t1 + dtWanted)
                if tHi - t2 < 0.25 * dtWanted { t2 = tHi }
                emit(t2)
                t1 = t2
            }
        }
        var count = 0
        for layer in layers where layer.zMax > startDepth { boundaries(layer) { _ in count += 1 } }
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 5 * count + layers.count) { buffer in
            let ts = buffer.baseAddress!, xE = ts + count, xS = xE + count, pE = xS + count, pS = pE + count
            let perLayer = pS + count
            var j = 0
            for (l, layer) in layers.enumerated() {
                perLayer[l] = 0
                guard layer.zMax > startDepth else { continue }
                let first = j
                boundaries(layer) { tb in ts[j] = tb; xE[j] = beta * tb; xS[j] = betaSpot * tb; j += 1 }
                perLayer[l] = Double(j - first)
            }
            // xS follows xE, pS follows pE: both profiles in one call.
            RegularizedGammaP.values(energyCDF, spotCDF, at: xE, count: count, into: pE)
            j = 0
            for l in 0 ..< layers.count where perLayer[l] > 0 {
                let offset = geometry.layerOffsets[l], k = Int(perLayer[l])
                for s in 1 ..< k {
                    body(l, offset, ts[j + s - 1], ts[j + s], pE[j + s] - pE[j + s - 1], pS[j + s] - pS[j + s - 1])
                }
                j += k
            }
        }
    }
}
