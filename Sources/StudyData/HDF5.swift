// A small, safe Swift layer over the HDF5 C library: files, datasets of numbers, attributes.
// Every failure is a thrown `HDF5Error` that names the file and the object.
import CHDF5
import Foundation

/// An HDF5 failure with the file and object it concerns, printable as one line.
public struct HDF5Error: Error, CustomStringConvertible, Equatable {
    /// What went wrong, including the path and dataset.
    public let message: String
    /// An error with `message`.
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Element types this layer reads and writes.
public protocol HDF5Scalar: BitwiseCopyable {
    /// The HDF5 native type id of `Self`.
    static var hdf5Type: hid_t { get }
    /// Zero.
    static var zeroValue: Self { get }
}
extension Float: HDF5Scalar {
    public static var hdf5Type: hid_t { calo_h5t_native_float() }
    public static var zeroValue: Float { 0 }
}
extension Double: HDF5Scalar {
    public static var hdf5Type: hid_t { calo_h5t_native_double() }
    public static var zeroValue: Double { 0 }
}
extension Int32: HDF5Scalar {
    public static var hdf5Type: hid_t { calo_h5t_native_int32() }
    public static var zeroValue: Int32 { 0 }
}
extension Int64: HDF5Scalar {
    public static var hdf5Type: hid_t { calo_h5t_native_int64() }
    public static var zeroValue: Int64 { 0 }
}
extension UInt64: HDF5Scalar {
    public static var hdf5Type: hid_t { calo_h5t_native_uint64() }
    public static var zeroValue: UInt64 { 0 }
}
extension UInt8: HDF5Scalar {
    public static var hdf5Type: hid_t { calo_h5t_native_uint8() }
    public static var zeroValue: UInt8 { 0 }
}

/// An open HDF5 file. Closed when released.
public final class HDF5File {
    /// The file's path, for messages.
    public let path: String
    let id: hid_t

    /// Serialises all HDF5 calls: Debian's serial HDF5 is not thread-safe.
    static let lock = NSLock()

    private init(path: String, id: hid_t) { self.path = path; self.id = id }

    /// Create (truncate) a file for writing.
    public static func create(_ path: String) throws -> HDF5File {
        lock.lock(); defer { lock.unlock() }
        calo_h5_silence_errors()
        let id = H5Fcreate(path, calo_h5f_acc_trunc(), calo_h5p_default(), calo_h5p_default())
        guard id >= 0 else { throw HDF5Error("\(path): cannot create HDF5 file (is the directory writable?)") }
        return HDF5File(path: path, id: id)
    }

    /// Open an existing file read-only.
    public static func open(_ path: String) throws -> HDF5File {
        lock.lock(); defer { lock.unlock() }
        calo_h5_silence_errors()
        guard FileManager.default.fileExists(atPath: path) else { throw HDF5Error("\(path): no such file") }
        guard H5Fis_hdf5(path) > 0 else { throw HDF5Error("\(path): not an HDF5 file (or truncated)") }
        let id = H5Fopen(path, calo_h5f_acc_rdonly(), calo_h5p_default())
        guard id >= 0 else { throw HDF5Error("\(path): cannot open HDF5 file (truncated or corrupt?)") }
        return HDF5File(path: path, id: id)
    }

    deinit {
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        H5Fclose(id)
    }

    /// Whether a dataset or group `name` exists at the root.
    public func contains(_ name: String) -> Bool {
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        return H5Lexists(id, name, calo_h5p_default()) > 0
    }

    /// Write `values` as dataset `name` of `shape` (row-major), gzip-compressed in chunks.
    public func write<T: HDF5Scalar>(_ name: String, _ values: [T], shape: [Int], compress: Bool = true) throws {
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        precondition(shape.reduce(1, *) == values.count, "\(name): shape \(shape) does not match \(values.count) values")
        var dims = shape.map { hsize_t($0) }
        let space = H5Screate_simple(Int32(dims.count), &dims, nil)
        defer { H5Sclose(space) }
        let plist = H5Pcreate(calo_h5p_dataset_create())
        defer { H5Pclose(plist) }
        // No modification times in the file: same inputs → byte-identical files.
        H5Pset_obj_track_times(plist, false)
        if compress, let first = shape.first, first > 0 {
            // Chunks of up to 1024 events along the first axis.
            var chunk = dims
            chunk[0] = min(dims[0], 1024)
            H5Pset_chunk(plist, Int32(chunk.count), &chunk)
            H5Pset_deflate(plist, 4)
        }
        let ds = H5Dcreate2(id, name, T.hdf5Type, space, calo_h5p_default(), plist, calo_h5p_default())
        guard ds >= 0 else { throw HDF5Error("\(path): cannot create dataset '\(name)'") }
        defer { H5Dclose(ds) }
        let status = values.withUnsafeBytes { H5Dwrite(ds, T.hdf5Type, calo_h5s_all(), calo_h5s_all(), calo_h5p_default(), $0.baseAddress) }
        guard status >= 0 else { throw HDF5Error("\(path): cannot write dataset '\(name)' (disk full?)") }
    }

    /// The shape of dataset `name`.
    public func shape(of name: String) throws -> [Int] {
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        guard H5Lexists(id, name, calo_h5p_default()) > 0 else { throw HDF5Error("\(path): no dataset '\(name)'") }
        let ds = H5Dopen2(id, name, calo_h5p_default())
        guard ds >= 0 else { throw HDF5Error("\(path): cannot open dataset '\(name)'") }
        defer { H5Dclose(ds) }
        let space = H5Dget_space(ds)
        defer { H5Sclose(space) }
        let rank = Int(H5Sget_simple_extent_ndims(space))
        var dims = [hsize_t](repeating: 0, count: max(rank, 0))
        H5Sget_simple_extent_dims(space, &dims, nil)
        return dims.map { Int($0) }
    }

