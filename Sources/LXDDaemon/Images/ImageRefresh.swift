import Foundation
import LXDAPI
import LXDCore

/// Keeping pulled images up to date (LXD's image auto-update): an image pulled by alias asks its
/// server what the alias names now; a newer image is downloaded, takes over the old one's
/// aliases, flags and last use, and the old one is removed from the store.
enum ImageRefresh {
    /// Refreshes one image; true when a newer image replaced it.
    static func refresh(_ image: ImageRecord, state: DaemonState, operation: BackgroundOperation?) async throws -> Bool {
        guard let origin = image.updateSource, !origin.alias.isEmpty else { return false }
        var source = InstanceSource()
        source.type = "image"
        source.server = origin.server
        source.protocol = origin.protocol
        source.certificate = origin.certificate
        source.alias = origin.alias
        let fresh = try await ImageDownload.pull(
            source, state: state, operation: operation, isPublic: image.isPublic, cached: image.cached, autoUpdate: true)
        guard fresh.fingerprint != image.fingerprint else { return false }
        try await state.database.touchImage(fingerprint: fresh.fingerprint, at: image.lastUsedAt)
        try await state.database.moveImageAliases(from: image.fingerprint, to: fresh.fingerprint)
        try await state.images.delete(fingerprint: image.fingerprint, requestor: nil)
        await state.storage.deleteImageVolumes(image.fingerprint)
        state.events.lifecycle("image-refreshed", source: "/1.0/images/\(image.fingerprint)", requestor: nil)
        return true
    }
}

/// At start and every `images.auto_update_interval` hours (0: never), refreshes every image
/// flagged for auto-update. The interval is read each minute, so a change applies without restart.
struct ImageAutoUpdater {
    let state: DaemonState

    func run() async {
        var lastRun: Date?
        while !Task.isCancelled {
            let hours = (try? await state.database.serverConfig())?["images.auto_update_interval"].flatMap { Int($0) } ?? 6
            if hours > 0, lastRun.map({ Date().timeIntervalSince($0) >= Double(hours) * 3600 }) ?? true {
                lastRun = Date()
                await refreshAll()
            }
            try? await Task.sleep(for: .seconds(60))
        }
    }

    func refreshAll() async {
        guard let images = try? await state.database.autoUpdateImages() else { return }
        for image in images {
            do {
                if try await ImageRefresh.refresh(image, state: state, operation: nil) {
                    state.logger.info("Image refreshed", ["fingerprint": image.fingerprint, "alias": image.updateSource?.alias ?? ""])
                }
            } catch {
                state.logger.warning("Failed to update the image", ["fingerprint": image.fingerprint, "err": "\(error)"])
            }
        }
    }
}
