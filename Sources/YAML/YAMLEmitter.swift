import CYAML

/// Drives libyaml's emitter (the C original of yaml.v2's emitterc.go) with the same events and
/// style requests yaml.v2's encoder makes, so the bytes match `yaml.Marshal` in LXD.
final class YAMLEmitter {
    private let emitter: UnsafeMutablePointer<yaml_emitter_t>
    private var output: [UInt8] = []
    private var failed = false

    private init() {
        emitter = .allocate(capacity: 1)
        yaml_emitter_initialize(emitter)
        // yaml.v2's newEncoder: UTF-8 output, non-ASCII printed as is; indent 2 and width 80
        // are libyaml's defaults, as in yaml.v2 v2.4.0 without FutureLineWrap().
        yaml_emitter_set_unicode(emitter, 1)
        yaml_emitter_set_output(
            emitter,
            { data, buffer, size in
                guard let data, let buffer else { return 0 }
                let this = Unmanaged<YAMLEmitter>.fromOpaque(data).takeUnretainedValue()
                this.output.append(contentsOf: UnsafeBufferPointer(start: buffer, count: size))
                return 1
            }, Unmanaged.passUnretained(self).toOpaque())
    }

    deinit {
        yaml_emitter_delete(emitter)
        emitter.deallocate()
    }

    static func emit(_ node: YAMLNode) -> String {
        let this = YAMLEmitter()
        var event = yaml_event_t()
        yaml_stream_start_event_initialize(&event, YAML_UTF8_ENCODING)
        this.send(&event)
        yaml_document_start_event_initialize(&event, nil, nil, nil, 1)
        this.send(&event)
        this.emitNode(node)
        yaml_document_end_event_initialize(&event, 1)
        this.send(&event)
        yaml_stream_end_event_initialize(&event)
        this.send(&event)
        yaml_emitter_flush(this.emitter)
        // libyaml closes an "open-ended" document (one ending in a `|+` block) with "...";
        // yaml.v2's encoder clears that flag before the stream end and never does.
        if this.output.count >= 5, this.output.suffix(5).elementsEqual("\n...\n".utf8) {
            this.output.removeLast(4)
        }
        return String(decoding: this.output, as: UTF8.self)
    }

    /// libyaml takes ownership of the event (and frees it) whether or not emitting succeeds.
    private func send(_ event: inout yaml_event_t) {
        guard !failed else {
            yaml_event_delete(&event)
            return
        }
        if yaml_emitter_emit(emitter, &event) != 1 {
            // Only a malformed event sequence fails, and this type never builds one.
            failed = true
            assertionFailure("libyaml emitter: \(emitter.pointee.problem.map { String(cString: $0) } ?? "unknown error")")
        }
    }

    private func emitNode(_ node: YAMLNode) {
        var event = yaml_event_t()
        switch node {
        case .null:
            scalar("null", style: YAML_PLAIN_SCALAR_STYLE)
        case .scalar(let text, let quoted):
            scalar(text, style: Self.style(for: text, isString: quoted))
        case .sequence(let items):
            yaml_sequence_start_event_initialize(&event, nil, nil, 1, YAML_BLOCK_SEQUENCE_STYLE)
            send(&event)
            for item in items { emitNode(item) }
            yaml_sequence_end_event_initialize(&event)
            send(&event)
        case .mapping(let pairs):
            // libyaml, like yaml.v2, writes an empty block mapping as "{}".
            yaml_mapping_start_event_initialize(&event, nil, nil, 1, YAML_BLOCK_MAPPING_STYLE)
            send(&event)
            for pair in pairs {
                scalar(pair.key, style: Self.style(for: pair.key, isString: true))
                emitNode(pair.value)
            }
            yaml_mapping_end_event_initialize(&event)
            send(&event)
        }
    }

    private func scalar(_ text: String, style: yaml_scalar_style_t) {
        var event = yaml_event_t()
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBufferPointer { buffer in
            _ = yaml_scalar_event_initialize(&event, nil, nil, buffer.baseAddress, Int32(buffer.count), 1, 1, style)
        }
        send(&event)
    }

    /// yaml.v2's `stringv`: a multi-line string is a literal block; a string that would resolve to
    /// another type (or is a YAML 1.1 sexagesimal number) is double-quoted; otherwise plain, and
    /// libyaml falls back to single quotes where plain text is not allowed (leading indicators,
    /// ": ", " #", surrounding spaces, …). Non-string scalars (numbers, bools) are written plain.
    static func style(for text: String, isString: Bool) -> yaml_scalar_style_t {
        if text.utf8.contains(UInt8(ascii: "\n")) { return YAML_LITERAL_SCALAR_STYLE }
        if !isString && !text.isEmpty { return YAML_PLAIN_SCALAR_STYLE }
        let canUsePlain = YAMLResolver.kind(of: text) == .string && !YAMLResolver.isBase60Float(text)
        return canUsePlain ? YAML_PLAIN_SCALAR_STYLE : YAML_DOUBLE_QUOTED_SCALAR_STYLE
    }
}
