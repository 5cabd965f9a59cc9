// The geant4 tuning's deposit loop, written for speed (study §3; the model is
// ``ShowerModel/depositGeant4Reference(energyMeV:track:mode:geometry:into:rng:)`` in Shower.swift,
// and this file computes exactly its numbers: same random numbers in the same order, same
// IEEE-754 operations on each, same order of the additions into each cell — the tests check the
// two bit for bit).
//
// What makes it faster (profile of `calobnn simulate`, η′ → ηπ⁰π⁰ (10γ) and γ at 20 GeV: ~70 % of
// the time in the per-deposit loops, ~20 % in the per-step incomplete gamma functions):
//   - random numbers from GSL's taus2 drawn ahead (``Taus2Ahead``), not a call into GSL per number:
//     256 words at a time on eight lanes, each lane a run of 32 successive words started by a jump
//     table (ShowerKernels' taus2Block, ~4.4 instructions a word against ~25 for one taus2 step
//     in registers); the state where the stream goes on is recovered from the block's lane starts;
//   - spots drawn into a buffer in the reference's order; their cells, and the halo quanta's
//     positions and cells, computed 4 at a time by ShowerKernels (SIMD4<Double>, no branch per
//     deposit: the azimuth's quadrant, the flight scale and the quantum's layer by masks — a random
//     quadrant alone cost ~3/4 of a branch mispredict per deposit), in its AVX2 build where the
//     CPU has it (``ShowerKernelBuild``);
//   - the halo's two logarithms per quantum looked up (their arguments are 16-bit uniforms:
//     ``uniformLogs``); its random words taken from those drawn ahead (before, taus2 leaps of
//     several steps on four lanes that held successive states, per step), its quanta in two passes
//     (the random variables, then position and cell: one pass was too long a chain per iteration
//     to overlap);
//   - then one plain loop adds the energies into the cells, in the reference's order, into an
//     image indexed by cell code (cells, overflow, a slot for what leaves the stack: no branch on
//     the kind of code);
//   - P(α, βt) at all step boundaries at once (``forEachStepBatched``), the continued fraction on
//     8 lanes (two SIMD4 groups: as one SIMD8 it compiled to 128-bit halves and spills);
//   - the stream drawn ahead in a local of the step body (not the closure's captured variable),
//     and handed, with the spot count, to the spot loop's local functions as inout arguments
//     (captured by them, both lived in heap boxes allocated per step).
//   - the lazy globals (kernel build, tables) read once per shower, not per kernel call (each
//     read is a call to swift_once); the model and the geometry reach the nested closures by
//     pointer (captured as values, every closure level copied them, retaining their arrays and
//     strings); a spot's first two words reserved at once (no end test per word).
// Measured by callgrind (instructions per event, `calobnn simulate -n 900` minus `-n 300`,
// `--threads 1`): the stream drawn ahead, η′ → ηπ⁰π⁰ (10γ) 2.33 M → 2.07 M, γ 1.32 M → 1.12 M;
// with the three above, 10γ 1.96 M, six photons 1.93 M → 1.61 M, η → 3π⁰ 1.91 M → 1.60 M,
// γ 1.08 M (visible mode, 10γ: 3.13 M → 2.99 M).
// Tried and not fewer instructions: the halo's first pass with its settings' tests (a > 10⁻⁶,
// q_long ≠ 1, q_back ≠ 1) hoisted out of the loop (+8 k per 10γ event: worse register use); the
// block's rows transposed by 128-bit unpacks and lane permutes written element by element (the
// compiler did not find the shuffles).
// Tried and measured slower: drawing the halo's words inside its lane loops, summing its energies
// there, refilling the continued fraction's lanes as arguments converge, the series on 8 lanes, a
// table of the halo's cos θ (a second 512 KiB table). Tried and not faster: the spots' radii in
// the kernel (a per-step bound on u below which no spot falls off, so the draw loop need not
// compute r), a run of spots in one cell summed in a register, P's arguments grouped into lanes
// in the order of x − a, the halo's logarithms computed (laneFastLog) instead of looked up, the
// spots drawn a chunk at a time with no flush call inside the draw loop (a fall-off spot that
// moves in depth buffered with its code), the halo's energy scale applied by the add loop (so
// that the kernel's pass 2 need not wait for the sum), four slots for the deposits that leave the
// stack instead of one (so that their additions do not chain through memory: 0.999 of the time,
// `perf stat -e task-clock` of `calobnn simulate --class etap_10g -n 4000`, 7 runs alternating).
// Where the time goes now (`perf record -e cpu-clock -g`, the same command; callgrind no longer
// reads this toolchain's debug information): of the showers' samples, the step body with the spot
// draws 34 %, the halo kernel 23 %, the spot kernel 10 %, libm's exp and log 13 %, P at the step
// boundaries 10 % (its libm calls not counted), the taus2 blocks 4 %. A photon (its pair's two
// showers) costs ~11 µs before its energy does (`calobnn bench`: 10γ 210 µs an event against γ's
// 107 µs at the same 20 GeV), which is why the ten-photon class is the slowest.
// The multi-photon classes: η′ → ηπ⁰π⁰ (10γ) has 20 showers, ~350 steps, ~2 000 spots and ~4 900
// halo quanta per event, against γ's 2 showers and ~47 steps for ~1 700 spots and ~4 400 quanta:
// per step, four libm exponentials of the radial profile, P at two more boundaries (libm's exp
// and log in its prefactor), a kernel call for a few spots and one for ~17 quanta.
// Shapes: n = spots of a step (buffered in chunks of `spotChunk`), n_q = halo quanta of a step
// (≤ 4097); lanes beyond n or n_q are computed on padding and never used.

