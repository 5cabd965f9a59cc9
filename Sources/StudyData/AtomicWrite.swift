// Outputs that are either complete or absent. Every file, model and table directory the package
// writes goes to a temporary path beside its destination and is renamed into place only when it
// is complete and its last byte has reached the disk; a failure, SIGINT, SIGTERM or SIGHUP
// leaves the previous output untouched and no temporary behind. A destination that exists but
// is not a regular file (a device, a FIFO, a symbolic link) is refused, never replaced.
//
// Temporaries are named `.<name>.tmp-<pid>`; one left by a process killed with SIGKILL (which no
// handler can see) is removed by the next write to the same destination once that pid is gone.
import Foundation

/// Refuse to replace `path` unless it is absent or a regular file (`directory`: a directory).
public func checkReplaceable(_ path: String, directory: Bool = false) throws {
    var st = stat()
    guard lstat(path, &st) == 0 else { return }
    let type = st.st_mode & S_IFMT
    if directory ? type == S_IFDIR : type == S_IFREG { return }
    let what: String
    switch type {
    case S_IFCHR: what = "a character device"
    case S_IFBLK: what = "a block device"
    case S_IFIFO: what = "a FIFO"
    case S_IFSOCK: what = "a socket"
    case S_IFLNK: what = "a symbolic link"
    case S_IFDIR: what = "a directory"
    default: what = "a regular file"
    }
    throw HDF5Error("\(path): exists and is \(what), not \(directory ? "a directory" : "a regular file"); refusing to replace it")
}

/// Write a file atomically: `body` writes to a temporary path beside `path`, which is synced and
/// renamed onto `path` only if `body` succeeds — a failed or interrupted run leaves no partial file.
public func writeAtomically(to path: String, _ body: (String) throws -> Void) throws {
    try checkReplaceable(path)
    let url = URL(fileURLWithPath: path)
    let dir = url.deletingLastPathComponent().path
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
        throw HDF5Error("\(path): directory '\(dir)' does not exist")
    }
    let tmp = TemporaryFiles.path(for: path)
    TemporaryFiles.register(tmp)
    defer { TemporaryFiles.unregister(tmp) }
    do {
        try body(tmp)
        try syncFile(tmp, for: path)
        try TemporaryFiles.commit(tmp, to: path)
    } catch {
        unlink(tmp)
        throw error
    }
}

/// Write `text` (UTF-8) to `path` atomically (``writeAtomically(to:_:)``): every table, data file
/// and macro file of the package goes through here.
public func writeTextAtomically(_ text: String, to path: String) throws {
    try writeAtomically(to: path) { tmp in
        guard FileManager.default.createFile(atPath: tmp, contents: Data(text.utf8)) else {
            throw HDF5Error("\(path): cannot write the file (disk full?)")
        }
    }
}

/// Write an HDF5 file atomically: `body` fills a new file at a temporary path, which is flushed
/// and closed (both checked) before ``writeAtomically(to:_:)`` renames it into place.
public func writeHDF5Atomically(to path: String, _ body: (HDF5File) throws -> Void) throws {
    try writeAtomically(to: path) { tmp in
        let f = try HDF5File.create(tmp, exclusive: true, displayPath: path)
        do { try body(f) } catch { try? f.close(); throw error }
        do { try f.close() } catch { throw HDF5Error("\(path): cannot finish writing the file (disk full?)") }
    }
}

/// Write a directory of outputs atomically: `body` fills a fresh temporary directory; when it
/// succeeds its files are renamed into `path` (created, with its parents, if missing; if `path`
/// did not exist the whole directory is renamed at once). On failure or interruption nothing is
/// created or changed at `path`.
public func writeDirectoryAtomically(to path: String, _ body: (String) throws -> Void) throws {
    try checkReplaceable(path, directory: true)
    // The temporary lives in the nearest existing ancestor, so no parent is created before success.
    var anchor = URL(fileURLWithPath: path).deletingLastPathComponent()
    while !FileManager.default.fileExists(atPath: anchor.path) && anchor.path != "/" { anchor.deleteLastPathComponent() }
    guard access(anchor.path, W_OK) == 0 else { throw HDF5Error("\(path): directory '\(anchor.path)' is not writable") }
    let tmp = anchor.path + "/." + URL(fileURLWithPath: path).lastPathComponent + ".tmp-\(getpid())"
    TemporaryFiles.removeStale(like: tmp)
    TemporaryFiles.register(tmp)
    defer { TemporaryFiles.unregister(tmp) }
    do {
        guard mkdir(tmp, 0o755) == 0 else { throw HDF5Error("\(path): cannot create a temporary directory in '\(anchor.path)'") }
        try body(tmp)
        let names = try FileManager.default.contentsOfDirectory(atPath: tmp).sorted()
        for name in names {
            let s = tmp + "/" + name
            try syncFile(s, for: path + "/" + name)
            try checkReplaceable(path + "/" + name)
        }
        if FileManager.default.fileExists(atPath: path) {
            for name in names { try TemporaryFiles.commit(tmp + "/" + name, to: path + "/" + name) }
            try? FileManager.default.removeItem(atPath: tmp)
        } else {
            let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
            do { try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true) }
            catch { throw HDF5Error("\(path): cannot create directory '\(parent)'") }
            try TemporaryFiles.commit(tmp, to: path)
        }
    } catch {
        try? FileManager.default.removeItem(atPath: tmp)
        throw naming(error, path, insteadOf: tmp)
    }
}

