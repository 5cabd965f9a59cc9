// The GSL + OpenBLAS link order (Package.swift, DESIGN.md): libgsl pulls in GSL's reference
// CBLAS, which also exports cblas_sgemm; openblas must come first so that it wins.
import CNumerics
import Foundation
import Testing

@Test("cblas_sgemm binds to OpenBLAS, not to GSL's reference CBLAS")
func sgemmProvider() throws {
    let provider = try #require(calo_bnn_sgemm_provider()).withMemoryRebound(to: CChar.self, capacity: 1) { String(cString: $0) }
    #expect(provider.contains("openblas"), "cblas_sgemm comes from \(provider)")
    #expect(!provider.contains("gslcblas"))
    // And it computes: C = A·B for 2×2 matrices.
    let a: [Float] = [1, 2, 3, 4], b: [Float] = [5, 6, 7, 8]
    var c = [Float](repeating: 0, count: 4)
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 2, 2, 2, 1, a, 2, b, 2, 0, &c, 2)
    #expect(c == [19, 22, 43, 50])
}