import CNumerics
import Foundation
import ShowerKernels
import ShowerKernelsAVX2
import StudyRandom

/// Lanes of eight doubles (the batched incomplete gamma function).
typealias Lanes8 = SIMD8<Double>

/// Which build of the simulator's SIMD kernels (ShowerKernels) this process runs: the AVX2 build
/// when the CPU has AVX2 and glibc reports it usable (as the network kernels' `KernelSet`), unless
/// `CALOBNN_KERNELS=baseline`. The two builds give the same bits (ShowerKernels.swift's header);
/// `make check-portable-all` compares whole pipelines run with each.
enum ShowerKernelBuild {
    static let avx2: Bool = {
        if let forced = getenv("CALOBNN_KERNELS"), String(cString: forced) == "baseline" { return false }
        return calo_cpu_avx2_kernels_usable() != 0
    }()
}

/// ShowerKernels' `uniformLogTable`: fastLog of the 65 536 16-bit uniforms, made once per process
/// (the halo's energies and flights look their logarithms up).
let uniformLogs: UnsafePointer<Double> = {
    let table = UnsafeMutablePointer<Double>.allocate(capacity: 65536)
    ShowerKernels.uniformLogTable(table)
    return UnsafePointer(table)
}()

/// ShowerKernels' `taus2JumpTable`: the jumps of 32 j taus2 steps by nibble, made once per
/// process (``Taus2Ahead`` draws its blocks with them).
let taus2Jumps: UnsafePointer<UInt32> = {
    let table = UnsafeMutablePointer<UInt32>.allocate(capacity: 3 * 8 * 16 * 8)
    ShowerKernels.taus2JumpTable(table)
    return UnsafePointer(table)
}()