    /// Read dataset `name` (converted to `T`), checking its shape against `expected` where an
    /// entry is non-nil (nil = any size).
    public func read<T: HDF5Scalar>(_ name: String, as: T.Type = T.self, expected: [Int?]? = nil) throws -> (values: [T], shape: [Int]) {
        let dims = try shape(of: name)
        if let expected {
            let ok = expected.count == dims.count && zip(expected, dims).allSatisfy { $0.0 == nil || $0.0 == $0.1 }
            if !ok {
                let want = expected.map { $0.map(String.init) ?? "N" }.joined(separator: ",")
                throw HDF5Error("\(path): dataset '\(name)' has shape (\(dims.map(String.init).joined(separator: ","))), expected (\(want))")
            }
        }
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        let ds = H5Dopen2(id, name, calo_h5p_default())
        defer { H5Dclose(ds) }
        var values = [T](repeating: T.zeroValue, count: dims.reduce(1, *))
        let status = values.withUnsafeMutableBytes { H5Dread(ds, T.hdf5Type, calo_h5s_all(), calo_h5s_all(), calo_h5p_default(), $0.baseAddress) }
        guard status >= 0 else { throw HDF5Error("\(path): cannot read dataset '\(name)' (truncated or corrupt file?)") }
        return (values, dims)
    }

    // MARK: Attributes on the root group

    /// Write a string attribute (variable-length UTF-8, read by h5py as `str`).
    public func setAttribute(_ name: String, _ value: String) throws {
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        let type = H5Tcopy(calo_h5t_c_s1())
        defer { H5Tclose(type) }
        H5Tset_size(type, Int(bitPattern: UInt(bitPattern: -1)))  // H5T_VARIABLE = (size_t)-1
        H5Tset_cset(type, H5T_CSET_UTF8)
        let space = H5Screate(H5S_SCALAR)
        defer { H5Sclose(space) }
        let attr = H5Acreate2(id, name, type, space, calo_h5p_default(), calo_h5p_default())
        guard attr >= 0 else { throw HDF5Error("\(path): cannot create attribute '\(name)'") }
        defer { H5Aclose(attr) }
        let status: herr_t = value.withCString { cstr in
            var p: UnsafePointer<CChar>? = cstr
            return H5Awrite(attr, type, &p)
        }
        guard status >= 0 else { throw HDF5Error("\(path): cannot write attribute '\(name)'") }
    }

    /// Write a numeric scalar attribute.
    public func setAttribute<T: HDF5Scalar>(_ name: String, _ value: T) throws {
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        let space = H5Screate(H5S_SCALAR)
        defer { H5Sclose(space) }
        let attr = H5Acreate2(id, name, T.hdf5Type, space, calo_h5p_default(), calo_h5p_default())
        guard attr >= 0 else { throw HDF5Error("\(path): cannot create attribute '\(name)'") }
        defer { H5Aclose(attr) }
        var v = value
        guard H5Awrite(attr, T.hdf5Type, &v) >= 0 else { throw HDF5Error("\(path): cannot write attribute '\(name)'") }
    }

    /// Read a string attribute of the root group.
    public func stringAttribute(_ name: String) throws -> String {
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        guard H5Aexists(id, name) > 0 else { throw HDF5Error("\(path): no attribute '\(name)'") }
        let attr = H5Aopen(id, name, calo_h5p_default())
        defer { H5Aclose(attr) }
        let type = H5Tcopy(calo_h5t_c_s1())
        defer { H5Tclose(type) }
        H5Tset_size(type, Int(bitPattern: UInt(bitPattern: -1)))
        H5Tset_cset(type, H5T_CSET_UTF8)
        var p: UnsafeMutablePointer<CChar>? = nil
        guard H5Aread(attr, type, &p) >= 0, let cstr = p else { throw HDF5Error("\(path): attribute '\(name)' is not a string") }
        defer { free(cstr) }
        return String(cString: cstr)
    }

    /// Read a numeric scalar attribute of the root group.
    public func numericAttribute<T: HDF5Scalar>(_ name: String, as: T.Type = T.self) throws -> T {
        HDF5File.lock.lock(); defer { HDF5File.lock.unlock() }
        guard H5Aexists(id, name) > 0 else { throw HDF5Error("\(path): no attribute '\(name)'") }
        let attr = H5Aopen(id, name, calo_h5p_default())
        defer { H5Aclose(attr) }
        var v = T.zeroValue
        guard H5Aread(attr, T.hdf5Type, &v) >= 0 else { throw HDF5Error("\(path): cannot read attribute '\(name)'") }
        return v
    }
}

/// Write a file atomically: `body` writes to a temporary path beside `path`, which is renamed
/// onto `path` only if `body` succeeds — a failed or interrupted run leaves no partial file.
public func writeAtomically(to path: String, _ body: (String) throws -> Void) throws {
    let url = URL(fileURLWithPath: path)
    let dir = url.deletingLastPathComponent().path
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
        throw HDF5Error("\(path): directory '\(dir)' does not exist")
    }
    let tmp = dir + "/." + url.lastPathComponent + ".tmp-\(getpid())"
    do {
        try body(tmp)
        if rename(tmp, path) != 0 { throw HDF5Error("\(path): cannot rename temporary file into place") }
    } catch {
        unlink(tmp)
        throw error
    }
}
