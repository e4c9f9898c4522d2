import ConvnetData
import ConvnetInterface

extension ConvnetData.Augmentation {
    /// The train block's augmentations as the batch filler draws them (the order written does
    /// not matter: `Augmentation` runs them in a fixed order).
    public init(_ settings: [AugmentationSetting]) {
        self.init()
        for setting in settings {
            switch setting {
            case .flip: flip = true
            case .crop: crop = true
            case .cropWindow(let fraction): cropFraction = Float(fraction)
            case .zoom(let factor): zoom = Float(factor)
            case .brightness(let delta): brightness = Float(delta)
            case .contrast(let lower, let upper): contrast = Float(lower)...Float(upper)
            case .saturation(let lower, let upper): saturation = Float(lower)...Float(upper)
            }
        }
    }
}
