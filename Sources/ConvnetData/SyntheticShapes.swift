import ConvnetSupport
/// The built-in synthetic set `synthetic:shapes`: procedurally drawn shapes, one class per shape,
/// so tests and demos can train without any files. Each image has a random dark background and a
/// random brighter foreground colour (at least 80 luminance levels above it, so the shape shows
/// in C = 1 too, always with the same polarity so a tiny net need not learn both), a random size
/// (50-80% of the shorter side) and position (centre within 15% of the side from the middle, so
/// even a flatten + dense model can learn it), and uniform pixel noise of +-8 levels. Everything is drawn from xoshiro256** seeded by `(contentSeed, class, index)`,
/// so the images are identical on every machine and independent of the training seed.
///
/// Defaults: the first 5 shapes (circle, square, triangle, cross, stripes — 5 classes like the
/// flowers), 100 images each. Names are `circle/0007`, and the validation split uses the same
/// FNV-1a rule on those names.
public struct SyntheticShapes: Hashable, Sendable {
    /// The shapes, in class order.
    public enum Shape: Int, CaseIterable, Sendable {
        case circle, square, triangle, cross, stripes, ring, diamond, checker
    }

    public static let shapeNames = Shape.allCases.map { "\($0)" }
    public static let defaultClasses = 5
    public static let defaultPerClass = 100

    public var classes: Int
    public var perClass: Int
    public var contentSeed: UInt64

    public init(classes: Int = defaultClasses, perClass: Int = defaultPerClass, contentSeed: UInt64 = 0) {
        self.classes = classes
        self.perClass = perClass
        self.contentSeed = contentSeed
    }

    public var classNames: [String] { Array(SyntheticShapes.shapeNames.prefix(classes)) }

    /// Name of image `index` of class `label`, e.g. `circle/0007`.
    public func name(label: Int, index: Int) -> String {
        let digits = String(index)
        return SyntheticShapes.shapeNames[label] + "/" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    static let tag: UInt64 = 0x5348_4150  // "SHAP"

    /// Draws image `index` of class `label` as RGB at `height x width`.
    public func render(label: Int, index: Int, height: Int, width: Int) -> RGBImage {
        var rng = Xoshiro256StarStar(seed: SplitMix64.derive(contentSeed, SyntheticShapes.tag, UInt64(label), UInt64(index)))
        var bg: [Int] = [], fg: [Int] = []
        for _ in 0..<100 {
            bg = (0..<3).map { _ in rng.below(128) }
            fg = (0..<3).map { _ in rng.below(256) }
            if Self.luma(fg) - Self.luma(bg) >= 80 { break }
        }
        if Self.luma(fg) - Self.luma(bg) < 80 { fg = [255, 255, 255] }
        let side = Float(min(height, width))
        let r = max(2, side * (0.25 + 0.15 * rng.unit()))             // half the shape's size
        // Centre within +-15% of the side from the middle, kept inside the image.
        let cx = Self.clamp(Float(width) / 2 + side * 0.3 * (rng.unit() - 0.5), r, Float(width) - r)
        let cy = Self.clamp(Float(height) / 2 + side * 0.3 * (rng.unit() - 0.5), r, Float(height) - r)
        let vertical = rng.coin()                                      // stripes' orientation
        let shape = Shape(rawValue: label)!
        var pixels = [UInt8](repeating: 0, count: height * width * 3)  // (H, W, 3)
        pixels.withUnsafeMutableBufferPointer { out in
            for y in 0..<height {
                for x in 0..<width {
                    let dx = Float(x) + 0.5 - cx, dy = Float(y) + 0.5 - cy
                    let on = Self.inside(shape, dx: dx, dy: dy, r: r, vertical: vertical)
                    let colour = on ? fg : bg
                    for k in 0..<3 {
                        let v = colour[k] + rng.int(in: -8...8)
                        out[(y * width + x) * 3 + k] = UInt8(min(255, max(0, v)))
                    }
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// Whether offset `(dx, dy)` from the shape's centre is inside a shape of half-size `r`.
    static func inside(_ shape: Shape, dx: Float, dy: Float, r: Float, vertical: Bool) -> Bool {
        let ax = abs(dx), ay = abs(dy)
        let inBox = ax <= r && ay <= r
        switch shape {
        case .circle: return dx * dx + dy * dy <= r * r
        case .square: return ax <= 0.85 * r && ay <= 0.85 * r
        case .triangle: return dy >= -r && dy <= r && ax <= (dy + r) / 2   // apex up
        case .cross: return (ax <= r / 3 && ay <= r) || (ay <= r / 3 && ax <= r)
        case .stripes:
            let period = max(2, r / 2.5)
            let t = vertical ? dx + r : dy + r
            return inBox && Int((t / period).rounded(.down)) % 2 == 0
        case .ring:
            let d2 = dx * dx + dy * dy
            return d2 <= r * r && d2 >= 0.3 * r * r
        case .diamond: return ax + ay <= r
        case .checker:
            let cell = max(2, r / 2)
            let i = Int(((dx + r) / cell).rounded(.down)) + Int(((dy + r) / cell).rounded(.down))
            return inBox && i % 2 == 0
        }
    }

    static func clamp(_ v: Float, _ lo: Float, _ hi: Float) -> Float { lo > hi ? (lo + hi) / 2 : min(hi, max(lo, v)) }

    static func luma(_ c: [Int]) -> Int { (299 * c[0] + 587 * c[1] + 114 * c[2]) / 1000 }

    /// Renders every image on background threads into an `InMemoryDataset`.
    public func load(options: LoadOptions, source: String = "synthetic:shapes") throws(DataError) -> InMemoryDataset {
        try options.shape.validate()
        let split = try ValidationSplit(fraction: options.validationFraction)
        guard classes >= 2, classes <= SyntheticShapes.shapeNames.count else {
            throw .badSyntheticSpec(spec: source, reason: "\(classes) classes")
        }
        guard perClass >= 1 else { throw .badSyntheticSpec(spec: source, reason: "\(perClass) images per class") }
        guard let total = CheckedSize.product(classes, perClass) else {
            throw .badSyntheticSpec(spec: source, reason: "\(classes) x \(perClass) images is more than can be counted")
        }
        let shape = options.shape
        let store = try ImageStore(shape: shape, count: total)
        let generator = self
        ParallelWork.run(count: total, workers: options.workers, progress: options.progress) {
            return { i in
                let image = generator.render(label: i / generator.perClass, index: i % generator.perClass,
                                             height: shape.height, width: shape.width)
                Luminance.store(image, channels: shape.channels, into: store.slot(i))
            }
        }
        var names: [String] = [], labels: [Int] = [], training: [Int] = [], validation: [Int] = []
        for i in 0..<total {
            let name = self.name(label: i / perClass, index: i % perClass)
            names.append(name)
            labels.append(i / perClass)
            if split.split(ofRelativePath: name) == .validation { validation.append(i) } else { training.append(i) }
        }
        if training.isEmpty { throw .emptySplit(path: source, split: .training, fraction: split.fraction) }
        if validation.isEmpty && split.threshold > 0 {
            throw .emptySplit(path: source, split: .validation, fraction: split.fraction)
        }
        return InMemoryDataset(source: source, classNames: classNames, seed: options.seed, skipped: [], store: store,
                               names: names, labels: labels, trainingSlots: training, validationSlots: validation)
    }
}
