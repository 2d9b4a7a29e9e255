// swift-tools-version:6.0
// Quill: an unattended clinical documentation daemon with a CPU language-model engine.
// Module arrows point one way (see DESIGN.md): quill → pipeline/daemon → engine and documents → system libraries.
import PackageDescription

/// Release builds of the numeric targets skip Swift's overflow and bounds traps inside kernels;
/// every kernel's plain twin and the reference tests run in debug, where the traps are on.
let fastMath: [SwiftSetting] = [.unsafeFlags(["-Ounchecked", "-wmo"], .when(configuration: .release))]

let package = Package(
    name: "Quill",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "quill", targets: ["quill"]),
        .library(name: "LLM", targets: ["LLM"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // System libraries (Debian: libopenblas-dev, libxml2-dev).
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
        .systemLibrary(name: "CLibXML2", path: "Sources/CLibXML2", pkgConfig: "libxml-2.0"),

        // Innermost SIMD loops in C intrinsics, each with a plain Swift twin in Tensors.
        .target(name: "CKernels", path: "Sources/CKernels",
                cSettings: [.unsafeFlags(["-O3", "-fno-math-errno"])]),

        // The engine: general, knows nothing about clinical documents.
        .target(name: "Tensors", dependencies: ["CBLAS", "CKernels"], swiftSettings: fastMath),
        .target(name: "Tokenizers"),
        .target(name: "LLM", dependencies: ["Tensors", "Tokenizers"], swiftSettings: fastMath),

        // Clinical documents in.
        .target(name: "ClinicalDocuments", dependencies: ["CLibXML2"]),

        .executableTarget(name: "quill", dependencies: [
            "LLM", "Tokenizers", "ClinicalDocuments",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // `make bench`: tokenizer speed against Hugging Face tokenizers (bench/tokenizer.sh).
        .executableTarget(name: "TokenizerBench", dependencies: ["Tokenizers"], path: "bench/TokenizerBench"),

        .testTarget(name: "TensorsTests", dependencies: ["Tensors"]),
        .testTarget(name: "LLMTests", dependencies: ["LLM"]),
        .testTarget(name: "TokenizersTests", dependencies: ["Tokenizers"], exclude: ["Fixtures"]),
        .testTarget(name: "ClinicalDocumentsTests", dependencies: ["ClinicalDocuments"]),
    ],
    swiftLanguageModes: [.v5]
)
