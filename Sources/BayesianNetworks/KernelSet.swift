// Which build of the network kernels this process runs (study §2, §4). NetworkKernels is
// compiled twice from one source file: for the baseline x86-64 instruction set and with AVX2.
// The two builds perform the same IEEE operations in the same order (no fused multiply-add) and
// give the same bits — `make check-portable-all` runs the whole pipeline with each and compares the
// files byte for byte — so the choice changes the speed, never a result.
import CNumerics
import Foundation
import NetworkKernels
import NetworkKernelsAVX2

/// The build of the network kernels in use.
public enum KernelSet: String, Sendable, CaseIterable {
    /// Baseline x86-64 (SSE2): runs on every x86-64 CPU.
    case baseline
    /// The same source compiled with AVX2 (x86-64-v3 CPUs: Intel Haswell, AMD Zen and later).
    case avx2

    /// The process's choice: `CALOBNN_KERNELS=baseline|avx2` if set (an unusable or unknown
    /// value stops the program with a message), else AVX2 when the CPU has it and glibc reports it active.
    public static let active: KernelSet = {
        let usable = calo_cpu_avx2_kernels_usable() != 0
        guard let forced = getenvString("CALOBNN_KERNELS"), !forced.isEmpty else { return usable ? .avx2 : .baseline }
        guard let set = KernelSet(rawValue: forced) else {
            fatalError("CALOBNN_KERNELS=\(forced): unknown kernel build (known: baseline, avx2)")
        }
        if set == .avx2 && !usable { fatalError("CALOBNN_KERNELS=avx2: this CPU (or glibc's view of it) lacks AVX2/FMA/BMI2") }
        return set
    }()

    static func getenvString(_ name: String) -> String? {
        guard let p = getenv(name) else { return nil }
        return String(cString: p)
    }
}

/// The kernels of the active build, one entry per kernel (see NetworkKernels' Kernels.swift for
/// what each computes and in which order).
enum ActiveKernels {
    static let avx2 = KernelSet.active == .avx2

    static func conv3x3Forward(tile: UnsafePointer<Float>, n: Int, height: Int, width: Int, filters: Int,
                               a: UnsafePointer<Float>, b: UnsafePointer<Float>?, factor: UnsafePointer<Float>?,
                               factorStride: Int, bias: UnsafePointer<Float>, relu: Bool,
                               y: UnsafeMutablePointer<Float>, strideY: Int) {
        if avx2 {
            NetworkKernelsAVX2.Kernels.conv3x3Forward(tile: tile, n: n, height: height, width: width, filters: filters, a: a, b: b,
                                                      factor: factor, factorStride: factorStride, bias: bias, relu: relu,
                                                      y: y, strideY: strideY)
        } else {
            NetworkKernels.Kernels.conv3x3Forward(tile: tile, n: n, height: height, width: width, filters: filters, a: a, b: b,
                                                  factor: factor, factorStride: factorStride, bias: bias, relu: relu,
                                                  y: y, strideY: strideY)
        }
    }

    static func conv3x3Backward(tile: UnsafePointer<Float>, n: Int, height: Int, width: Int, filters: Int,
                                dy: UnsafePointer<Float>, strideDY: Int, factor: UnsafePointer<Float>?, factorStride: Int,
                                gradA: UnsafeMutablePointer<Float>, gradB: UnsafeMutablePointer<Float>?,
                                gradBias: UnsafeMutablePointer<Float>) {
        if avx2 {
            NetworkKernelsAVX2.Kernels.conv3x3Backward(tile: tile, n: n, height: height, width: width, filters: filters, dy: dy,
                                                       strideDY: strideDY, factor: factor, factorStride: factorStride,
                                                       gradA: gradA, gradB: gradB, gradBias: gradBias)
        } else {
            NetworkKernels.Kernels.conv3x3Backward(tile: tile, n: n, height: height, width: width, filters: filters, dy: dy,
                                                   strideDY: strideDY, factor: factor, factorStride: factorStride,
                                                   gradA: gradA, gradB: gradB, gradBias: gradBias)
        }
    }

    static func denseForward(n: Int, x: UnsafePointer<Float>, strideX: Int, inputs: Int, units: Int,
                             a: UnsafePointer<Float>, b: UnsafePointer<Float>?, signIn: UnsafePointer<Float>?,
                             signOut: UnsafePointer<Float>?, bias: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        if avx2 {
            NetworkKernelsAVX2.Kernels.denseForward(n: n, x: x, strideX: strideX, inputs: inputs, units: units, a: a, b: b,
                                                    signIn: signIn, signOut: signOut, bias: bias, y: y)
        } else {
            NetworkKernels.Kernels.denseForward(n: n, x: x, strideX: strideX, inputs: inputs, units: units, a: a, b: b,
                                                signIn: signIn, signOut: signOut, bias: bias, y: y)
        }
    }

