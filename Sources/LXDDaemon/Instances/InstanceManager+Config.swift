import CShim
import Foundation
import LXDAPI
import LXDCore

/// Config validation and id maps: what LXD checks when an instance is created or updated, and
/// the rootfs remap when a container's id map changed while it was stopped.
extension InstanceManager {
    /// The keys whose change gives a container a new id map (LXD recomputes it then).
    static let idmapKeys = ["security.idmap.isolated", "security.idmap.base", "security.idmap.size", "raw.idmap", "security.privileged"]

    /// The config and devices of a new instance; nil when valid, else LXD's message for the
    /// failed "Creating instance" operation.
    func createValidationError(config: [String: String], devices: Devices) -> String? {
        do {
            try ConfigValidator.validate(config, for: .container)
        } catch {
            return "Failed creating instance record: \(error.message)"
        }
        do {
            try DeviceValidator.validate(devices)
            try DeviceValidator.checkSources(devices)
        } catch {
            return "Failed creating instance record: Failed initialising instance: Invalid devices: \(error.message)"
        }
        return nil
    }

    /// LXD's checks of `PUT`/`PATCH /1.0/instances/NAME`, in its order and words (a 500 on
    /// PATCH, the failed operation's error on PUT). Recomputes the id map into `updated` when a
    /// security key changed.
    func validateUpdate(from record: InstanceRecord, to updated: inout InstanceRecord) async throws {
        func fail(_ message: String) -> LXDError { LXDError.internalError(message) }
        do { try ConfigValidator.validate(updated.config, for: .container) } catch { throw fail("Invalid config: \(error.message)") }
        do { try DeviceValidator.validate(updated.devices) } catch { throw fail("Invalid devices: \(error.message)") }
        var seen: Set<String> = []
        for profile in updated.profiles where !seen.insert(profile).inserted {
            throw fail("Duplicate profile found in request")
        }
        do {
            try ConfigValidator.checkProtectedKeysKept(old: record.config, new: updated.config)
        } catch {
            throw fail(error.message)
        }
        let old = try await expanded(record)
        let new = try await expanded(updated)
        do { try ExpandedValidation.validate(config: new.config, devices: new.devices) } catch { throw fail(error.message) }
        if let oldPool = try? rootPool(old.devices), let newPool = try? rootPool(new.devices), oldPool != newPool {
            throw fail("Cannot update root disk device pool name to \(GoSyntax.quote(newPool))")
        }
        if new.config["raw.lxc"] != old.config["raw.lxc"], let raw = new.config["raw.lxc"], !raw.isEmpty {
            try await lxc.checkRawConfig(raw)
        }
        if Self.idmapKeys.contains(where: { old.config[$0] != new.config[$0] }) {
            do {
                let (map, base) = try await idmap(for: new.config, excluding: record.name)
                updated.config["volatile.idmap.next"] = map.volatileJSON
                updated.config["volatile.idmap.base"] = String(base)
            } catch let error as ConfigValueError {
                throw fail("Failed to get ID map: \(error.message)")
            }
        }
        do { try DeviceValidator.checkSources(updated.devices) } catch { throw fail(error.message) }
    }

    /// The map and base for an instance with expanded `config`, clear of the other isolated
    /// containers' blocks.
    func idmap(for config: [String: String], excluding name: String) async throws -> (map: ContainerIdmap, base: Int64) {
        var blocks: [IdmapAllocator.Block] = []
        if IdmapAllocator.isIsolated(config) && !IdmapAllocator.isPrivileged(config) {
            for other in try await database.instances() where other.name != name {
                let otherConfig = try await expanded(other).config
                guard IdmapAllocator.isIsolated(otherConfig), !IdmapAllocator.isPrivileged(otherConfig),
                    let base = Int64(other.config["volatile.idmap.base"] ?? "")
                else { continue }
                blocks.append(IdmapAllocator.Block(base: base, size: try IdmapAllocator.size(otherConfig, daemon: idmap)))
            }
        }
        return try IdmapAllocator.idmap(for: config, daemon: idmap, others: blocks)
    }

    /// The map a container runs with next (`volatile.idmap.next`; the daemon's when unset).
    func nextIdmap(_ record: InstanceRecord) -> ContainerIdmap {
        record.config["volatile.idmap.next"].flatMap(ContainerIdmap.fromVolatile) ?? ContainerIdmap(idmap)
    }

    /// The map the rootfs is written in (`volatile.last_state.idmap`; the daemon's when unset).
    func diskIdmap(_ record: InstanceRecord) -> ContainerIdmap {
        record.config["volatile.last_state.idmap"].flatMap(ContainerIdmap.fromVolatile) ?? ContainerIdmap(idmap)
    }

    /// Before a start: rewrites the rootfs owners from the map it was written in to the map the
    /// container starts with, and hands the volume folder to the new root.
    static func remapRootfs(volume: String, from old: ContainerIdmap, to new: ContainerIdmap) async throws {
        guard old != new else { return }
        let uids = old.translation(to: new, isUID: true).map {
            lxd_id_run(from: UInt32($0.from), to: UInt32($0.to), count: UInt32($0.count))
        }
        let gids = old.translation(to: new, isUID: false).map {
            lxd_id_run(from: UInt32($0.from), to: UInt32($0.to), count: UInt32($0.count))
        }
        let root = new.rootOwner
        try await Blocking.run("lxd-remap") {
            let status = lxd_fs_remap_tree(volume + "/rootfs", uids, uids.count, gids, gids.count)
            guard status == 0 else {
                throw LXDError.internalError("Failed remapping the instance's rootfs: \(String(cString: strerror(-status)))")
            }
            chown(volume, uid_t(root.uid), gid_t(root.gid))
        }
    }
}

extension InstanceManager {
    /// Gives a new record its id map (`volatile.idmap.next`, `volatile.idmap.base`).
    func assignIdmap(_ record: inout InstanceRecord) async throws {
        let config = try await expanded(record).config
        do {
            let (map, base) = try await idmap(for: config, excluding: record.name)
            record.config["volatile.idmap.next"] = map.volatileJSON
            record.config["volatile.idmap.base"] = String(base)
        } catch let error as ConfigValueError {
            throw LXDError.badRequest(
                "Failed creating instance record: Failed initialising instance: Failed to get ID map: \(error.message)")
        }
    }
}

extension InstanceManager {
    /// Stores a new instance row with its id map, under the id map lock so that two isolated
    /// containers created at once never get the same block.
    func createRecordWithIdmap(_ record: InstanceRecord) async throws -> InstanceRecord {
        await idmapLock.lock()
        defer { idmapLock.unlock() }
        var record = record
        try await assignIdmap(&record)
        return try await database.createInstance(record)
    }
}
