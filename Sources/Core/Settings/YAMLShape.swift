// libyaml's C module comes with Yams (Yams builds on it), so it needs no package of its own.
import CYaml

/// A look at a YAML document's events, with libyaml's parser, before Yams builds nodes from it.
///
/// Yams cannot be handed every file safely:
/// - its parser sorts a mapping's duplicate keys, and comparing nested lists costs time exponential in their
///   depth, so a 1 KB file of nested list keys kept it busy for seconds (a fuzzing finding), and its constructor
///   traps on a key that is not text;
/// - aliases share nodes, so a few lines of anchors that each repeat the previous one ("billion laughs") become
///   billions of values once constructed.
///
/// Settings name everything by text, so a key that is a list or a mapping is refused before Yams sees it, and so
/// is a document that would hold more than `maximumValues` values with its aliases expanded.
enum YAMLShape {
    /// Far above any settings file (a large django-ca file holds a few hundred values).
    static let maximumValues = 100_000

    enum Problem: Error, Equatable {
        /// A mapping key that is a list, a mapping, or an alias of one; `line` counts from 1.
        case keyIsNotText(kind: String, line: Int)
        case tooManyValues
    }

    /// Throws the first problem; says nothing about syntax errors, which Yams reports with its own message.
    static func check(_ text: String) throws(Problem) {
        var bytes = Array(text.utf8)
        // libyaml asserts that its input pointer is not null, which an empty array's may be.
        guard !bytes.isEmpty else { return }
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return }
        defer { yaml_parser_delete(&parser) }
        let result = bytes.withUnsafeMutableBufferPointer { buffer -> Problem? in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var walk = Walk()
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else { return nil }
                defer { yaml_event_delete(&event) }
                do throws(Problem) {
                    if try !walk.take(event) { return nil }
                } catch {
                    return error
                }
            }
        }
        if let result { throw result }
    }

    /// The open lists and mappings, innermost last, with the size of what each holds so far.
    private struct Walk {
        struct Collection {
            let isMapping: Bool
            let anchor: String?
            /// Values inside, counting each alias as the values it stands for.
            var values = 0
            /// Entries so far; in a mapping, an even count means a key comes next.
            var entries = 0
        }

        struct Anchored {
            let isCollection: Bool
            let values: Int
        }

        var open: [Collection] = []
        var anchors: [String: Anchored] = [:]

        /// Takes one event; false at the end of the stream.
        mutating func take(_ event: yaml_event_t) throws(Problem) -> Bool {
            let line = Int(event.start_mark.line) + 1
            switch event.type {
            case YAML_STREAM_END_EVENT:
                return false
            case YAML_SCALAR_EVENT:
                try add(values: 1, isCollection: false, anchor: Self.text(event.data.scalar.anchor))
            case YAML_ALIAS_EVENT:
                let target = Self.text(event.data.alias.anchor).flatMap { anchors[$0] }
                if target?.isCollection == true { try refuseIfKey(kind: "list or mapping (an alias)", line: line) }
                try add(values: target?.values ?? 1, isCollection: target?.isCollection ?? false, anchor: nil)
            case YAML_SEQUENCE_START_EVENT:
                try refuseIfKey(kind: "list", line: line)
                open.append(Collection(isMapping: false, anchor: Self.text(event.data.sequence_start.anchor)))
            case YAML_MAPPING_START_EVENT:
                try refuseIfKey(kind: "mapping", line: line)
                open.append(Collection(isMapping: true, anchor: Self.text(event.data.mapping_start.anchor)))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                guard let closed = open.popLast() else { return true }
                try add(values: closed.values + 1, isCollection: true, anchor: closed.anchor)
            default:
                break
            }
            return true
        }

        private func refuseIfKey(kind: String, line: Int) throws(Problem) {
            if let innermost = open.last, innermost.isMapping, innermost.entries % 2 == 0 {
                throw .keyIsNotText(kind: kind, line: line)
            }
        }

        /// Adds a value, or a closed collection, to the innermost open collection.
        private mutating func add(values: Int, isCollection: Bool, anchor: String?) throws(Problem) {
            let values = min(values, YAMLShape.maximumValues + 1)
            if let anchor { anchors[anchor] = Anchored(isCollection: isCollection, values: values) }
            guard !open.isEmpty else {
                if values > YAMLShape.maximumValues { throw .tooManyValues }
                return
            }
            open[open.count - 1].values += values
            open[open.count - 1].entries += 1
            if open[open.count - 1].values > YAMLShape.maximumValues { throw .tooManyValues }
        }

        private static func text(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
            pointer.map { String(cString: $0) }
        }
    }
}
