/// Training-time augmentation, applied while a batch is filled (the stored bytes never change).
///
/// - `flip`: mirror left-right with probability 1/2.
/// - `crop`: a random crop after padding, CIFAR-style: the image is padded by `H/8` rows and
///   `W/8` columns on each side with copies of its edge pixels, and an `H x W` window is cut at a
///   uniformly random offset. Equivalently, a random shift of up to 1/8 of the size in each
///   direction with edge replication. Chosen over a zoom because it needs no resampling, so it is
///   exact and costs nothing beyond the copy.
///
/// Draws come from xoshiro256** seeded by `(seed, epoch, image index)` only, so an image gets the
/// same augmentation in a resumed run regardless of which batch it lands in.
public struct Augmentation: Hashable, Sendable {
    public var flip: Bool
    public var crop: Bool

    public init(flip: Bool = false, crop: Bool = false) {
        self.flip = flip
        self.crop = crop
    }

    public static let none = Augmentation()

    public var isEnabled: Bool { flip || crop }

    /// What was drawn for one image: mirror or not, and the shift `(dy, dx)` of the crop window.
    public struct Draw: Hashable, Sendable {
        public var mirrored: Bool
        public var dy: Int
        public var dx: Int
    }

    static let tag: UInt64 = 0x4155_474d  // "AUGM"

    /// The draw for image `index` in `epoch`.
    public func draw(seed: UInt64, epoch: Int, index: Int, shape: ImageShape) -> Draw {
        var rng = Xoshiro256StarStar(seed: SplitMix64.derive(seed, Augmentation.tag,
                                                             UInt64(bitPattern: Int64(epoch)),
                                                             UInt64(bitPattern: Int64(index))))
        let mirrored = flip ? rng.coin() : false
        var dy = 0, dx = 0
        if crop {
            let py = shape.height / 8, px = shape.width / 8
            dy = rng.int(in: -py...py)
            dx = rng.int(in: -px...px)
        }
        return Draw(mirrored: mirrored, dy: dy, dx: dx)
    }
}