/// A shower's random stream drawn ahead: GSL's taus2 words in the stream's order, a block of
/// ShowerKernels' `taus2BlockWords` (256) at a time (``ShowerKernels/taus2Block``), used one by
/// one by the spots and n_q·3 at a time by the halo's kernel; the state where the stream continues
/// after the words used is recovered from the block's lane starts (``state``).
///
/// Why: one taus2 step in registers costs ~25 instructions a word (three serial chains of
/// shifts); the halo drew its words by leaps on four lanes (~12 a word, plus four serial steps
/// to start each step's lanes and up to three after); a block costs ~4.4 a word. The words drawn
/// and not used when the shower ends are dropped: the stream goes on from ``state``.
/// Memory: `words` holds `capacity` words (a multiple of 256), `laneStarts` 24 per block.
struct Taus2Ahead {
    let words: UnsafeMutablePointer<UInt32>, laneStarts: UnsafeMutablePointer<UInt32>, capacity: Int
    /// ``taus2Jumps``, and which kernel build runs (lazy globals, read once: each read is a call).
    let jumps: UnsafePointer<UInt32>, avx2: Bool
    /// The next word to use, and the end of the words drawn (a multiple of 256).
    var position = 0, end = 0
    /// The state after the last word drawn: where the next block starts.
    var next: (UInt32, UInt32, UInt32)

    init(words: UnsafeMutablePointer<UInt32>, laneStarts: UnsafeMutablePointer<UInt32>, capacity: Int, state t: Taus2) {
        self.words = words; self.laneStarts = laneStarts; self.capacity = capacity
        jumps = taus2Jumps; avx2 = ShowerKernelBuild.avx2
        next = (t.s1, t.s2, t.s3)
    }

    /// 32 random bits: ``StudyRandom/Taus2/next()``.
    @inline(__always) mutating func bits() -> UInt32 {
        if position == end { draw(atLeast: 1) }
        let w = words[position]
        position &+= 1
        return w
    }

    /// ``StudyRandom/Taus2/uniform()``.
    @inline(__always) mutating func uniform() -> Double { Double(bits()) / 4_294_967_296.0 }

    /// Make sure the next `n` words are drawn: then ``drawnBits()`` and ``drawnUniform()`` take
    /// them without testing for the end each (the spots' two words).
    @inline(__always) mutating func reserve(_ n: Int) {
        if end - position < n { draw(atLeast: n) }
    }

    /// ``bits()`` of a word ``reserve(_:)`` made sure of.
    @inline(__always) mutating func drawnBits() -> UInt32 {
        let w = words[position]
        position &+= 1
        return w
    }

    /// ``uniform()`` of a word ``reserve(_:)`` made sure of.
    @inline(__always) mutating func drawnUniform() -> Double { Double(drawnBits()) / 4_294_967_296.0 }

    /// ``StudyRandom/Taus2/uniformPositive()``.
    @inline(__always) mutating func uniformPositive() -> Double {
        var x = uniform()
        while x == 0 { x = uniform() }
        return x
    }

    /// The next `count` words, with at least `readable` (≥ `count`) drawn from there on; then
    /// they count as used.
    @inline(__always) mutating func take(_ count: Int, readable: Int) -> UnsafePointer<UInt32> {
        if end - position < readable { draw(atLeast: readable) }
        let p = words + position
        position &+= count
        return UnsafePointer(p)
    }

    /// Draw blocks until `n` words from `position` on are drawn; when they would not fit, first
    /// move the block that holds `position`, and those after it, to the front (the words before
    /// it are used). (Moving them at every draw cost more than the words' room in cache.)
    @inline(never) mutating func draw(atLeast n: Int) {
        let block = ShowerKernels.taus2BlockWords
        let first = position / block * block
        if first > 0 && (position + n + block - 1) / block * block > capacity {
            words.update(from: words + first, count: end - first)
            laneStarts.update(from: laneStarts + 24 * (first / block), count: 24 * ((end - first) / block))
            position -= first; end -= first
        }
        precondition(position + n <= capacity, "Taus2Ahead: \(n) words do not fit")
        while end - position < n {
            let lanes = laneStarts + 24 * (end / block)
            next = avx2 ? ShowerKernelsAVX2.taus2Block(start: next, jumps: jumps, words: words + end, laneStarts: lanes)
                        : ShowerKernels.taus2Block(start: next, jumps: jumps, words: words + end, laneStarts: lanes)
            end += block
        }
    }

