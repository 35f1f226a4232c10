import Foundation
import LXDTestSupport
import Testing

/// pylxd (PyPI, installed by scripts/setup-host.sh) against our daemon's unix socket: profiles,
/// instance configuration and devices. The script exits non-zero, naming the check, on anything
/// pylxd gets wrong (an exception or a value that did not round-trip).
@Suite(.serialized, .enabled(if: containersAvailable))
struct PylxdProfilesSerialTests {
    static let setup = #"""
        socket, prefix, instance_name, share = sys.argv[1:5]
        client = Client(endpoint=socket)
        name = prefix + "-py"

        def refused(action, what):
            try:
                action()
            except LXDAPIException as error:
                return str(error)
            print("FAIL: not refused: " + what)
            sys.exit(1)
        """#

    static let steps = #"""
            # Profiles: create, get, update config and devices, rename, delete.
            profile = client.profiles.create(
                name, config={"user.a": "1", "limits.memory": "128MB"},
                devices={"share": {"type": "disk", "source": share, "path": "/mnt/share"}}, description="from pylxd")
            check(client.profiles.exists(name), "profile exists")
            profile = client.profiles.get(name)
            check(profile.config == {"user.a": "1", "limits.memory": "128MB"}, "config %r" % profile.config)
            check(profile.devices == {"share": {"type": "disk", "source": share, "path": "/mnt/share"}}, "devices %r" % profile.devices)
            check(profile.description == "from pylxd", "description")
            check(profile.used_by == [], "used_by %r" % profile.used_by)
            check(name in [p.name for p in client.profiles.all()], "listed")
            profile.config["user.b"] = "2"
            del profile.config["user.a"]
            profile.devices["share"]["readonly"] = "true"
            profile.description = "saved"
            profile.save()
            profile = client.profiles.get(name)
            check(profile.config == {"user.b": "2", "limits.memory": "128MB"}, "saved config %r" % profile.config)
            check(profile.devices["share"].get("readonly") == "true", "saved device %r" % profile.devices)
            check(profile.description == "saved", "saved description")
            message = refused(lambda: client.profiles.create(name), "duplicate profile")
            check("already exists" in message, "duplicate message %r" % message)
            before = client.profiles.get(name)
            bad = client.profiles.get(name)
            bad.config["bogus.key"] = "1"
            refused(bad.save, "unknown key")
            check(client.profiles.get(name).config == before.config, "bad save left the profile alone")
            refused(lambda: client.profiles.get("default").delete(), "deleting default")
            profile.rename(name + "-r")
            name = name + "-r"
            check(client.profiles.exists(name) and not client.profiles.exists(prefix + "-py"), "renamed")

            # Instance configuration: get, set a user key and a limit, devices, profiles, save.
            instance = client.instances.get(instance_name)
            check(instance.profiles == ["default"], "instance profiles %r" % instance.profiles)
            instance.config["user.py"] = "hello"
            instance.config["limits.cpu"] = "1"
            instance.profiles = ["default", name]
            instance.devices["extra"] = {"type": "disk", "source": share, "path": "/mnt/extra"}
            instance.save(wait=True)
            instance = client.instances.get(instance_name)
            check(instance.config.get("user.py") == "hello", "user key %r" % instance.config)
            check(instance.config.get("limits.cpu") == "1", "limit %r" % instance.config)
            check(instance.expanded_config.get("limits.memory") == "128MB", "expanded from profile %r" % instance.expanded_config)
            check(instance.profiles == ["default", name], "profiles %r" % instance.profiles)
            check(instance.devices.get("extra", {}).get("path") == "/mnt/extra", "device %r" % instance.devices)
            check("share" in instance.expanded_devices and "root" in instance.expanded_devices, "expanded devices")
            check(client.profiles.get(name).used_by == ["/1.0/instances/" + instance_name], "used_by")
            refused(lambda: client.profiles.get(name).delete(), "deleting a profile in use")
            instance.start(wait=True)
            result = instance.execute(["cat", "/mnt/share/proof"])
            check(result.exit_code == 0 and result.stdout == "from the host\n", "profile disk inside %r" % (result,))
            instance.stop(force=True, wait=True)

            # Devices and profiles removed again.
            instance = client.instances.get(instance_name)
            del instance.devices["extra"]
            del instance.config["user.py"]
            instance.profiles = ["default"]
            instance.save(wait=True)
            instance = client.instances.get(instance_name)
            check("extra" not in instance.devices and "user.py" not in instance.config, "removed %r" % instance.devices)
            client.profiles.get(name).delete()
            check(not client.profiles.exists(name), "deleted")
        """#

    @Test func pylxdDrivesProfilesAndInstanceConfig() async throws {
        try await DaemonFixture.with { f in
            let name = f.name("c")
            try f.lxc(["init", f.imageAlias, name]).check()
            let share = f.directory + "/share"
            try FileManager.default.createDirectory(atPath: share, withIntermediateDirectories: true)
            try Data("from the host\n".utf8).write(to: URL(fileURLWithPath: share + "/proof"))
            let result = try PylxdScript.run(
                setup: Self.setup, steps: Self.steps, arguments: [f.socket, f.prefix, name, share], in: f, name: "pylxd_profiles")
            #expect(result.status == 0, "\(result)")
            #expect(result.stdout.hasSuffix("OK\n"), "\(result)")
        }
    }
}