/// `error` with the temporary directory `tmp` replaced by the destination `path` in its message
/// (and Foundation's file errors reduced to "file: reason").
private func naming(_ error: Error, _ path: String, insteadOf tmp: String) -> Error {
    let suffix = ".tmp-\(getpid())"
    func shown(_ p: String) -> String { p.replacingOccurrences(of: tmp, with: path).replacingOccurrences(of: suffix, with: "") }
    if let e = error as? CocoaError {
        let reason = (e.underlying as? POSIXError).map { String(cString: strerror($0.code.rawValue)) } ?? "cannot write"
        return HDF5Error("\(shown(e.filePath ?? e.url?.path ?? path)): \(reason)")
    }
    let text = "\(error)"
    return text.contains(tmp) ? HDF5Error(shown(text)) : error
}

/// fsync a finished temporary so that a full disk or an I/O error is reported before the rename.
private func syncFile(_ tmp: String, for path: String) throws {
    let fd = open(tmp, O_RDONLY)
    guard fd >= 0 else { throw HDF5Error("\(path): the temporary file vanished before it was complete") }
    defer { Foundation.close(fd) }
    guard fsync(fd) == 0 else { throw HDF5Error("\(path): cannot write to disk (\(String(cString: strerror(errno))))") }
}

/// The temporaries of this process, removed on SIGINT, SIGTERM and SIGHUP.
public enum TemporaryFiles {
    nonisolated(unsafe) private static var paths = Set<String>()
    nonisolated(unsafe) private static var terminating = false
    /// The signals the cleanup thread waits for (those the process was not started ignoring).
    nonisolated(unsafe) private static var watched = sigset_t()
    private static let lock = NSLock()

    /// `.<name>.tmp-<pid>` beside `path`; a stale one of a dead process is removed first.
    static func path(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        let tmp = url.deletingLastPathComponent().path + "/." + url.lastPathComponent + ".tmp-\(getpid())"
        removeStale(like: tmp)
        return tmp
    }

    /// Remove `.<name>.tmp-<pid>` siblings of `tmp` whose process no longer exists (killed by SIGKILL).
    static func removeStale(like tmp: String) {
        let url = URL(fileURLWithPath: tmp)
        let dir = url.deletingLastPathComponent().path, name = url.lastPathComponent
        guard let stem = name.range(of: ".tmp-", options: .backwards).map({ String(name[..<$0.upperBound]) }),
              let entries = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return }
        for e in entries where e.hasPrefix(stem) {
            guard let pid = Int32(e.dropFirst(stem.count)), pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { try? FileManager.default.removeItem(atPath: dir + "/" + e) }
        }
    }

    static func register(_ path: String) { lock.lock(); paths.insert(path); lock.unlock() }
    static func unregister(_ path: String) { lock.lock(); paths.remove(path); lock.unlock() }

    /// Rename `tmp` onto `path` unless a signal has arrived or is being handled (then the cleanup
    /// thread removes `tmp`).
    static func commit(_ tmp: String, to path: String) throws {
        lock.lock(); defer { lock.unlock() }
        // A signal that has arrived but that the cleanup thread has not taken yet is pending
        // (every thread blocks the watched signals): it counts as arrived.
        var pending = sigset_t()
        sigpending(&pending)
        let arrived = [SIGINT, SIGTERM, SIGHUP].contains { sigismember(&watched, $0) == 1 && sigismember(&pending, $0) == 1 }
        guard !terminating && !arrived else { throw HDF5Error("\(path): interrupted") }
        guard rename(tmp, path) == 0 else {
            throw HDF5Error("\(path): cannot move the finished file into place (\(String(cString: strerror(errno))))")
        }
        paths.remove(tmp)
    }

    /// Install the cleanup: on SIGINT, SIGTERM or SIGHUP remove every registered temporary, then
    /// die of the same signal. A signal the process was started with ignored stays ignored.
    ///
    /// Call it first thing, before any other thread exists: it blocks the three signals in the
    /// calling thread, every thread started later inherits that, and one thread of its own takes
    /// them with `sigwait`. So a signal stays pending until that thread takes it — a file being
    /// committed in that instant sees it pending and is not renamed into place — and the thread
    /// runs at the process's own priority. (A libdispatch signal source, used before, ran its
    /// handler on a libdispatch worker at libdispatch's priority, leaving a window — not observed
    /// in practice — in which the main thread could commit a file before the handler ran.)
    public static func installSignalCleanup() {
        sigemptyset(&watched)
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            var current = sigaction()
            sigaction(sig, nil, &current)
            if unsafeBitCast(current.__sigaction_handler.sa_handler, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self) { continue }
            sigaddset(&watched, sig)
        }
        var set = watched
        pthread_sigmask(SIG_BLOCK, &set, nil)
        let thread = Thread {
            var set = watched
            var sig: Int32 = 0
            while sigwait(&set, &sig) != 0 {}
            lock.lock()
            terminating = true
            for p in paths { try? FileManager.default.removeItem(atPath: p) }
            // Die of the same signal (the shell then reports it as usual); exit 128 + signal if
            // it stays blocked somewhere.
            signal(sig, SIG_DFL)
            var one = sigset_t()
            sigemptyset(&one)
            sigaddset(&one, sig)
            pthread_sigmask(SIG_UNBLOCK, &one, nil)
            raise(sig)
            _exit(128 + sig)
        }
        thread.name = "calobnn-signal-cleanup"
        thread.start()
    }
}