    /// The generator's state after the words used: lane j of a block starts 32 j steps on from the
    /// block's start, so the state after its word 32 j + i is that lane's start stepped i + 1 times.
    var state: Taus2 {
        if position == end { return Taus2(s1: next.0, s2: next.1, s3: next.2) }
        let block = ShowerKernels.taus2BlockWords
        let lanes = laneStarts + 24 * (position / block), k = position % block
        if k == 0 { return Taus2(s1: lanes[0], s2: lanes[8], s3: lanes[16]) }
        let j = (k - 1) / 32
        var t = Taus2(s1: lanes[j], s2: lanes[8 + j], s3: lanes[16 + j])
        for _ in 0 ... (k - 1) % 32 { _ = t.next() }
        return t
    }

    /// Continue after the stream was used elsewhere from ``state`` on, now in state `after`: if
    /// that is a few words on (a gamma variate takes ~3), the words drawn from there on are still
    /// the stream's; else draw anew from `after`.
    mutating func resume(from before: Taus2, at after: Taus2) {
        var t = before
        for k in 1 ... 64 {
            _ = t.next()
            if t.s1 == after.s1 && t.s2 == after.s2 && t.s3 == after.s3 {
                if position + k <= end { position += k; return }
                break
            }
        }
        position = 0; end = 0
        next = (after.s1, after.s2, after.s3)
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
        let shower = geant4Start(energyMeV: energyMeV, track: track, geometry: geometry, rng: rng)
        let visible = mode == .visible
        let halo = self.halo
        var contained = 0.0
        var spots = 0
        let a = halo.forwardAsymmetry
        let depth = geometry.depth, w = geometry.windowHalfWidth
        // Spot cell codes: 0 ..< totalCells a cell; totalCells + ℓ the overflow of layer ℓ; + 3 lost.
        let totalCells = geometry.totalCells
        let m = Int(shower.maxQuanta) + 1, spotChunk = 256
        // Lazy globals read once per shower (each read is a call to swift_once).
        let avx2 = ShowerKernelBuild.avx2, logTable = uniformLogs
        // The quanta's energies: −ln u (the log table) or the Γ(k) spectrum's (``QuantumSpectrum``).
        let energyTable = halo.spectrum?.entries ?? logTable
        let energyShift = halo.spectrum == nil ? 0 : UInt64(QuantumSpectrum.indexShift)
        // The stream drawn ahead (``Taus2Ahead``): room for a step's halo words (3·n_q + 8), the
        // rest of the block before them and a block more.
        let block = ShowerKernels.taus2BlockWords
        let aheadWords = (3 * m + 8 + block - 1) / block * block + 2 * block
        // The model and the geometry by pointer in the closures below: captured as values, each
        // closure level copied them (a retain of each array and string they hold, and a
        // release), ~5 times per shower.
        withUnsafePointer(to: self) { model in
            withUnsafePointer(to: geometry) { geo in
                image.cells.withUnsafeMutableBufferPointer { cellBuffer in
                    image.overflow.withUnsafeMutableBufferPointer { overflowBuffer in
                        let cells = cellBuffer.baseAddress!, overflow = overflowBuffer.baseAddress!
                        // Per quantum: energy, depth z, 3 working doubles of the halo's kernel (Double), cell
                        // code; the stream drawn ahead (words, and 24 lane starts per block); per buffered
                        // spot: radius, azimuth word, energy, cell code; the halo's binning table (18
                        // doubles); the image by code (Float). Padded for 4 lanes.
                        let mq = m + 8, words32 = aheadWords + 24 * (aheadWords / block)
                        let doubles = 5 * mq + spotChunk + 18, words32Total = words32 + spotChunk, int32s = mq + spotChunk
                        let floats = spotChunk + totalCells + 4
                        withUnsafeTemporaryAllocation(byteCount: doubles * 8 + words32Total * 4 + int32s * 4 + floats * 4,
                                                      alignment: 16) { raw in
                            let base = raw.baseAddress!
                            let quanta = base.bindMemory(to: Double.self, capacity: doubles)
                            let flights = quanta + mq, haloScratch = flights + mq, spotR = haloScratch + 3 * mq, layerTable = spotR + spotChunk
                            let words = (base + doubles * 8).bindMemory(to: UInt32.self, capacity: words32Total)
                            let spotA = words + words32
                            // The stream, drawn from ahead; handed back around every GSL call below.
                            var ahead0 = Taus2Ahead(words: words, laneStarts: words + aheadWords, capacity: aheadWords, state: rng.inlineState())
                            defer { rng.setInlineState(ahead0.state) }
                            let haloCodes = (base + doubles * 8 + words32Total * 4).bindMemory(to: Int32.self, capacity: int32s)
                            let codes = haloCodes + mq
                            let spotE = (base + doubles * 8 + words32Total * 4 + int32s * 4).bindMemory(to: Float.self, capacity: floats)
                            // The image indexed by cell code: the cells, the overflow of each layer, and a
                            // slot for the deposits that leave the stack (added to, never read). Every
                            // deposit then goes to deposits[code], with no branch on the kind of code (a
                            // quantum that leaves the stack is not rare, and not predictable); each cell
                            // gets the same additions in the same order.
                            let deposits = spotE + spotChunk
                            deposits.update(from: cells, count: totalCells)
                            (deposits + totalCells).update(from: overflow, count: 3)
                            deposits[totalCells + 3] = 0
                            defer {
                                cells.update(from: deposits, count: totalCells)
                                overflow.update(from: deposits + totalCells, count: 3)
                            }
                            spotR.initialize(repeating: 0, count: spotChunk)
                            spotA.initialize(repeating: 0, count: spotChunk)
                            spotE.initialize(repeating: 0, count: spotChunk)
                            // The halo's binning per layer (ShowerKernels' haloQuanta): offset, cells in y,
                            // last x index, last y index, 1/size in x and y (the reference's inverse sizes).
                            for (l, layer) in geo.pointee.layers.enumerated() {
                                let row = layerTable + 6 * l
                                row[0] = Double(geo.pointee.layerOffsets[l]); row[1] = Double(layer.cellsY)
                                row[2] = Double(layer.cellsX - 1); row[3] = Double(layer.cellsY - 1)
                                row[4] = 1 / layer.cellSizeX; row[5] = 1 / layer.cellSizeY
                            }
                            // The core energy carried to the next step of the layer (``ShowerModel/spotCarry``).
                            var carried = 0.0
                            let spotCarry = model.pointee.spotCarry
                            model.pointee.forEachStepBatched(track: track, geometry: geo.pointee, t: shower.lp.tHom, energyCDF: shower.energyCDF, beta: shower.lp.betaHom,
                                               spotCDF: shower.spotCDF, betaSpot: shower.lp.betaSpot) { l, offset, t1, t2, energyFraction, spotFraction, last in
                                let tMid = 0.5 * (t1 + t2)
                                let dE = shower.depositedMeV * shower.energyFraction(energyFraction, t1, t2)
                                guard dE > 0 else { if last { carried = 0 }; return }
                                contained += dE
                                // The stream in a local for the step (the shower's `ahead0` is captured by
                                // this closure and lives in memory: the step's random numbers would go
                                // through it, a store and a load of its position per word).
                                var taus = ahead0
                                defer { ahead0 = taus }
                                let sMid = track.startPath + tMid * shower.x0
                                var g = 1.0
                                if visible {
                                    let before = taus.state
                                    rng.setInlineState(before)
                                    g = 1000 * rng.gamma(shape: dE / 1000 / shower.cs2, scale: shower.cs2) / dE
                                    taus.resume(from: before, at: rng.inlineState())
                                }
                                let tau = tMid / shower.lp.tHom
                                let h = shower.haloShare(halo, tau: tau)
                                var eHalo = h * dE
                                let quantum = max(shower.quantumMeV(layer: l, halo), eHalo / shower.maxQuanta)
                                let nq = Int(eHalo / quantum + taus.uniform())
                                if nq == 0 { eHalo = 0 }
                                let eCore = dE - eHalo
                                // ``spotCount(expected:rng:)``.
                                let expected = shower.expectedSpots(layer: l, spotFraction: spotFraction)
                                var n = Int(expected)
                                if taus.uniform() < expected - Double(n) { n += 1 }
                                if !spotCarry || last { n = max(n, 1) }
                                spots += n
                                let coreScale = visible ? g * model.pointee.samplingFraction(age: tau) : 1
                                let coreMeV = spotCarry ? eCore * coreScale + carried : eCore * coreScale
                                carried = n == 0 ? coreMeV : 0
                                // A step whose spots are all carried on (n = 0) draws no spot: its radial profile and
                                // spot setup are skipped (they draw no random numbers, so the bits are the reference's).
                                if n > 0 {
                                    let ax = shower.axX + sMid * shower.ux, ay = shower.axY + sMid * shower.uy
                                    let eSpot = Float(coreMeV / Double(n)), eTail = eSpot / Float(shower.split)
                                    let spotScale = shower.spotScale(layer: l)
                                    var rp = model.pointee.radial(tau: shower.radialAge(tMid, tau), lnEnergyGeV: shower.lnEnergyGeV, samplingCorrections: false)
                                    rp.core *= model.pointee.coreRadiusScale(layer: l)
                                    let spikeP = rp.coreProbability * model.pointee.spikeShare * (l == 0 ? 1 : model.pointee.spikeDeepFactor), spikeRadius = rp.core * model.pointee.spikeScale

                                    // Spots: draw (radius, azimuth) in the reference's order into the buffer;
                                    // bin and add a chunk at a time.
                                    let layer = geo.pointee.layers[l]
                                    // The spots buffered, and the generator's state, go to the two local
                                    // functions as inout arguments: captured by them, each would live in a
                                    // heap box allocated per step, every random number going through it.
                                    var k = 0
                                    func flushSpots(_ k: inout Int) {
                                        if avx2 {
                                            ShowerKernelsAVX2.spotCells(count: k, radius: spotR, azimuth: spotA, axisX: ax, axisY: ay, window: w,
                                                                        plate: shower.plate, cellSizeX: layer.cellSizeX, cellSizeY: layer.cellSizeY,
                                                                        cellsX: layer.cellsX, cellsY: layer.cellsY, offset: offset,
                                                                        overflowCode: totalCells + l, lostCode: totalCells + 3, codes: codes)
                                        } else {
                                            ShowerKernels.spotCells(count: k, radius: spotR, azimuth: spotA, axisX: ax, axisY: ay, window: w,
                                                                    plate: shower.plate, cellSizeX: layer.cellSizeX, cellSizeY: layer.cellSizeY,
                                                                    cellsX: layer.cellsX, cellsY: layer.cellsY, offset: offset,
                                                                    overflowCode: totalCells + l, lostCode: totalCells + 3, codes: codes)
                                        }
                                        for j in 0 ..< k {
                                            deposits[Int(codes[j])] += spotE[j]
                                        }
                                        k = 0
                                    }
                                    @inline(__always) func put(radius: Double, azimuth: UInt32, energy: Float, _ k: inout Int, _ taus: inout Taus2Ahead) {
                                        var r = radius * spotScale
                                        if r > shower.rFall {
                                            r = shower.rFall - shower.lFall * log(taus.uniformPositive())
                                            if shower.farSpread > 0 {
                                                // A fall-off spot at another depth, as the reference: the
                                                // spots before it go into the cells first (the same order).
                                                if k > 0 { flushSpots(&k) }
                                                let (c, sn) = unitCircle(azimuth)
                                                let x = ax + r * c, y = ay + r * sn
                                                let z = sMid * track.uz + shower.farDepthShift(taus.uniform(), radius: r)
                                                deposits[shower.farSpotCode(x: x, y: y, z: z, geometry: geo.pointee)] += energy
                                                return
                                            }
                                        }
                                        spotR[k] = r; spotA[k] = azimuth; spotE[k] = energy
                                        k += 1
                                        if k == spotChunk { flushSpots(&k) }
                                    }
                                    for _ in 0 ..< n {
                                        // A spot's first two words (the rest, if any, are tested one by one).
                                        taus.reserve(2)
                                        let bits = taus.drawnBits()
                                        let choice = (Double(bits >> 16) + 0.5) / 65536
                                        if choice < spikeP {
                                            // The axis spike (``ShowerModel/spikeShare``; never when off).
                                            put(radius: spikeRadius * ShowerModel.radiusFactor(taus.drawnUniform()), azimuth: bits & 0xFFFF, energy: eSpot, &k, &taus)
                                        } else if choice < rp.coreProbability || tau >= shower.splitMaxAge {
                                            let radius = ShowerModel.sampleRadius(rp, choice: choice, u: taus.drawnUniform())
                                            put(radius: radius, azimuth: bits & 0xFFFF, energy: eSpot, &k, &taus)
                                        } else {
                                            let radius = rp.tail * ShowerModel.radiusFactor(taus.drawnUniform())
                                            put(radius: radius, azimuth: bits & 0xFFFF, energy: eTail, &k, &taus)
                                            for _ in 1 ..< shower.split {
                                                let more = taus.bits()
                                                put(radius: rp.tail * ShowerModel.radiusFactor((Double(more >> 16) + 0.5) / 65536),
                                                    azimuth: more & 0xFFFF, energy: eTail, &k, &taus)
                                            }
                                        }
                                    }
                                    if k > 0 { flushSpots(&k) }
                                }

                                guard nq > 0 else { return }
                                // Halo: words [0, n_q) energies and flights; then per quantum 2 words
                                // (depth in step and flight scale; direction and azimuth). 8 more readable.
                                let s1 = track.startPath + t1 * shower.x0, ds = (t2 - t1) * shower.x0
                                let words = taus.take(3 * nq, readable: 3 * nq + 8)
                                if avx2 {
                                    ShowerKernelsAVX2.haloQuanta(words: words, count: nq, energy: eHalo, stepStart: s1, stepLength: ds,
                                                                 longShare: shower.longShare(tau: tau), lambdaLong: shower.lambdaLong, lambdaShort: shower.lambdaShort,
                                                                 longQuantumFactor: halo.longQuantumFactor, backwardQuantumFactor: halo.backwardQuantumFactor,
                                                                 asymmetry: a, axisX: shower.axX, axisY: shower.axY, ux: shower.ux, uy: shower.uy, uz: track.uz,
                                                                 depth: depth, z01: shower.z01, z12: shower.z12, window: w, plate: shower.plate, layers: layerTable,
                                                                 overflowCode: totalCells, lostCode: totalCells + 3, logTable: logTable, energyTable: energyTable, energyShift: energyShift,
                                                                 energies: quanta, z: flights, codes: haloCodes, scratch: haloScratch)
                                } else {
                                    ShowerKernels.haloQuanta(words: words, count: nq, energy: eHalo, stepStart: s1, stepLength: ds,
                                                             longShare: shower.longShare(tau: tau), lambdaLong: shower.lambdaLong, lambdaShort: shower.lambdaShort,
                                                             longQuantumFactor: halo.longQuantumFactor, backwardQuantumFactor: halo.backwardQuantumFactor,
                                                             asymmetry: a, axisX: shower.axX, axisY: shower.axY, ux: shower.ux, uy: shower.uy, uz: track.uz,
                                                             depth: depth, z01: shower.z01, z12: shower.z12, window: w, plate: shower.plate, layers: layerTable,
                                                             overflowCode: totalCells, lostCode: totalCells + 3, logTable: logTable, energyTable: energyTable, energyShift: energyShift,
                                                             energies: quanta, z: flights, codes: haloCodes, scratch: haloScratch)
                                }
                                // The energies into the cells, one quantum at a time in the reference's order
                                // (visible: times g and the LAr fraction where the quantum stops, which a
                                // quantum that leaves the stack does not need).
                                if visible {
                                    for j in 0 ..< nq {
                                        let c = Int(haloCodes[j])
                                        guard c < totalCells + 3 else { continue }
                                        deposits[c] += Float(quanta[j] * (g * model.pointee.samplingFraction(age: (flights[j] / track.uz - track.startPath) * shower.invTHomX0)))
                                    }
                                } else {
                                    for j in 0 ..< nq { deposits[Int(haloCodes[j])] += Float(quanta[j]) }
                                }
                            }
                        }
                    }
                }
            }
        }
        return ShowerRecord(energyMeV: energyMeV, parameters: shower.lp, containedMeV: contained,
                            startDepth: shower.startDepth, spots: spots)
    }
}

