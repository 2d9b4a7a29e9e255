import Foundation

/// The loss curve as a self-contained SVG: training loss per optimizer step as a line, validation loss as dots,
/// axes labelled with the step range and the loss range. No script, no external reference.
public enum LossCurveSVG {
    public static func draw(_ history: TrainingHistory, title: String) -> String {
        let width = 640.0, height = 360.0, left = 60.0, right = 20.0, top = 40.0, bottom = 40.0
        let losses = history.steps.map(\.loss) + history.validations.map(\.loss)
        let lastStep = max(1, history.steps.last?.step ?? 1)
        let low = losses.min() ?? 0, high = max(losses.max() ?? 1, low + 1e-9)
        func x(_ step: Int) -> Double { left + (width - left - right) * Double(step) / Double(lastStep) }
        func y(_ loss: Double) -> Double { top + (height - top - bottom) * (high - loss) / (high - low) }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        var svg = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(f(left))" y="22" font-size="14">\(escape(title))</text>
        <line x1="\(f(left))" y1="\(f(height - bottom))" x2="\(f(width - right))" y2="\(f(height - bottom))" stroke="black"/>
        <line x1="\(f(left))" y1="\(f(top))" x2="\(f(left))" y2="\(f(height - bottom))" stroke="black"/>
        <text x="\(f(left))" y="\(f(height - bottom + 16))">0</text>
        <text x="\(f(width - right))" y="\(f(height - bottom + 16))" text-anchor="end">step \(lastStep)</text>
        <text x="\(f(left - 6))" y="\(f(top + 4))" text-anchor="end">\(String(format: "%.3f", high))</text>
        <text x="\(f(left - 6))" y="\(f(height - bottom))" text-anchor="end">\(String(format: "%.3f", low))</text>

        """
        if !history.steps.isEmpty {
            let points = history.steps.map { "\(f(x($0.step))),\(f(y($0.loss)))" }.joined(separator: " ")
            svg += "<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\" points=\"\(points)\"/>\n"
            svg += "<text x=\"\(f(width - right))\" y=\"\(f(top - 8))\" text-anchor=\"end\" fill=\"#1f77b4\">training loss</text>\n"
        }
        for v in history.validations {
            svg += "<circle cx=\"\(f(x(v.step)))\" cy=\"\(f(y(v.loss)))\" r=\"3.5\" fill=\"#d62728\"/>\n"
        }
        if !history.validations.isEmpty {
            svg += "<text x=\"\(f(width - right - 110))\" y=\"\(f(top - 8))\" text-anchor=\"end\" fill=\"#d62728\">validation loss</text>\n"
        }
        return svg + "</svg>\n"
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
