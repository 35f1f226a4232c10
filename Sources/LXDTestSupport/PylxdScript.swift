import Foundation

/// A pylxd (PyPI) test script: the common frame around a test's own Python. `setup` runs first
/// (arguments from `sys.argv`, helpers), `steps` inside a `try:` (indented four spaces); both see
/// `Client`, `LXDAPIException` and `check(condition, what)`, which prints "FAIL: what" and exits 1.
/// An exception prints its traceback and exits 2; a script that gets through prints "OK".
public enum PylxdScript {
    public static func text(setup: String, steps: String) -> String {
        """
        import sys
        import traceback
        from pylxd import Client
        from pylxd.exceptions import LXDAPIException

        def check(condition, what):
            if not condition:
                print("FAIL: " + what)
                sys.exit(1)

        \(setup)
        try:
        \(steps)
        except SystemExit:
            raise
        except Exception:
            traceback.print_exc()
            sys.exit(2)
        print("OK")

        """
    }

    /// Writes the script into the fixture's folder and runs it with `arguments`; a passing script
    /// exits 0 with "OK" as its last line.
    public static func run(
        setup: String, steps: String, arguments: [String], in fixture: DaemonFixture, name: String, timeout: Double = 120
    ) throws -> CommandResult {
        let path = fixture.directory + "/\(name).py"
        try Data(text(setup: setup, steps: steps).utf8).write(to: URL(fileURLWithPath: path))
        return try runCommand("/usr/bin/env", ["python3", path] + arguments, environment: fixture.environment, timeout: timeout)
    }
}
