import CAFuzzTargets

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

#if FUZZING

// Built with -sanitize=fuzzer: libFuzzer owns the process and calls in here. The target comes from the
// environment because libFuzzer keeps every command-line argument for itself.

nonisolated(unsafe) private var selectedTarget: FuzzTarget?

@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(
    _ argumentCount: UnsafeMutablePointer<CInt>, _ arguments: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>
) -> CInt {
    let name = getenv("SWIFT_CA_FUZZ_TARGET").map { String(cString: $0) } ?? ""
    guard let target = FuzzTargets.named(name) else {
        print(name.isEmpty ? "SWIFT_CA_FUZZ_TARGET is not set." : "There is no fuzz target \(name).")
        printTargetList()
        exit(2)
    }
    selectedTarget = target
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = start.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    selectedTarget?.run(bytes)
    return 0
}

/// libFuzzer's own entry point, which `main` would call.
@_silgen_name("LLVMFuzzerRunDriver")
private func runFuzzerDriver(
    _ argumentCount: UnsafeMutablePointer<CInt>,
    _ arguments: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ testOneInput: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// SwiftPM links every executable with `main` aliased to `<module>_main` (so that tests can link the module),
/// which would otherwise be missing without `@main`; it hands the process to libFuzzer as libFuzzer's `main` does.
@_cdecl("FuzzRunner_main")
public func fuzzRunnerMain(
    _ argumentCount: CInt, _ arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> CInt {
    var count = argumentCount
    var vector = arguments
    return runFuzzerDriver(&count, &vector, fuzzerTestOneInput)
}

#else

/// Without libFuzzer: runs files through a target once each, to reproduce a finding or check a corpus.
@main
struct SwiftCAFuzz {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments == ["--list"] {
            printTargetList()
            return
        }
        guard arguments.count >= 2, let target = FuzzTargets.named(arguments[0]) else {
            print("usage: swift-ca-fuzz TARGET FILE_OR_DIRECTORY...   (or --list)")
            printTargetList()
            exit(2)
        }
        var count = 0
        for path in arguments.dropFirst() {
            do {
                for input in try FuzzInputFiles.inputs(at: path) {
                    target.run(input.bytes)
                    count += 1
                }
            } catch {
                print("cannot read \(path): \(error)")
                exit(1)
            }
        }
        print("\(target.name): \(count) inputs ran without a crash")
    }
}

#endif

/// One line per target: its name and its longest input, which `scripts/fuzz` reads for libFuzzer's -max_len.
private func printTargetList() {
    for target in FuzzTargets.all {
        print("\(target.name)\t\(target.maximumInputLength)")
    }
}
