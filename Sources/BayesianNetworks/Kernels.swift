// Float32 kernels shared by the Flipout layers and their deterministic twins (study §2, §4):
// im2col 'same' convolution and dense layers on OpenBLAS's `cblas_sgemm`, ReLU, softmax
// cross-entropy. Layouts follow Keras (channels last) so the flattening order matches the study.
//
// Shape legend: N = examples (batch or shard), H×W = cells of a calorimeter layer,
// C = channels (Cin in, Cout out), K = kernel side (3), D = dense inputs, U = dense outputs.
//   image x      (N, H, W, Cin)   row-major, example n starts at x + n·strideX
//   im2col cols  (N·H·W, K·K·Cin) row p = (n, i, j), column (di, dj, c)
//   conv weight  (K, K, Cin, Cout) = a (K·K·Cin) × Cout matrix (Keras HWIO)
//   conv output  (N, H, W, Cout)
//   dense x (N, D), weight (D, U), output (N, U)
import CNumerics
import Foundation

/// Low-level float32 kernels on contiguous buffers. Every pointer argument states its shape.
public enum Kernels {
    /// `C = α·op(A)·op(B) + β·C`, row-major, on the process's `cblas_sgemm` (OpenBLAS).
    ///
    /// - Parameters: `A` is (M×K) or, if `transA`, (K×M); `B` is (K×N) or (N×K); `C` is (M×N),
    ///   leading dimensions are the row lengths as stored.
    @inline(__always)
    public static func sgemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
                             alpha: Float = 1, _ a: UnsafePointer<Float>, lda: Int,
                             _ b: UnsafePointer<Float>, ldb: Int, beta: Float = 0,
                             _ c: UnsafeMutablePointer<Float>, ldc: Int) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            // BLAS leaves C untouched-times-β; make that explicit for β = 0.
            if beta == 0 { for r in 0 ..< m { (c + r * ldc).update(repeating: 0, count: n) } }
            return
        }
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// im2col for a 'same'-padded K×K convolution (K odd), zero outside the image.
    ///
    /// - Parameters:
    ///   - x: N images (H, W, Cin), example n at `x + n·strideX`.
    ///   - n: N, the number of images.
    ///   - h: H, rows of the cell grid.
    ///   - w: W, columns of the cell grid.
    ///   - c: Cin, channels per cell (1 for calorimeter energies).
    ///   - k: K, the kernel side (odd; 3 in the study).
    ///   - strideX: floats between consecutive images, ≥ H·W·Cin (504 lets us read one
    ///     calorimeter layer straight out of the (N, 504) cell matrix).
    ///   - cols: out, (N·H·W, K·K·Cin), row p = (n, i, j), column (di, dj, c); overwritten.
    public static func im2col(_ x: UnsafePointer<Float>, n: Int, height h: Int, width w: Int, channels c: Int,
                              kernel k: Int, strideX: Int, _ cols: UnsafeMutablePointer<Float>) {
        if c == 1 && k == 3 { im2col3x3(x, n: n, height: h, width: w, strideX: strideX, cols); return }
        let half = k / 2, rowLen = k * k * c
        for e in 0 ..< n {
            let img = x + e * strideX
            for i in 0 ..< h {
                for j in 0 ..< w {
                    let row = cols + ((e * h + i) * w + j) * rowLen
                    var col = 0
                    for di in 0 ..< k {
                        let ii = i + di - half
                        for dj in 0 ..< k {
                            let jj = j + dj - half
                            if ii >= 0, ii < h, jj >= 0, jj < w {
                                let src = img + (ii * w + jj) * c
                                for ch in 0 ..< c { row[col + ch] = src[ch] }
                            } else {
                                for ch in 0 ..< c { row[col + ch] = 0 }
                            }
                            col += c
                        }
                    }
                }
            }
        }
    }

    /// The study's case of ``im2col(_:n:height:width:channels:kernel:strideX:_:)``: one channel,
    /// 3×3. Copies each image into a zero-bordered (H+2)×(W+2) tile first so the inner loop has no
    /// bounds tests (the generic loop branches on every tap); wrapping `&+`/`&*` index
    /// arithmetic, sizes are far below overflow.
    static func im2col3x3(_ x: UnsafePointer<Float>, n: Int, height h: Int, width w: Int, strideX: Int,
                          _ cols: UnsafeMutablePointer<Float>) {
        let pw = w &+ 2
        withUnsafeTemporaryAllocation(of: Float.self, capacity: (h &+ 2) &* pw) { tile in
            let pad = tile.baseAddress!
            pad.initialize(repeating: 0, count: (h &+ 2) &* pw)
            for e in 0 ..< n {
                let img = x + e &* strideX
                for i in 0 ..< h {
                    let dst: UnsafeMutablePointer<Float> = pad + ((i &+ 1) &* pw &+ 1)
                    let src: UnsafePointer<Float> = img + i &* w
                    dst.update(from: src, count: w)
                }
                var row: UnsafeMutablePointer<Float> = cols + e &* h &* w &* 9
                for i in 0 ..< h {
                    let r0: UnsafeMutablePointer<Float> = pad + i &* pw
                    let r1 = r0 + pw, r2 = r1 + pw
                    for j in 0 ..< w {
                        row[0] = r0[j]; row[1] = r0[j &+ 1]; row[2] = r0[j &+ 2]
                        row[3] = r1[j]; row[4] = r1[j &+ 1]; row[5] = r1[j &+ 2]
                        row[6] = r2[j]; row[7] = r2[j &+ 1]; row[8] = r2[j &+ 2]
                        row += 9
                    }
                }
            }
        }
    }

    /// col2im, the adjoint of ``im2col(_:n:height:width:channels:kernel:strideX:_:)``:
    /// scatters-adds cols (N·H·W, K·K·Cin) into dx (N, H, W, Cin), which it zeroes first.
    public static func col2im(_ cols: UnsafePointer<Float>, n: Int, height h: Int, width w: Int, channels c: Int,
                              kernel k: Int, _ dx: UnsafeMutablePointer<Float>) {
        let half = k / 2, rowLen = k * k * c
        dx.update(repeating: 0, count: n * h * w * c)
        for e in 0 ..< n {
            let img = dx + e * h * w * c
            for i in 0 ..< h {
                for j in 0 ..< w {
                    let row = cols + ((e * h + i) * w + j) * rowLen
                    var col = 0
                    for di in 0 ..< k {
                        let ii = i + di - half
                        for dj in 0 ..< k {
                            let jj = j + dj - half
                            if ii >= 0, ii < h, jj >= 0, jj < w {
                                let dst = img + (ii * w + jj) * c
                                for ch in 0 ..< c { dst[ch] += row[col + ch] }
                            }
                            col += c
                        }
                    }
                }
            }
        }
    }

    /// Column sums: `out[j] (+)= Σᵢ a[i, j]` for a (rows × cols) matrix — bias gradients.
    public static func columnSums(_ a: UnsafePointer<Float>, rows: Int, cols: Int,
                                  _ out: UnsafeMutablePointer<Float>, accumulate: Bool = false) {
        if !accumulate { out.update(repeating: 0, count: cols) }
        for i in 0 ..< rows {
            let r = a + i * cols
            for j in 0 ..< cols { out[j] += r[j] }
        }
    }

    /// ReLU in place: `y = max(0, y)` on `count` floats.
    @inline(__always)
    public static func relu(_ y: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0 ..< count { y[i] = max(0, y[i]) }
    }

    /// ReLU backward in place: `dy ← dy · 1[y > 0]`, with y the ReLU output.
    @inline(__always)
    public static func reluBackward(_ dy: UnsafeMutablePointer<Float>, output y: UnsafePointer<Float>, count: Int) {
        // Explicit SIMD8: dy and y may alias as far as the compiler knows, so it would not
        // vectorise the scalar loop (measured: the hottest loop of a training step).
        var i = 0
        let dRaw = UnsafeMutableRawPointer(dy), yRaw = UnsafeRawPointer(y)
        while i &+ 8 <= count {
            var d = dRaw.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self)
            let v = yRaw.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self)
            d.replace(with: 0, where: .!(v .> 0))
            dRaw.storeBytes(of: d, toByteOffset: i &* 4, as: SIMD8<Float>.self)
            i &+= 8
        }
        while i < count { if !(y[i] > 0) { dy[i] = 0 }; i &+= 1 }
    }

    /// Softmax probabilities, row by row, of logits (N, U) into `prob` (N, U), numerically
    /// stable (the row maximum is subtracted before exponentiating).
    public static func softmax(_ logits: UnsafePointer<Float>, n: Int, classes u: Int,
                               _ prob: UnsafeMutablePointer<Float>) {
        for e in 0 ..< n {
            let z = logits + e * u, p = prob + e * u
            var m = z[0]
            for j in 1 ..< u { m = max(m, z[j]) }
            var s: Float = 0
            for j in 0 ..< u { p[j] = expf(z[j] - m); s += p[j] }
            let inv = 1 / s
            for j in 0 ..< u { p[j] *= inv }
        }
    }

    /// Softmax cross-entropy of logits (N, U) against labels (N), and its gradient.
    ///
    /// ```
    /// ℓₙ = −log softmax(zₙ)_{yₙ} = logΣⱼ e^{zₙⱼ} − zₙ,yₙ
    /// ∂ℓₙ/∂zₙⱼ = softmax(zₙ)ⱼ − 1[j = yₙ]
    /// ```
    /// - Parameters:
    ///   - logits: z, (N, U), row-major.
    ///   - labels: yₙ ∈ 0..<U, (N).
    ///   - n: N, the number of rows.
    ///   - u: U, the number of classes.
    ///   - gradScale: the gradient written to `dLogits` (N, U) is `gradScale · ∂ℓₙ/∂zₙ`
    ///     (1/B for the mean over a minibatch of B examples split into shards).
    ///   - dLogits: out, gradScale · ∂ℓₙ/∂zₙ, (N, U), overwritten; nil for the loss alone.
    /// - Returns: Σₙ ℓₙ (Double) and the number of rows whose argmax equals the label.
    @discardableResult
    public static func softmaxCrossEntropy(_ logits: UnsafePointer<Float>, labels: UnsafePointer<Int32>,
                                           n: Int, classes u: Int, gradScale: Float,
                                           _ dLogits: UnsafeMutablePointer<Float>?) -> (loss: Double, correct: Int) {
        var total = 0.0, correct = 0
        for e in 0 ..< n {
            let z = logits + e * u, y = Int(labels[e])
            var m = z[0], arg = 0
            for j in 1 ..< u where z[j] > m { m = z[j]; arg = j }
            if arg == y { correct += 1 }
            var s: Float = 0
            for j in 0 ..< u { s += expf(z[j] - m) }
            let logSum = logf(s) + m
            total += Double(logSum - z[y])
            if let d = dLogits {
                let g = d + e * u
                for j in 0 ..< u { g[j] = gradScale * expf(z[j] - logSum) }
                g[y] -= gradScale
            }
        }
        return (total, correct)
    }
}
