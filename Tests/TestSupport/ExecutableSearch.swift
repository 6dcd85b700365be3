import Foundation

/// Where the judges are: programs are found on $PATH as a shell would find them.
public enum ExecutableSearch {
    /// `name` in the folders of $PATH, nil when none holds an executable of that name.
    public static func onPath(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for folder in path.split(separator: ":") where !folder.isEmpty {
            let candidate = String(folder) + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
