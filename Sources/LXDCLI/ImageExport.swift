import Foundation
import LXDAPI
import LXDClient
import LXDCommandLine
import LXDCore
import LXDHTTP

/// `lxc image export`: downloads an image as the server stores it. A unified image becomes one
/// file; a split one a metadata file and a rootfs file (`<target>.root`), both multipart parts of
/// one response. In a folder the files keep the server's names; a named target gets the
/// server's extension (unified images only, as LXD's client does).
struct ImageExportCommand: LXCCommand {
    var spec: CommandSpec {
        CommandSpec(
            name: "export", usage: "[<remote>:]<image> [<target>]", short: "Export and download images",
            long: "Export and download images\n\nThe output target is optional and defaults to the working directory.",
            flags: [Flag("vm", usage: "Query virtual machine images")])
    }

    func run(_ ctx: CLIContext, _ args: ParsedArguments) throws {
        guard try ctx.checkArgs(args, min: 1, max: 2) else { return }
        let (server, name) = try ctx.resolve(args.positional[0])
        let (fingerprint, _, _) = try resolveImage(server, name)
        let target = args.positional.count > 1 ? args.positional[1] : "."
        let targetIsFolder = Self.isFolder(target)
        let metaPath = targetIsFolder ? (target as NSString).appendingPathComponent(fingerprint) : target
        let rootfsPath = metaPath + ".root"

        let download = try ImageExportDownload(metaPath: metaPath, rootfsPath: rootfsPath)
        let progress = ProgressRenderer(format: "Exporting the image: %s", quiet: ctx.isQuiet, out: ctx.stdout)
        var rate = TransferRate()
        do {
            try server.exportImage(fingerprint, head: { try download.begin($0) }) { bytes in
                try download.write(bytes)
                if let text = rate.text(received: download.received, total: download.total) { progress.update(text) }
            }
            try download.finish()
        } catch {
            progress.finish()
            download.discard()
            throw error
        }
        if download.sha256 != fingerprint {
            download.discard()
            throw LXDError(.internalServerError, "Image fingerprint doesn't match. Got \(download.sha256) expected \(fingerprint)")
        }

        if targetIsFolder {
            if let metaName = download.metaName { try Self.rename(metaPath, to: (target as NSString).appendingPathComponent(metaName)) }
            if let rootfsName = download.rootfsName {
                try Self.rename(rootfsPath, to: (target as NSString).appendingPathComponent(rootfsName))
            }
        } else if download.rootfsName == nil, args.positional.count > 1, let metaName = download.metaName,
            let dot = metaName.firstIndex(of: ".")
        {
            try Self.rename(metaPath, to: metaPath + "." + metaName[metaName.index(after: dot)...])
        }
        progress.finish("Image exported successfully!")
    }

    static func isFolder(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    static func rename(_ from: String, to: String) throws {
        guard Glibc.rename(from, to) == 0 else {
            throw LXDError(.internalServerError, "rename \(from) \(to): \(String(cString: strerror(errno)))")
        }
    }
}

/// `N% (SPEED/s)` each time the whole percentage changes, as LXD's progress tracker does.
private struct TransferRate {
    private var percent: Int64 = -1
    private let started = Date()

    mutating func text(received: Int64, total: Int64) -> String? {
        guard total > 0 else { return nil }
        let now = min(received * 100 / total, 100)
        guard now != percent else { return nil }
        percent = now
        let seconds = max(Date().timeIntervalSince(started), 1e-9)
        return "\(now)% (\(Units.byteSize(Int64(Double(received) / seconds)))/s)"
    }
}
