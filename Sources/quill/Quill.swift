import ArgumentParser

/// The `quill` command line. Each subcommand lives in its own file and calls library code that tests call too.
@main
struct Quill: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quill",
        abstract: "Clinical notes and dialogues in, discharge summaries and SOAP notes out, on this machine's CPU.",
        subcommands: [
            Serve.self,
            Process.self,
            Audit.self,
            ReviewCommand.self,
            Retrain.self,
            AdapterCommand.self,
            LM.self,
            Inspect.self,
            Synth.self,
            Pairs.self,
            Eval.self,
        ]
    )
}

/// `quill lm …`: the language-model engine's own tools.
struct LM: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lm",
        abstract: "Inspect, run, train and merge a language model.",
        subcommands: [
            LMInfo.self,
            LMConvert.self,
            LMGenerate.self,
            LMLogits.self,
            LMTokenize.self,
            LMDetokenize.self,
            LMChatTemplate.self,
            LMTrain.self,
            LMMerge.self,
        ]
    )
}
