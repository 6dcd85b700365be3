import Foundation

/// Inputs stored as files: a corpus or regression folder, or one file.
public enum FuzzInputFiles {
    public struct Input: Sendable {
        public let path: String
        public let bytes: [UInt8]
    }

    /// The file at `path`, or every file in the folder at `path` and below it, sorted by path. Names starting
    /// with a dot are skipped (editor and libFuzzer leftovers).
    public static func inputs(at path: String) throws -> [Input] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        guard isFolder.boolValue else { return [try read(path)] }
        let names = try FileManager.default.subpathsOfDirectory(atPath: path).sorted()
        return try names.compactMap { name in
            let full = (path as NSString).appendingPathComponent(name)
            var nestedFolder: ObjCBool = false
            guard !(name as NSString).lastPathComponent.hasPrefix("."),
                FileManager.default.fileExists(atPath: full, isDirectory: &nestedFolder), !nestedFolder.boolValue
            else { return nil }
            return try read(full)
        }
    }

    private static func read(_ path: String) throws -> Input {
        Input(path: path, bytes: Array(try Data(contentsOf: URL(fileURLWithPath: path))))
    }
}
