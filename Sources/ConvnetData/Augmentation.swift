/// Training-time augmentation, applied while a batch is filled (the stored bytes never change).
///
/// Geometric:
/// - `flip`: mirror left-right with probability 1/2.
/// - `crop` (bare): a random crop after padding, CIFAR-style: the image is padded by `H/8` rows and
///   `W/8` columns on each side with copies of its edge pixels, and an `H x W` window is cut at a
///   uniformly random offset. Equivalently, a random shift of up to 1/8 of the size in each
///   direction with edge replication. It needs no resampling, so it is exact and costs nothing
///   beyond the copy.
/// - `crop P`: a window of `round(P * H) x round(P * W)` pixels at a uniformly random offset
///   (`tf.image.random_crop`), resized back to `H x W` (`tf.image.resize`, bilinear).
/// - `zoom Z`: Keras' `RandomZoom(Z)`: one factor z uniform in [1 - Z, 1 + Z] for both axes, the
///   image scaled by 1/z about its centre (z > 1 zooms out), borders filled by reflection,
///   bilinear. With `crop P` too, the zoom acts on the cropped image.
/// The geometric ones run in the order `crop P`, `zoom`, `flip`, bare `crop`, composed into one
/// bilinear resampling of the stored bytes (`AxisSampling`); the flip and the bare crop alone
/// copy exactly.
///
/// Colour (on the [0, 1] floats, after the geometric ones, in this fixed order whatever order the
/// file writes them in; the result is clipped to [0, 1] once, after the last of them):
/// - `brightness D`: a delta uniform in [-D, D] added to every value (`tf.image.random_brightness`).
/// - `contrast L U`: a factor f uniform in [L, U]; per channel, `(x - mean) * f + mean` with the
///   mean over the image (`tf.image.adjust_contrast`).
/// - `saturation L U`: a factor f uniform in [L, U]; RGB -> HSV, `S = min(S * f, 1)`, HSV -> RGB
///   (`tf.image.adjust_saturation`). Only for 3-channel images.
///
/// Draws come from xoshiro256** seeded by `(seed, epoch, image index)` only, so an image gets the
/// same augmentation in a resumed run regardless of which batch it lands in.
public struct Augmentation: Hashable, Sendable {
    public var flip: Bool
    /// Bare `crop`: the random shift of up to 1/8 of the size.
    public var crop: Bool
    /// `crop P`: the window's fraction of each side, 0 < P <= 1.
    public var cropFraction: Float?
    /// `zoom Z`: the zoom factor's largest change, 0 < Z < 1.
    public var zoom: Float?
    /// `brightness D`: the largest delta D.
    public var brightness: Float?
    /// `contrast L U`: the factor's range.
    public var contrast: ClosedRange<Float>?
    /// `saturation L U`: the factor's range.
    public var saturation: ClosedRange<Float>?

    public init(flip: Bool = false, crop: Bool = false, cropFraction: Float? = nil, zoom: Float? = nil,
                brightness: Float? = nil, contrast: ClosedRange<Float>? = nil, saturation: ClosedRange<Float>? = nil) {
        self.flip = flip
        self.crop = crop
        self.cropFraction = cropFraction
        self.zoom = zoom
        self.brightness = brightness
        self.contrast = contrast
        self.saturation = saturation
    }

    public static let none = Augmentation()

    public var isEnabled: Bool {
        flip || crop || cropFraction != nil || zoom != nil || brightness != nil || contrast != nil || saturation != nil
    }

    /// What was drawn for one image: mirror or not, the shift `(dy, dx)` of the crop window, and
    /// the colour changes (identity values when off).
    public struct Draw: Hashable, Sendable {
        public var mirrored: Bool
        public var dy: Int
        public var dx: Int
        /// Added to every value.
        public var brightness: Float
        /// Contrast factor (1: unchanged).
        public var contrast: Float
        /// Saturation factor (1: unchanged).
        public var saturation: Float
        /// `crop P`'s window in the stored image, or nil.
        public var window: CropWindow?
        /// Keras' zoom factor (1: unchanged).
        public var zoom: Float

        public init(mirrored: Bool, dy: Int, dx: Int, brightness: Float = 0, contrast: Float = 1,
                    saturation: Float = 1, window: CropWindow? = nil, zoom: Float = 1) {
            self.mirrored = mirrored
            self.dy = dy
            self.dx = dx
            self.window = window
            self.zoom = zoom
            self.brightness = brightness
            self.contrast = contrast
            self.saturation = saturation
        }

        /// Whether any colour operation changes the image (then the result is clipped).
        public var changesColour: Bool { brightness != 0 || contrast != 1 || saturation != 1 }

        /// Whether the geometric part needs interpolation (else it is an exact copy).
        public var resamples: Bool { window != nil || zoom != 1 }
    }

    /// Rows `top..<top + height`, columns `left..<left + width` of the stored image.
    public struct CropWindow: Hashable, Sendable {
        public var top: Int
        public var left: Int
        public var height: Int
        public var width: Int

        public init(top: Int, left: Int, height: Int, width: Int) {
            self.top = top
            self.left = left
            self.height = height
            self.width = width
        }
    }

    static let tag: UInt64 = 0x4155_474d  // "AUGM"

    /// The draw for image `index` in `epoch`. The flip and shift are drawn first, as before the
    /// colour operations existed, so their draws did not change; each enabled operation then
    /// draws in a fixed order.
    public func draw(seed: UInt64, epoch: Int, index: Int, shape: ImageShape) -> Draw {
        var rng = Xoshiro256StarStar(seed: SplitMix64.derive(seed, Augmentation.tag,
                                                             UInt64(bitPattern: Int64(epoch)),
                                                             UInt64(bitPattern: Int64(index))))
        let mirrored = flip ? rng.coin() : false
        var d = Draw(mirrored: mirrored, dy: 0, dx: 0)
        if crop {
            let py = shape.height / 8, px = shape.width / 8
            d.dy = rng.int(in: -py...py)
            d.dx = rng.int(in: -px...px)
        }
        if let delta = brightness { d.brightness = Augmentation.uniform(-delta...delta, &rng) }
        if let range = contrast { d.contrast = Augmentation.uniform(range, &rng) }
        if let range = saturation { d.saturation = Augmentation.uniform(range, &rng) }
        if let fraction = cropFraction {
            let height = max(1, min(shape.height, Int((fraction * Float(shape.height)).rounded())))
            let width = max(1, min(shape.width, Int((fraction * Float(shape.width)).rounded())))
            d.window = CropWindow(top: rng.int(in: 0...(shape.height - height)),
                                  left: rng.int(in: 0...(shape.width - width)), height: height, width: width)
        }
        if let z = zoom { d.zoom = Augmentation.uniform((1 - z)...(1 + z), &rng) }
        return d
    }

    /// Uniform in the closed range from 24 random bits (exactly `lowerBound` for an empty range).
    static func uniform(_ range: ClosedRange<Float>, _ rng: inout Xoshiro256StarStar) -> Float {
        range.lowerBound + (range.upperBound - range.lowerBound) * rng.unit()
    }
}
