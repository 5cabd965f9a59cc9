// Which BLAS this process calls, and its threading (DESIGN.md: OpenBLAS, one BLAS thread; we
// parallelise over the batch ourselves).
import CNumerics

/// BLAS set-up shared by every kernel.
public enum BLAS {
    /// The shared object that provides `cblas_sgemm` (must be OpenBLAS, not GSL's reference CBLAS).
    public static var sgemmProvider: String {
        calo_bnn_sgemm_provider().map { String(cString: $0) } ?? "unknown"
    }

    /// Pin OpenBLAS to one thread: at this network's matrix sizes two BLAS threads are slower
    /// than two batch halves on one thread each.
    public static func useSingleThread() { openblas_set_num_threads(1) }
}