extension ShowerModel {
    /// ``forEachStep(track:geometry:step:t:energyCDF:beta:spotCDF:betaSpot:_:)`` at ``stepX0``, with the same steps
    /// and the same fractions (and the same `last`), bit for bit: the step boundaries do not depend on the profiles, so
    /// all of them are laid out first and P(α, βt), P(α_s, β_s t) evaluated at all of them at once
    /// (``RegularizedGammaP/values(_:_:at:count:into:)``), then `body` runs step by step.
    @inline(__always)
    func forEachStepBatched(track: ShowerTrack, geometry: CalorimeterGeometry, t: Double,
                            energyCDF: RegularizedGammaP, beta: Double, spotCDF: RegularizedGammaP, betaSpot: Double,
                            _ body: (_ layer: Int, _ offset: Int, _ t1: Double, _ t2: Double,
                                     _ energyFraction: Double, _ spotFraction: Double, _ last: Bool) -> Void) {
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
        // Lay out the boundaries in `base` (room for `capacity` of them): false, before any
        // `body` call, if there are more; else evaluate P at all of them and run `body`.
        @inline(__always) func evaluate(_ base: UnsafeMutablePointer<Double>, capacity: Int) -> Bool {
            let perLayer = base + 5 * capacity, ts = base
            var j = 0
            for (l, layer) in layers.enumerated() {
                perLayer[l] = 0
                guard layer.zMax > startDepth else { continue }
                let first = j
                var fits = true
                boundaries(layer) { tb in
                    if j < capacity { ts[j] = tb } else { fits = false }
                    j += 1
                }
                guard fits else { return false }
                perLayer[l] = Double(j - first)
            }
            let count = j
            // xS follows xE, pS follows pE: both profiles in one call.
            let xE = ts + capacity, xS = xE + count, pE = xS + count, pS = pE + count
            for k in 0 ..< count { xE[k] = beta * ts[k]; xS[k] = betaSpot * ts[k] }
            RegularizedGammaP.values(energyCDF, spotCDF, at: xE, count: count, into: pE)
            j = 0
            for l in 0 ..< layers.count where perLayer[l] > 0 {
                let offset = geometry.layerOffsets[l], k = Int(perLayer[l])
                for s in 1 ..< k {
                    body(l, offset, ts[j + s - 1], ts[j + s], pE[j + s] - pE[j + s - 1], pS[j + s] - pS[j + s - 1], s == k - 1)
                }
                j += k
            }
            return true
        }
        // One pass into room for 256 boundaries (a shower has ~20–40); more (very fine steps):
        // count them, then again with room for all.
        let room = 256
        let done = withUnsafeTemporaryAllocation(of: Double.self, capacity: 5 * room + layers.count) {
            evaluate($0.baseAddress!, capacity: room)
        }
        if done { return }
        var count = 0
        for layer in layers where layer.zMax > startDepth { boundaries(layer) { _ in count += 1 } }
        _ = withUnsafeTemporaryAllocation(of: Double.self, capacity: 5 * count + layers.count) {
            evaluate($0.baseAddress!, capacity: count)
        }
    }
}
