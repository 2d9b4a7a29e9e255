/// The syntax tree of the supported Jinja subset. Offsets are character positions in the template, turned into
/// line and column only when an error is reported.
indirect enum JinjaExpr {
    case literal(JinjaValue)
    case name(String, offset: Int)
    case list([JinjaExpr])
    case tuple([JinjaExpr])
    case dict([(JinjaExpr, JinjaExpr)])
    case attribute(JinjaExpr, String, offset: Int)
    case item(JinjaExpr, JinjaExpr, offset: Int)
    case slice(JinjaExpr, start: JinjaExpr?, stop: JinjaExpr?, step: JinjaExpr?, offset: Int)
    case call(JinjaExpr, JinjaArguments, offset: Int)
    case filter(JinjaExpr, String, JinjaArguments, offset: Int)
    case test(JinjaExpr, String, JinjaArguments, negated: Bool, offset: Int)
    case not(JinjaExpr)
    case negate(JinjaExpr, offset: Int)
    case binary(String, JinjaExpr, JinjaExpr, offset: Int)
    case and(JinjaExpr, JinjaExpr)
    case or(JinjaExpr, JinjaExpr)
    /// `a if condition else b` (b undefined when there is no else).
    case conditional(JinjaExpr, condition: JinjaExpr, otherwise: JinjaExpr?)
}

struct JinjaArguments {
    var positional: [JinjaExpr] = []
    var keywords: [(String, JinjaExpr)] = []
}

indirect enum JinjaNode {
    case text(String)
    case output(JinjaExpr)
    case forLoop(targets: [String], iterable: JinjaExpr, condition: JinjaExpr?, body: [JinjaNode], otherwise: [JinjaNode], offset: Int)
    case ifChain([(JinjaExpr, [JinjaNode])], otherwise: [JinjaNode])
    /// `set name = value`, `set a, b = value` or `set ns.attr = value`.
    case set(targets: [String], attribute: String?, value: JinjaExpr, offset: Int)
    /// `{% set name %}…{% endset %}`
    case setBlock(name: String, body: [JinjaNode])
    case breakLoop
    case continueLoop
    /// transformers' `{% generation %}` marker for assistant masks: renders its body.
    case generation([JinjaNode])
    case macro(name: String, parameters: [(String, JinjaExpr?)], body: [JinjaNode])
}