    static func denseBackward(n: Int, x: UnsafePointer<Float>, strideX: Int, inputs: Int, units: Int,
                              dy: UnsafePointer<Float>, a: UnsafePointer<Float>, b: UnsafePointer<Float>?,
                              signIn: UnsafePointer<Float>?, signOut: UnsafePointer<Float>?,
                              gradA: UnsafeMutablePointer<Float>, gradB: UnsafeMutablePointer<Float>?,
                              gradBias: UnsafeMutablePointer<Float>, dx: UnsafeMutablePointer<Float>?, reluMasked: Bool,
                              scratch: UnsafeMutablePointer<Float>) {
        if avx2 {
            NetworkKernelsAVX2.Kernels.denseBackward(n: n, x: x, strideX: strideX, inputs: inputs, units: units, dy: dy, a: a, b: b,
                                                     signIn: signIn, signOut: signOut, gradA: gradA, gradB: gradB,
                                                     gradBias: gradBias, dx: dx, reluMasked: reluMasked, scratch: scratch)
        } else {
            NetworkKernels.Kernels.denseBackward(n: n, x: x, strideX: strideX, inputs: inputs, units: units, dy: dy, a: a, b: b,
                                                 signIn: signIn, signOut: signOut, gradA: gradA, gradB: gradB,
                                                 gradBias: gradBias, dx: dx, reluMasked: reluMasked, scratch: scratch)
        }
    }

    static func softplus(_ rho: UnsafePointer<Float>, count: Int, _ sigma: UnsafeMutablePointer<Float>,
                         _ dSigma: UnsafeMutablePointer<Float>) {
        if avx2 { NetworkKernelsAVX2.Kernels.softplus(rho, count: count, sigma, dSigma) }
        else { NetworkKernels.Kernels.softplus(rho, count: count, sigma, dSigma) }
    }

    static func gaussianKL(mu: UnsafePointer<Float>, sigma: UnsafePointer<Float>, count: Int, sigmaPrior: Double,
                           dMu: UnsafeMutablePointer<Double>, dSigma: UnsafeMutablePointer<Double>) -> Double {
        if avx2 {
            NetworkKernelsAVX2.Kernels.gaussianKL(mu: mu, sigma: sigma, count: count, sigmaPrior: sigmaPrior,
                                                  dMu: dMu, dSigma: dSigma)
        } else {
            NetworkKernels.Kernels.gaussianKL(mu: mu, sigma: sigma, count: count, sigmaPrior: sigmaPrior,
                                              dMu: dMu, dSigma: dSigma)
        }
    }

    static func gaussians(words: UnsafePointer<UInt32>, count: Int, mean: Float, stddev: Float,
                          _ out: UnsafeMutablePointer<Float>) {
        if avx2 { NetworkKernelsAVX2.Kernels.gaussians(words: words, count: count, mean: mean, stddev: stddev, out) }
        else { NetworkKernels.Kernels.gaussians(words: words, count: count, mean: mean, stddev: stddev, out) }
    }

    static func adam(_ lo: Int, _ hi: Int, gradient g: UnsafePointer<Float>, theta: UnsafeMutablePointer<Float>,
                     m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, copy: UnsafeMutablePointer<Float>?,
                     alpha: Float, beta1: Float, beta2: Float, epsilon: Float) {
        if avx2 {
            NetworkKernelsAVX2.Kernels.adam(lo, hi, gradient: g, theta: theta, m: m, v: v, copy: copy,
                                            alpha: alpha, beta1: beta1, beta2: beta2, epsilon: epsilon)
        } else {
            NetworkKernels.Kernels.adam(lo, hi, gradient: g, theta: theta, m: m, v: v, copy: copy,
                                        alpha: alpha, beta1: beta1, beta2: beta2, epsilon: epsilon)
        }
    }

    static func gradientSpan(_ lo: Int, _ hi: Int, shards: Int, gradMu: UnsafePointer<UnsafePointer<Float>>,
                             gradDelta: UnsafePointer<UnsafePointer<Float>>, bayesian: Bool, bias: Bool,
                             klMu: UnsafePointer<Float>, klSigma: UnsafePointer<Float>, klStart: Int,
                             epsilon: UnsafePointer<Float>, dSigma: UnsafePointer<Float>,
                             gm: UnsafeMutablePointer<Float>, gr: UnsafeMutablePointer<Float>) {
        if avx2 {
            NetworkKernelsAVX2.Kernels.gradientSpan(lo, hi, shards: shards, gradMu: gradMu, gradDelta: gradDelta, bayesian: bayesian,
                                                    bias: bias, klMu: klMu, klSigma: klSigma, klStart: klStart,
                                                    epsilon: epsilon, dSigma: dSigma, gm: gm, gr: gr)
        } else {
            NetworkKernels.Kernels.gradientSpan(lo, hi, shards: shards, gradMu: gradMu, gradDelta: gradDelta, bayesian: bayesian,
                                                bias: bias, klMu: klMu, klSigma: klSigma, klStart: klStart,
                                                epsilon: epsilon, dSigma: dSigma, gm: gm, gr: gr)
        }
    }

    static func untransposeWeights(_ t: UnsafePointer<Float>, inputs: Int, units: Int, _ out: UnsafeMutablePointer<Float>) {
        if avx2 { NetworkKernelsAVX2.Kernels.untransposeWeights(t, inputs: inputs, units: units, out) }
        else { NetworkKernels.Kernels.untransposeWeights(t, inputs: inputs, units: units, out) }
    }
}
