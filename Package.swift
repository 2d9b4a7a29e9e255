// swift-tools-version:6.0
// Quill: an unattended clinical documentation daemon with a CPU language-model engine.
// Module arrows point one way (see DESIGN.md): quill → QuillApp (composition) → pipeline/daemon → engine and documents
// → system libraries.
import PackageDescription

// The engine (Tensors, LLM) is built like every other target: -O with whole-module optimisation in release,
// Swift's overflow and bounds checks kept. -Ounchecked measured no faster (docs/PERFORMANCE.md, "Checked
// arithmetic"): the hot loops are the C kernels and OpenBLAS. `make test-release` tests the build that ships.

let package = Package(
    name: "Quill",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "quill", targets: ["quill"]),
        .library(name: "LLM", targets: ["LLM"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // System libraries (Debian: libopenblas-dev, libxml2-dev).
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
        .systemLibrary(name: "CLibXML2", path: "Sources/CLibXML2", pkgConfig: "libxml-2.0"),

        // Innermost SIMD loops in C intrinsics, each with a plain Swift twin in Tensors.
        .target(name: "CKernels", path: "Sources/CKernels",
                cSettings: [.unsafeFlags(["-O3", "-fno-math-errno"])]),

        // The engine: general, knows nothing about clinical documents.
        .target(name: "Tensors", dependencies: ["CBLAS", "CKernels"]),
        .target(name: "Tokenizers"),
        // GGUF files: metadata, tensor infos, and each tensor's bytes where they lie (memory-mapped).
        .target(name: "GGUF", dependencies: ["Tensors"]),
        .target(name: "LLM", dependencies: ["Tensors", "Tokenizers", "GGUF"]),
        // LoRA training on the CPU: backward passes, masked loss, AdamW, schedules, checkpoints, PEFT save.
        .target(name: "LoRATraining", dependencies: ["LLM", "Tensors", "Tokenizers", "Digests", "CBLAS", "CKernels"]),

        // SHA-256, below everything that fingerprints or chains bytes (the audit trail, the pipeline's provenance).
        .target(name: "Digests"),

        // Clinical documents in.
        .target(name: "ClinicalDocuments", dependencies: ["CLibXML2"]),

        // From document to finished output: prompts, section-structured generation, fact check, templates.
        .target(name: "QuillPipeline", dependencies: [
            "LLM", "Tokenizers", "ClinicalDocuments", "Digests", .product(name: "Mustache", package: "swift-mustache"),
        ]),

        // Synthetic clinical records for training and evaluating the demo model (writes the formats ClinicalDocuments reads).
        .target(name: "SyntheticRecords", dependencies: ["ClinicalDocuments"]),

        // `quill eval`: the pipeline over synthetic records, the hand-written set and the public sets (MTS-Dialog,
        // ACI-Bench, C-CDA and HL7 v2 samples), scored against their references, and the fact checker measured on
        // references with planted unsupported facts.
        .target(name: "QuillEval", dependencies: ["QuillPipeline", "SyntheticRecords", "ClinicalDocuments"]),

        // The daemon: jobs and the audit chain in SQLite; watching, claiming, running, systemd.
        .target(name: "QuillStore", dependencies: ["Digests", .product(name: "GRDB", package: "GRDB.swift")]),
        .target(name: "QuillDaemon", dependencies: [
            "QuillStore", "ClinicalDocuments", "Digests",
            .product(name: "TOMLKit", package: "TOMLKit"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // Reviewers' corrections → training sets, the gate, the adapter registry.
        .target(name: "QuillRetraining", dependencies: [
            "QuillDaemon", "QuillStore", "QuillPipeline", "ClinicalDocuments", "LLM", "LoRATraining", "SyntheticRecords", "Tokenizers", "Digests",
        ]),

        // The composition root: the model-backed processor built from a QuillConfig, back-fills, training pairs.
        // Only `quill` and tests depend on it.
        .target(name: "QuillApp", dependencies: [
            "LLM", "Tensors", "ClinicalDocuments", "QuillPipeline", "SyntheticRecords", "QuillStore", "QuillDaemon", "QuillRetraining",
            .product(name: "Logging", package: "swift-log"),
        ]),

        // Argument parsing and printing only.
        .executableTarget(name: "quill", dependencies: [
            "QuillApp", "QuillRetraining", "LLM", "LoRATraining", "Tokenizers", "ClinicalDocuments", "QuillPipeline", "SyntheticRecords", "QuillEval", "QuillStore", "QuillDaemon",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // The engine's benchmark (bench/run.sh, `make bench`).
        .executableTarget(name: "quill-bench", dependencies: ["LLM", "Tensors", "CBLAS", "CKernels", "CBandwidthProbe"],
                          path: "bench/EngineBench"),
        // Its memory-bandwidth probe: a benchmark's tool, not part of the engine that ships.
        .target(name: "CBandwidthProbe", path: "bench/BandwidthProbe", cSettings: [.unsafeFlags(["-O3"])]),

        // `make bench`: tokenizer speed against Hugging Face tokenizers (bench/tokenizer.sh).
        .executableTarget(name: "TokenizerBench", dependencies: ["Tokenizers"], path: "bench/TokenizerBench",
                          swiftSettings: [.unsafeFlags(["-Ounchecked", "-wmo"], .when(configuration: .release))]),

        .testTarget(name: "TensorsTests", dependencies: ["Tensors"], exclude: ["Fixtures"]),
        .testTarget(name: "LLMTests", dependencies: ["LLM", "GGUF", "CommittedTestData"], exclude: ["Fixtures"]),
        .testTarget(name: "GGUFTests", dependencies: ["GGUF", "Tensors"], exclude: ["Fixtures"]),
        .testTarget(name: "LoRATrainingTests", dependencies: ["LoRATraining", "LLM", "Tokenizers"], exclude: ["Fixtures"]),
        // Tests/Data (the public samples and tokenizers the tests read), decompressed where committed as .gz.
        .target(name: "CommittedTestData", path: "Tests/CommittedTestData"),
        .testTarget(name: "TokenizersTests", dependencies: ["Tokenizers", "CommittedTestData"], exclude: ["Fixtures"]),
        // Runs the built `quill` executable (its JSON output is a contract for scripts).
        .testTarget(name: "QuillCLITests", dependencies: ["quill"]),
        .testTarget(name: "QuillPipelineTests", dependencies: ["QuillPipeline", "CommittedTestData"]),
        .testTarget(name: "QuillEvalTests", dependencies: ["QuillEval", "QuillPipeline", "SyntheticRecords", "LLM"]),
        .testTarget(name: "ClinicalDocumentsTests", dependencies: ["ClinicalDocuments"], exclude: ["Fixtures"]),
        .testTarget(name: "SyntheticRecordsTests", dependencies: ["SyntheticRecords", "ClinicalDocuments"], exclude: ["Fixtures"]),

        // A deterministic document processor for the daemon's tests (renders a document's sections to
        // text; no model), and a host executable that runs the daemon with it, so tests can kill -9 a
        // real child process. Neither is a product: the shipped `quill` has no such processor.
        .target(name: "QuillDaemonTestSupport", dependencies: ["QuillDaemon", "ClinicalDocuments"],
                path: "Tests/QuillDaemonTestSupport"),
        .executableTarget(name: "quill-daemon-testhost", dependencies: ["QuillDaemonTestSupport", "QuillDaemon"],
                          path: "Tests/QuillDaemonTestHost"),
        .testTarget(name: "DigestsTests", dependencies: ["Digests"]),
        .testTarget(name: "QuillRetrainingTests", dependencies: ["QuillRetraining", "QuillDaemon", "QuillStore"]),
        .testTarget(name: "QuillStoreTests", dependencies: ["QuillStore", "Digests", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "QuillDaemonTests", dependencies: [
            "QuillDaemon", "QuillStore", "Digests", "QuillDaemonTestSupport", "ClinicalDocuments", "quill-daemon-testhost",
        ]),
        // The daemon with the real processor on models/demo: real inotify, SQLite, model and templates.
        .testTarget(name: "QuillAppTests", dependencies: [
            "QuillApp", "QuillDaemon", "QuillStore", "QuillPipeline", "ClinicalDocuments", "SyntheticRecords", "LLM",
            .product(name: "Logging", package: "swift-log"),
        ]),
    ],
    swiftLanguageModes: [.v5]
)

// libFuzzer targets (fuzz/run.sh builds them with `-sanitize=fuzzer,address` into .build-fuzz). Declared only
// when QUILL_FUZZ is set: they link only against libFuzzer, which an ordinary build does not have.
if Context.environment["QUILL_FUZZ"] != nil {
    package.targets += [
        .target(name: "FuzzDriver", path: "fuzz/Driver"),
        .executableTarget(name: "fuzz-factcheck", dependencies: ["QuillPipeline", "FuzzDriver"], path: "fuzz/FactCheck",
                          swiftSettings: [.unsafeFlags(["-parse-as-library"])]),
        .executableTarget(name: "fuzz-pipeline", dependencies: ["QuillPipeline", "ClinicalDocuments", "LLM", "FuzzDriver"],
                          path: "fuzz/Pipeline", swiftSettings: [.unsafeFlags(["-parse-as-library"])]),
    ]
}
