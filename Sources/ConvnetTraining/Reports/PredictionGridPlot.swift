import ConvnetData
import Foundation

/// `predictions.svg`: validation photos in a grid, each titled with its predicted class and
/// probability, and for a mistake the true class, in red (the codelab's
/// `display_9_images_with_predictions`). The photos are embedded as JPEG data URIs, so the file
/// stands alone (a browser or any SVG viewer shows it).
public struct PredictionGridPlot: Sendable {
    public var title: String
    public var columns = 6
    /// The photo area of one cell (thumbnails are at most this on their longest side).
    public var photoSide: Double = 96
    public var jpegQuality = 85

    public init(title: String = "Validation predictions") { self.title = title }

    public func svg(_ predictions: ValidationPredictions, classNames: [String]) -> String {
        let photos = predictions.photos
        let cellWidth = max(photoSide, 120) + 12, cellHeight = photoSide + 44
        let columns = max(1, min(self.columns, photos.count))
        let rows = (photos.count + columns - 1) / columns
        let width = Double(columns) * cellWidth + 20, height = 60 + Double(rows) * cellHeight + 10
        let wrong = photos.filter { !$0.outcome.isCorrect }.count
        var s = """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" \
        width="\(svgNumber(width))" height="\(svgNumber(height))" viewBox="0 0 \(svgNumber(width)) \(svgNumber(height))" \
        font-family="Helvetica, Arial, sans-serif" font-size="11">
        <rect x="0" y="0" width="\(svgNumber(width))" height="\(svgNumber(height))" fill="white"/>
        <text x="\(svgNumber(width / 2))" y="22" text-anchor="middle" font-size="16">\(svgText(title))</text>
        <text x="\(svgNumber(width / 2))" y="42" text-anchor="middle" fill="#555">\(photos.count) photos, \(wrong) misclassified first \
        (most confident mistake first); \(predictions.misclassified.count) misclassified in all (misclassified.txt)</text>

        """
        func name(_ c: Int) -> String { svgText(classNames.indices.contains(c) ? classNames[c] : "class\(c)") }
        for (i, photo) in photos.enumerated() {
            let x = 10 + Double(i % columns) * cellWidth, y = 56 + Double(i / columns) * cellHeight
            let o = photo.outcome
            let ok = o.isCorrect
            // Shown at the photo area's size whatever the thumbnail's (a small input is scaled up).
            let zoom = photoSide / Double(max(photo.width, photo.height, 1))
            let w = Double(photo.width) * zoom, h = Double(photo.height) * zoom
            let px = x + (cellWidth - w) / 2, py = y + (photoSide - h) / 2
            s += "<g class=\"photo\" data-correct=\"\(ok)\" data-name=\"\(svgText(o.name))\">\n"
            if let jpeg = JPEGEncoder.encode(pixels: photo.pixels, width: photo.width, height: photo.height,
                                             channels: photo.channels, quality: jpegQuality) {
                let uri = "data:image/jpeg;base64," + Data(jpeg).base64EncodedString()
                s += "<image x=\"\(svgNumber(px))\" y=\"\(svgNumber(py))\" width=\"\(svgNumber(w))\" height=\"\(svgNumber(h))\" "
                    + "href=\"\(uri)\" xlink:href=\"\(uri)\"/>\n"
            }
            s += "<rect x=\"\(svgNumber(px))\" y=\"\(svgNumber(py))\" width=\"\(svgNumber(w))\" height=\"\(svgNumber(h))\" fill=\"none\" "
                + "stroke=\"\(ok ? "#1b7837" : "#c81e28")\" stroke-width=\"\(ok ? 1 : 3)\"/>\n"
            let probability = String(format: "%.2f", Double(o.probability))
            let headline = ok ? "\(name(o.predicted)) \(probability) OK" : "\(name(o.predicted)) \(probability)"
            s += "<text x=\"\(svgNumber(x + cellWidth / 2))\" y=\"\(svgNumber(y + photoSide + 15))\" text-anchor=\"middle\" "
                + "fill=\"\(ok ? "#222" : "#c81e28")\" font-weight=\"bold\">\(headline)</text>\n"
            let detail = ok ? short(o.name) : "true: \(name(o.truth))"
            s += "<text x=\"\(svgNumber(x + cellWidth / 2))\" y=\"\(svgNumber(y + photoSide + 30))\" text-anchor=\"middle\" "
                + "fill=\"\(ok ? "#777" : "#c81e28")\">\(ok ? svgText(detail) : detail)</text>\n"
            s += "</g>\n"
        }
        return s + "</svg>\n"
    }

    public func write(_ predictions: ValidationPredictions, classNames: [String], to url: URL) throws {
        try AtomicFile.write(svg(predictions, classNames: classNames), to: url)
    }

    /// The last path component, cut to fit under a photo.
    func short(_ name: String) -> String {
        let last = name.split(separator: "/").last.map(String.init) ?? name
        return last.count > 20 ? String(last.prefix(9)) + "..." + String(last.suffix(8)) : last
    }

}
