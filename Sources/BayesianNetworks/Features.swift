// Passes with the mean weights μ (no weight noise): the logits, and the network's learned features
// (the concatenated post-ReLU outputs of the three convolution branches, the input of the dense
// layer), which the Mahalanobis-distance detector on the deterministic twin uses (Paper §8).
import Foundation

extension CaloNetwork {
    /// Logits (count, U) of `count` examples with the mean weights μ (no noise).
    public func logits(x: [Float], count: Int, threads: Int = 1) -> [Float] {
        meanWeightPass(x: x, count: count, threads: threads, width: config.classes) { $0.logits.pointer }
    }

    /// Features (count, D) of `count` examples with the mean weights: per branch b the (H_b, W_b, F)
    /// post-ReLU convolution outputs, branches concatenated (D = F · cells per example).
    public func features(x: [Float], count: Int, threads: Int = 1) -> [Float] {
        meanWeightPass(x: x, count: count, threads: threads, width: config.featureCount) { $0.features.pointer }
    }

    /// One forward pass with the mean weights over `count` examples, keeping `width` floats per
    /// example from the shard workspace buffer `source` picks (the logits or the features).
    func meanWeightPass(x: [Float], count: Int, threads: Int, width: Int,
                        source: (ShardWorkspace) -> UnsafeMutablePointer<Float>) -> [Float] {
        let pass = prepareNoise(nil, threads: threads)
        let cells = config.cellsPerExample
        var out = [Float](repeating: 0, count: count * width)
        x.withUnsafeBufferPointer { xB in
            out.withUnsafeMutableBufferPointer { oB in
                let xP = xB.baseAddress!, oP = oB.baseAddress!
                _ = forEachShard(count: count, threads: threads, gradientShards: false) { sh, n, lo, ws in
                    let r = runShard(n: n, x: xP + lo * cells, labels: nil, firstIndex: lo, signs: nil, pass: pass,
                                     gradScale: 0, backward: false, ws: ws, shard: sh)
                    (oP + lo * width).update(from: source(ws), count: n * width)
                    return r
                }
            }
        }
        return out
    }

    /// Features pooled per branch and filter: for branch b and filter j the mean and the maximum
    /// of its post-ReLU outputs over the branch's positions — 2 · branches · F numbers per example
    /// (48 for the study's network), in the order (b, j, mean), (b, j, max).
    public func pooledFeatures(x: [Float], count: Int, threads: Int = 1) -> [Float] {
        let full = features(x: x, count: count, threads: threads)
        let d = config.featureCount, f = config.filters
        let p = 2 * convs.count * f
        var out = [Float](repeating: 0, count: count * p)
        for e in 0 ..< count {
            var off = e * d, k = e * p
            for conv in convs {
                let positions = conv.height * conv.width
                for j in 0 ..< f {
                    var sum: Float = 0, maximum: Float = 0
                    for q in 0 ..< positions {
                        let v = full[off + q * f + j]
                        sum += v; maximum = max(maximum, v)
                    }
                    out[k] = sum / Float(positions); out[k + 1] = maximum; k += 2
                }
                off += conv.outputCount
            }
        }
        return out
    }
}
