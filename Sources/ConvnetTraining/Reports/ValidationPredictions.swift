/// What a validation pass predicted image by image, kept for the pictures a learner looks at
/// (`predictions.svg`, `misclassified.txt`): every misclassified image by name, and a bounded set
/// of small photos, so memory stays a few megabytes whatever the split's size.
public struct ValidationPredictions: Sendable {
    /// One image's outcome.
    public struct Outcome: Sendable, Equatable {
        /// Relative path, `SHARD#INDEX` for a TFRecord record, or `validation image N`.
        public var name: String
        public var truth: Int
        public var predicted: Int
        /// The predicted class's probability.
        public var probability: Float
        public var isCorrect: Bool { truth == predicted }
    }

    /// A photo as the model saw it (resized and cropped), shrunk to a thumbnail.
    public struct Photo: Sendable {
        public var outcome: Outcome
        /// `(height, width, channels)` bytes, channels 1 or 3.
        public var pixels: [UInt8]
        public var width: Int
        public var height: Int
        public var channels: Int
    }

    /// Every misclassified image, in the split's stored order.
    public var misclassified: [Outcome] = []
    /// The photos to show: the most confidently misclassified first (most confident first), then
    /// correct ones taken in turn from each class (at least a third of them when there are
    /// enough); at most `limit`.
    public var photos: [Photo] = []

    public init(misclassified: [Outcome] = [], photos: [Photo] = []) {
        self.misclassified = misclassified
        self.photos = photos
    }
}

/// Collects `ValidationPredictions` while a validation pass runs, one image at a time.
struct PredictionSampler {
    /// Photos in the picture.
    let limit: Int
    /// The longest side of a thumbnail, in pixels.
    let thumbnailSide: Int
    let classes: Int
    private(set) var misclassified: [ValidationPredictions.Outcome] = []
    /// The `limit` most confident mistakes so far.
    private var wrongPhotos: [ValidationPredictions.Photo] = []
    /// Per class, the first `limit` correct photos (so the grid can show every class).
    private var rightPhotos: [[ValidationPredictions.Photo]]

    init(classes: Int, limit: Int = 24, thumbnailSide: Int = 96) {
        self.classes = classes
        self.limit = limit
        self.thumbnailSide = thumbnailSide
        rightPhotos = Array(repeating: [], count: classes)
    }

    /// Records one image; `image` `(H, W, C)` floats in [0, 1] are read only if the photo is kept
    /// (nil: the outcome is recorded without a photo).
    mutating func add(_ outcome: ValidationPredictions.Outcome, image: UnsafePointer<Float>?,
                      height: Int, width: Int, channels: Int) {
        guard let image else {
            if !outcome.isCorrect { misclassified.append(outcome) }
            return
        }
        if outcome.isCorrect {
            guard rightPhotos[outcome.truth].count < limit else { return }
            rightPhotos[outcome.truth].append(Self.photo(outcome, image, height, width, channels, side: thumbnailSide))
            return
        }
        misclassified.append(outcome)
        if wrongPhotos.count < limit {
            wrongPhotos.append(Self.photo(outcome, image, height, width, channels, side: thumbnailSide))
        } else if let weakest = wrongPhotos.indices.min(by: { wrongPhotos[$0].outcome.probability < wrongPhotos[$1].outcome.probability }),
                  wrongPhotos[weakest].outcome.probability < outcome.probability {
            wrongPhotos[weakest] = Self.photo(outcome, image, height, width, channels, side: thumbnailSide)
        }
    }

    /// The mistakes (most confident first, ties in stored order), then correct photos class by
    /// class in turn. A third of the grid is kept for correct photos when there are any, so a
    /// model that gets most images wrong still shows what it gets right.
    var result: ValidationPredictions {
        let correct = rightPhotos.reduce(0) { $0 + $1.count }
        let mistakes = limit - min(correct, limit / 3)
        var photos = Array(wrongPhotos.enumerated().sorted { a, b in
            a.element.outcome.probability != b.element.outcome.probability
                ? a.element.outcome.probability > b.element.outcome.probability : a.offset < b.offset
        }.map(\.element).prefix(mistakes))
        var round = 0
        while photos.count < limit, rightPhotos.contains(where: { $0.count > round }) {
            for c in 0..<classes where photos.count < limit && rightPhotos[c].count > round {
                photos.append(rightPhotos[c][round])
            }
            round += 1
        }
        return ValidationPredictions(misclassified: misclassified, photos: photos)
    }

    /// A thumbnail of `image`: nearest-pixel sampling down to `side` on the longest side, bytes
    /// rounded from [0, 1]; one channel stays gray, any other count than 3 shows its first channel.
    static func photo(_ outcome: ValidationPredictions.Outcome, _ image: UnsafePointer<Float>,
                      _ height: Int, _ width: Int, _ channels: Int, side: Int) -> ValidationPredictions.Photo {
        let scale = max(1, Double(max(height, width)) / Double(side))
        let h = max(1, Int((Double(height) / scale).rounded())), w = max(1, Int((Double(width) / scale).rounded()))
        let outChannels = channels == 3 ? 3 : 1
        var pixels = [UInt8](repeating: 0, count: h * w * outChannels)  // (h, w, outChannels)
        for y in 0..<h {
            let sy = min(height - 1, Int((Double(y) + 0.5) * Double(height) / Double(h)))
            for x in 0..<w {
                let sx = min(width - 1, Int((Double(x) + 0.5) * Double(width) / Double(w)))
                for c in 0..<outChannels {
                    let v = image[(sy * width + sx) * channels + c]
                    pixels[(y * w + x) * outChannels + c] = v.isFinite ? UInt8(min(max(v * 255, 0), 255).rounded()) : 0
                }
            }
        }
        return ValidationPredictions.Photo(outcome: outcome, pixels: pixels, width: w, height: h, channels: outChannels)
    }
}
