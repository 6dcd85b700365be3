import CAFuzzTargets
import Foundation
import Testing

/// Replays every seed and every saved finding through its target in-process, so that a fixed crash stays fixed
/// in the normal `swift test` without libFuzzer. A crash here is a trap of the whole test process: the input's
/// path is printed first so that the failure names it.
@Suite struct FuzzRegressionTests {
    static let fuzzFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().path

    @Test(arguments: FuzzTargets.all.map(\.name))
    func replaysCorpusAndRegressions(targetName: String) throws {
        let target = try #require(FuzzTargets.named(targetName))
        var replayed = 0
        for kind in ["Corpus", "Regressions"] {
            let folder = "\(Self.fuzzFolder)/\(kind)/\(target.name)"
            guard FileManager.default.fileExists(atPath: folder) else { continue }
            for input in try FuzzInputFiles.inputs(at: folder) {
                print("fuzz replay \(target.name): \(input.path)")
                let started = ContinuousClock.now
                target.run(input.bytes)
                let elapsed = ContinuousClock.now - started
                // libFuzzer's -timeout=1 in scripts/fuzz; the debug build here is not slower than the sanitizer build.
                #expect(elapsed < .seconds(1), "\(input.path) took \(elapsed)")
                replayed += 1
            }
        }
        #expect(replayed > 0, "the target \(target.name) has no seed corpus")
    }

    @Test func everyCorpusFolderHasATarget() throws {
        for kind in ["Corpus", "Regressions"] {
            let folder = "\(Self.fuzzFolder)/\(kind)"
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            for name in names where !name.hasPrefix(".") {
                #expect(FuzzTargets.named(name) != nil, "\(kind)/\(name) belongs to no fuzz target")
            }
        }
    }
}
