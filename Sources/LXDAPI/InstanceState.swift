/// `PUT /1.0/instances/NAME/state` (LXD's `api.InstanceStatePut`).
public struct InstanceStatePut: Sendable, Codable {
    public var action: String = ""
    public var timeout: Int = 0
    public var force: Bool = false
    public var stateful: Bool = false

    public init(action: String, timeout: Int = 0, force: Bool = false, stateful: Bool = false) {
        self.action = action
        self.timeout = timeout
        self.force = force
        self.stateful = stateful
    }

    enum CodingKeys: String, CodingKey { case action, timeout, force, stateful }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        action = try c.lenient(.action, "")
        timeout = try c.lenient(.timeout, 0)
        force = try c.lenient(.force, false)
        stateful = try c.lenient(.stateful, false)
    }
}

/// Runtime state of an instance (LXD's `api.InstanceState`).
public struct InstanceState: Sendable, Codable {
    public var status: String
    public var statusCode: Int
    public var disk: [String: InstanceStateDisk]
    public var memory: InstanceStateMemory
    public var network: [String: InstanceStateNetwork]?
    public var pid: Int64
    public var processes: Int64
    public var cpu: InstanceStateCPU

    public init(
        status: StatusCode, disk: [String: InstanceStateDisk] = [:], memory: InstanceStateMemory = InstanceStateMemory(),
        network: [String: InstanceStateNetwork]? = nil, pid: Int64 = 0, processes: Int64 = 0,
        cpu: InstanceStateCPU = InstanceStateCPU()
    ) {
        self.status = status.text
        self.statusCode = status.rawValue
        self.disk = disk
        self.memory = memory
        self.network = network
        self.pid = pid
        self.processes = processes
        self.cpu = cpu
    }

    enum CodingKeys: String, CodingKey {
        case status, disk, memory, network, pid, processes, cpu
        case statusCode = "status_code"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        status = try c.lenient(.status, "")
        statusCode = try c.lenient(.statusCode, 0)
        disk = try c.lenient(.disk, [:])
        memory = try c.lenient(.memory, InstanceStateMemory())
        network = try c.decodeIfPresent([String: InstanceStateNetwork].self, forKey: .network)
        pid = try c.lenient(.pid, 0)
        processes = try c.lenient(.processes, 0)
        cpu = try c.lenient(.cpu, InstanceStateCPU())
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(status, forKey: .status)
        try c.encode(statusCode, forKey: .statusCode)
        try c.encode(disk, forKey: .disk)
        try c.encode(memory, forKey: .memory)
        try c.encode(network, forKey: .network)
        try c.encode(pid, forKey: .pid)
        try c.encode(processes, forKey: .processes)
        try c.encode(cpu, forKey: .cpu)
    }
}

public struct InstanceStateDisk: Sendable, Codable {
    public var usage: Int64 = 0

    public init(usage: Int64 = 0) { self.usage = usage }
}

public struct InstanceStateCPU: Sendable, Codable {
    /// Nanoseconds of CPU time.
    public var usage: Int64 = 0

    public init(usage: Int64 = 0) { self.usage = usage }
}

public struct InstanceStateMemory: Sendable, Codable {
    public var usage: Int64 = 0
    public var usagePeak: Int64 = 0
    public var swapUsage: Int64 = 0
    public var swapUsagePeak: Int64 = 0

    public init(usage: Int64 = 0, usagePeak: Int64 = 0, swapUsage: Int64 = 0, swapUsagePeak: Int64 = 0) {
        self.usage = usage
        self.usagePeak = usagePeak
        self.swapUsage = swapUsage
        self.swapUsagePeak = swapUsagePeak
    }

    enum CodingKeys: String, CodingKey {
        case usage
        case usagePeak = "usage_peak"
        case swapUsage = "swap_usage"
        case swapUsagePeak = "swap_usage_peak"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        usage = try c.lenient(.usage, 0)
        usagePeak = try c.lenient(.usagePeak, 0)
        swapUsage = try c.lenient(.swapUsage, 0)
        swapUsagePeak = try c.lenient(.swapUsagePeak, 0)
    }
}

public struct InstanceStateNetwork: Sendable, Codable {
    public var addresses: [InstanceStateNetworkAddress] = []
    public var counters: InstanceStateNetworkCounters = InstanceStateNetworkCounters()
    public var hwaddr: String = ""
    public var hostName: String = ""
    public var mtu: Int = 0
    public var state: String = ""
    public var type: String = ""

    public init() {}

    enum CodingKeys: String, CodingKey {
        case addresses, counters, hwaddr, mtu, state, type
        case hostName = "host_name"
    }
}

public struct InstanceStateNetworkAddress: Sendable, Codable {
    public var family: String
    public var address: String
    public var netmask: String
    public var scope: String

    public init(family: String, address: String, netmask: String, scope: String) {
        self.family = family
        self.address = address
        self.netmask = netmask
        self.scope = scope
    }
}

public struct InstanceStateNetworkCounters: Sendable, Codable {
    public var bytesReceived: Int64 = 0
    public var bytesSent: Int64 = 0
    public var packetsReceived: Int64 = 0
    public var packetsSent: Int64 = 0
    public var errorsReceived: Int64 = 0
    public var errorsSent: Int64 = 0
    public var packetsDroppedOutbound: Int64 = 0
    public var packetsDroppedInbound: Int64 = 0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case bytesReceived = "bytes_received"
        case bytesSent = "bytes_sent"
        case packetsReceived = "packets_received"
        case packetsSent = "packets_sent"
        case errorsReceived = "errors_received"
        case errorsSent = "errors_sent"
        case packetsDroppedOutbound = "packets_dropped_outbound"
        case packetsDroppedInbound = "packets_dropped_inbound"
    }
}

/// `POST /1.0/instances/NAME/exec` (LXD's `api.InstanceExecPost`).
public struct InstanceExecPost: Sendable, Codable {
    public var command: [String] = []
    public var waitForWebsocket: Bool = false
    public var interactive: Bool = false
    public var environment: [String: String] = [:]
    public var width: Int = 0
    public var height: Int = 0
    public var recordOutput: Bool = false
    public var user: UInt32 = 0
    public var group: UInt32 = 0
    public var cwd: String = ""

    public init() {}

    enum CodingKeys: String, CodingKey {
        case command, interactive, environment, width, height, user, group, cwd
        case waitForWebsocket = "wait-for-websocket"
        case recordOutput = "record-output"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        command = try c.lenient(.command, [])
        waitForWebsocket = try c.lenient(.waitForWebsocket, false)
        interactive = try c.lenient(.interactive, false)
        environment = try c.lenient(.environment, [:])
        width = try c.lenient(.width, 0)
        height = try c.lenient(.height, 0)
        recordOutput = try c.lenient(.recordOutput, false)
        user = try c.lenient(.user, 0)
        group = try c.lenient(.group, 0)
        cwd = try c.lenient(.cwd, "")
    }
}

/// A message on an exec's control websocket (LXD's `api.InstanceExecControl`).
public struct InstanceExecControl: Sendable, Codable {
    public var command: String
    public var args: [String: String]
    public var signal: Int

    public init(command: String, args: [String: String] = [:], signal: Int = 0) {
        self.command = command
        self.args = args
        self.signal = signal
    }

    enum CodingKeys: String, CodingKey { case command, args, signal }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        command = try c.lenient(.command, "")
        args = try c.lenient(.args, [:])
        signal = try c.lenient(.signal, 0)
    }
}
