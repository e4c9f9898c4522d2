/// Global average pooling: x (N, H, W, C) -> y (N, C), the mean over each image's pixels.
public enum GlobalAveragePool {
    /// y (N, C) = mean over (H, W) of x (N, H, W, C); sums in Float64.
    public static func forward(batch: Int, height: Int, width: Int, channels: Int,
                               input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        let pixels = height * width, scale = 1 / Double(pixels)
        Parallel.forRanges(batch, grain: 1) { range in
            withUnsafeTemporaryAllocation(of: Double.self, capacity: channels) { acc in
                let a = acc.baseAddress!
                for n in range {
                    a.initialize(repeating: 0, count: channels)
                    let image = input + n * pixels * channels
                    for p in 0..<pixels {
                        let x = image + p * channels
                        for k in 0..<channels { a[k] += Double(x[k]) }
                    }
                    for k in 0..<channels { output[n * channels + k] = Float(a[k] * scale) }
                }
            }
        }
    }

    /// dX (N, H, W, C) = dY (N, C) / (H * W) at every pixel; overwrites dX.
    public static func backward(batch: Int, height: Int, width: Int, channels: Int,
                                outputGradient: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>) {
        let pixels = height * width, scale = 1 / Float(pixels)
        Parallel.forRanges(batch * pixels, grain: 1024) { range in
            for task in range {
                let n = task / pixels
                let dx = inputGradient + task * channels, dy = outputGradient + n * channels
                for k in 0..<channels { dx[k] = dy[k] * scale }
            }
        }
    }
}
