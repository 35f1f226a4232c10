import Glibc
import LXDAPI

/// Removes a tree as `rm -rf` does, relative to open directory descriptors. A container owns
/// what is in its rootfs, so nothing about the tree is trusted: no path is ever built (folders
/// nested past PATH_MAX still go), names are passed on as bytes (not all are UTF-8), a symlink
/// is removed and never followed, the walk does not enter another filesystem (a mount left
/// inside is named in the error, not emptied), and it is a loop, so depth costs no stack.
enum TreeRemover {
    /// How often a folder is read again when it was not empty after one pass: entries made
    /// while it was read, or not returned by a `readdir` that ran alongside the unlinks.
    private static let passes = 3

    private struct Level {
        let directory: OpaquePointer
        /// Its name in the folder below it on the stack, NUL-terminated; the whole path for the top.
        let name: [CChar]
        var pass = 1
    }

    /// Removes `path` and all under it; a missing path is not an error. Goes on past what
    /// cannot be removed and throws the first failure at the end.
    static func remove(_ path: String) throws {
        if unlink(path) == 0 || errno == ENOENT { return }
        guard errno == EISDIR else { throw failure(path, errno) }
        var firstFailure: LXDError?
        func record(_ error: Int32, _ stack: [Level], _ name: [CChar]) {
            guard firstFailure == nil else { return }
            let components = stack.map { String(decoding: $0.name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) }
            let leaf = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            firstFailure = failure((components + [leaf]).joined(separator: "/"), error)
        }

        let top = Array(path.utf8CString)
        guard let directory = openDirectory(AT_FDCWD, top) else {
            if errno == ENOENT { return }
            throw failure(path, errno)
        }
        var topStatus = stat()
        fstat(dirfd(directory), &topStatus)
        var stack = [Level(directory: directory, name: top)]
        while var level = stack.last {
            let descriptor = dirfd(level.directory)
            if let entry = readdir(level.directory) {
                let name = entryName(entry)
                if name == [46, 0] || name == [46, 46, 0] { continue }  // "." and ".."
                if entry.pointee.d_type != UInt8(DT_DIR) {
                    if unlinkat(descriptor, name, 0) == 0 || errno == ENOENT { continue }
                    guard errno == EISDIR else {
                        record(errno, stack, name)
                        continue
                    }
                }
                if let child = openDirectory(descriptor, name) {
                    var status = stat()
                    if fstat(dirfd(child), &status) == 0 && status.st_dev == topStatus.st_dev {
                        stack.append(Level(directory: child, name: name))
                    } else {
                        closedir(child)
                        record(EXDEV, stack, name)
                    }
                } else if errno == ENOTDIR || errno == ELOOP {
                    // Replaced by a file or a symlink since it was listed.
                    if unlinkat(descriptor, name, 0) != 0 && errno != ENOENT { record(errno, stack, name) }
                } else if errno != ENOENT {
                    record(errno, stack, name)
                }
                continue
            }
            stack.removeLast()
            let parent = stack.last.map { dirfd($0.directory) } ?? AT_FDCWD
            if unlinkat(parent, level.name, AT_REMOVEDIR) == 0 || errno == ENOENT {
                closedir(level.directory)
            } else if errno == ENOTEMPTY && level.pass < passes {
                level.pass += 1
                rewinddir(level.directory)
                stack.append(level)
            } else {
                record(errno, stack, level.name)
                closedir(level.directory)
            }
        }
        if let firstFailure { throw firstFailure }
    }

    private static func openDirectory(_ parent: Int32, _ name: [CChar]) -> OpaquePointer? {
        let descriptor = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        guard let directory = fdopendir(descriptor) else {
            let saved = errno
            close(descriptor)
            errno = saved
            return nil
        }
        return directory
    }

    /// The entry's name as the bytes it has, NUL-terminated. Read up to its NUL only: a record in
    /// `readdir`'s buffer is only as long as its name, not `dirent`'s full size.
    private static func entryName(_ entry: UnsafeMutablePointer<dirent>) -> [CChar] {
        withUnsafeMutablePointer(to: &entry.pointee.d_name) { field in
            let name = UnsafeRawPointer(field).assumingMemoryBound(to: CChar.self)
            return Array(UnsafeBufferPointer(start: name, count: strlen(name) + 1))
        }
    }

    private static func failure(_ path: String, _ error: Int32) -> LXDError {
        LXDError.internalError("Failed removing \"\(path)\": \(String(cString: strerror(error)))")
    }
}
