import CLibXML2

/// Flattens a CDA narrative block (`<section><text>`, CDA R2 §4.3.5) into readable plain text:
/// paragraphs and line breaks become lines, list items become "- item" lines (numbered for
/// ordered lists), and each table row becomes one line of "header: value" pairs, so the
/// language model sees what a reader of the rendered document would see.
struct CDANarrative {
    /// Narrative nesting deeper than this is not followed: real documents stay under ten levels,
    /// and libxml2 itself stops at 256.
    static let maxDepth = 48

    private var lines: [String] = []
    private var current = ""
    private(set) var truncated = false

    static func text(of node: xmlNodePtr) -> (text: String, truncated: Bool) {
        var w = CDANarrative()
        w.walkChildren(node, depth: 0, listDepth: 0)
        w.breakLine()
        let text = w.lines.reduce(into: [String]()) { out, line in
            if line.isEmpty && (out.last?.isEmpty ?? true) { return }   // no leading or doubled blank lines
            out.append(line)
        }
        var joined = text.joined(separator: "\n")
        while joined.hasSuffix("\n") { joined.removeLast() }
        return (joined, w.truncated)
    }

    /// Collapses runs of blank space (XML indentation) into single spaces.
    static func collapse(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        for u in s.unicodeScalars {
            if u.properties.isWhitespace {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(" ") }
                pendingSpace = false
                out.append(u)
            }
        }
        return String(out)
    }

    private mutating func inline(_ s: String) {
        let hadSpaceBefore = s.unicodeScalars.first?.properties.isWhitespace ?? false
        let c = Self.collapse(s)
        guard !c.isEmpty else {
            if hadSpaceBefore || !s.isEmpty, !current.isEmpty, !current.hasSuffix(" ") { current += " " }
            return
        }
        if hadSpaceBefore && !current.isEmpty && !current.hasSuffix(" ") { current += " " }
        current += c
        if s.unicodeScalars.last?.properties.isWhitespace ?? false { current += " " }
    }

    private mutating func breakLine() {
        // Only trailing space is trimmed: leading space is a nested list's indentation.
        var line = Substring(current)
        while let l = line.last, l.isWhitespace { line = line.dropLast() }
        if !line.trimmedWhitespaceSub.isEmpty { lines.append(String(line)) }
        current = ""
    }

    private mutating func blankLine() {
        breakLine()
        if lines.last?.isEmpty == false { lines.append("") }
    }

    private mutating func walkChildren(_ node: xmlNodePtr, depth: Int, listDepth: Int) {
        var c = node.pointee.children
        while let n = c {
            walk(n, depth: depth + 1, listDepth: listDepth)
            c = n.pointee.next
        }
    }

    private mutating func walk(_ node: xmlNodePtr, depth: Int, listDepth: Int) {
        guard depth < Self.maxDepth else { truncated = true; return }
        switch node.pointee.type {
        case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
            if let content = node.pointee.content { inline(String(cString: content)) }
            return
        case XML_ELEMENT_NODE:
            break
        default:
            return   // comments, processing instructions
        }
        switch node.localName {
        case "br":
            breakLine()
        case "paragraph", "caption":
            blankLine()
            walkChildren(node, depth: depth, listDepth: listDepth)
            blankLine()
        case "list":
            breakLine()
            let ordered = node.attribute("listType") == "ordered"
            if let caption = node.child("caption") { lines.append(caption.plainText) }
            var number = 0
            for item in node.children("item") {
                number += 1
                breakLine()
                current = String(repeating: "  ", count: min(listDepth, 8)) + (ordered ? "\(number). " : "- ")
                walkChildren(item, depth: depth, listDepth: listDepth + 1)
                breakLine()
            }
            breakLine()
        case "table":
            blankLine()
            table(node, depth: depth)
            blankLine()
        case "footnoteRef", "renderMultiMedia", "col", "colgroup":
            return
        default:   // content, linkHtml, sub, sup, footnote and anything unknown: inline
            walkChildren(node, depth: depth, listDepth: listDepth)
        }
    }

    /// Rows become lines. With a header row, each value is labelled by its column's header.
    private mutating func table(_ node: xmlNodePtr, depth: Int) {
        if let caption = node.child("caption") {
            let c = caption.plainText
            if !c.isEmpty { lines.append(c) }
        }
        var headers: [String] = []
        var rows: [[String]] = []
        let groups = node.elements.filter { ["thead", "tbody", "tfoot"].contains($0.localName) }
        for tr in node.children("tr") { rows.append(cells(tr, depth: depth)) }
        for group in groups {
            for tr in group.children("tr") {
                let isHeader = group.localName == "thead"
                    || (headers.isEmpty && rows.isEmpty && tr.elements.allSatisfy { $0.localName == "th" })
                if isHeader { headers = cells(tr, depth: depth) } else { rows.append(cells(tr, depth: depth)) }
            }
        }
        for row in rows where row.contains(where: { !$0.isEmpty }) {
            if headers.count == row.count {
                let pairs = zip(headers, row).compactMap { h, v -> String? in
                    guard !v.isEmpty else { return nil }
                    return h.isEmpty ? v : "\(h): \(v)"
                }
                lines.append(pairs.joined(separator: "; "))
            } else {
                lines.append(row.filter { !$0.isEmpty }.joined(separator: " | "))
            }
        }
    }

    private mutating func cells(_ tr: xmlNodePtr, depth: Int) -> [String] {
        tr.elements.filter { $0.localName == "td" || $0.localName == "th" }.map { cell in
            var w = CDANarrative()
            w.walkChildren(cell, depth: depth + 2, listDepth: 0)
            w.breakLine()
            if w.truncated { truncated = true }
            return w.lines.filter { !$0.isEmpty }.joined(separator: "; ")
        }
    }
}
