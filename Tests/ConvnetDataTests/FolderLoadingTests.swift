import XCTest
@testable import ConvnetData

final class FolderLoadingTests: XCTestCase {
    let shape = ImageShape(height: 16, width: 16, channels: 3)

    func options(_ fraction: Double = 0.3) -> LoadOptions {
        LoadOptions(shape: shape, validationFraction: fraction, seed: 5, workers: 2)
    }

    func testLoadsClassesInSortedOrderWithSplit() throws {
        let folder = TempFolder()
        Fixture.imageFolder(folder, classes: ["tulips", "daisy", "roses"], perClass: 8)
        let ds = try ImageFolderLoader.load(root: folder.path, options: options())
        XCTAssertEqual(ds.classNames, ["daisy", "roses", "tulips"])
        XCTAssertEqual(ds.trainCount + ds.validationCount, 24)
        XCTAssertTrue(ds.skipped.isEmpty)
        let split = try ValidationSplit(fraction: 0.3)
        for s in [Split.training, .validation] {
            for i in 0..<ds.count(s) {
                XCTAssertEqual(split.split(ofRelativePath: ds.name(s, i)), s)
                XCTAssertEqual(ds.classNames[ds.label(s, i)], String(ds.name(s, i).split(separator: "/")[0]))
            }
        }
    }

    func testStoredPixelsMatchDirectDecode() throws {
        let folder = TempFolder()
        Fixture.imageFolder(folder, classes: ["a", "b"], perClass: 4)
        let ds = try ImageFolderLoader.load(root: folder.path, options: options(0.5))
        for s in [Split.training, .validation] {
            for i in 0..<ds.count(s) {
                let direct = try SingleImage.loadBytes(path: folder.path + "/" + ds.name(s, i), shape: shape)
                XCTAssertEqual(Array(ds.pixels(s, i)), direct, ds.name(s, i))
            }
        }
    }

    func testBadFilesAreSkippedAndNamed() throws {
        let folder = TempFolder()
        Fixture.imageFolder(folder, classes: ["cats", "dogs"], perClass: 4)
        let jpeg = Fixture.jpeg(width: 128, height: 128)
        folder.write("cats/truncated.jpg", Array(jpeg.prefix(jpeg.count * 3 / 4)))
        folder.write("cats/corrupt.jpg", [0xFF, 0xD8, 0xFF] + Fixture.noise(count: 300, seed: 4))
        folder.write("dogs/notes.txt", Array("not an image".utf8))
        folder.write("dogs/.hidden.jpg", jpeg)          // hidden: ignored, not even a warning
        folder.write("README.md", Array("root files are not classes".utf8))
        folder.write("dogs/empty.png", [])
        let ds = try ImageFolderLoader.load(root: folder.path, options: options())
        XCTAssertEqual(ds.trainCount + ds.validationCount, 8, "\(ds.skipped)")
        XCTAssertEqual(ds.skipped.map(\.path), ["cats/corrupt.jpg", "cats/truncated.jpg", "dogs/empty.png", "dogs/notes.txt"])
        XCTAssertTrue(ds.skipped.first { $0.path == "cats/truncated.jpg" }!.description.contains("truncated or corrupt JPEG"))
        XCTAssertTrue(ds.skipped.first { $0.path == "dogs/notes.txt" }!.description.hasPrefix("warning: skipped dogs/notes.txt"))
        XCTAssertEqual(SkippedFile.report(ds.skipped).last, "warning: 4 files skipped")
        XCTAssertEqual(SkippedFile.report(ds.skipped).count, 5)
        XCTAssertEqual(SkippedFile.report([]), [])
    }

    func testUnreadableFileIsSkippedWithItsReason() throws {
        guard getuid() != 0 else { throw XCTSkip("root can read any file") }
        let folder = TempFolder()
        Fixture.imageFolder(folder, classes: ["a", "b"], perClass: 2)
        let locked = folder.write("a/locked.jpg", Fixture.jpeg(width: 8, height: 8))
        chmod(locked, 0)
        let ds = try ImageFolderLoader.load(root: folder.path, options: options(0))
        XCTAssertEqual(ds.skipped, [SkippedFile(path: "a/locked.jpg", reason: "cannot open the file (no permission?)")])
    }

    func testExtensionDoesNotMatterAndSubfoldersCount() throws {
        let folder = TempFolder()
        folder.write("a/x.png", Fixture.jpeg(width: 20, height: 20))   // JPEG named .png
        folder.write("a/deeper/y", Fixture.png(width: 20, height: 20))
        folder.write("b/z.JPEG", Fixture.jpeg(width: 20, height: 20))
        let ds = try ImageFolderLoader.load(root: folder.path, options: options(0))
        XCTAssertEqual(ds.trainCount, 3)
        XCTAssertEqual((0..<3).map { ds.name(.training, $0) }, ["a/deeper/y", "a/x.png", "b/z.JPEG"])
    }

    func testMissingFolderIsAnError() {
        let error = unwrapError { _ = try ImageFolderLoader.load(root: "/nonexistent/flowers", options: options()) }
        XCTAssertEqual(error, .folderNotFound(path: "/nonexistent/flowers"))
        XCTAssertTrue(error!.description.contains("'/nonexistent/flowers' does not exist"))
        XCTAssertTrue(error!.description.contains("help:"))
    }

    func testFileInsteadOfFolderIsAnError() {
        let folder = TempFolder()
        let file = folder.write("one.jpg", Fixture.jpeg(width: 8, height: 8))
        XCTAssertEqual(unwrapError { _ = try ImageFolderLoader.load(root: file, options: options()) }, .notAFolder(path: file))
    }

    func testOneClassOnlyIsAnError() {
        let folder = TempFolder()
        Fixture.imageFolder(folder, classes: ["only"], perClass: 3)
        let error = unwrapError { _ = try ImageFolderLoader.load(root: folder.path, options: options()) }
        XCTAssertEqual(error, .tooFewClasses(path: folder.path, found: ["only"]))
        XCTAssertTrue(error!.description.contains("at least 2"))
    }

    func testEmptyClassFolderIsAnError() {
        let folder = TempFolder()
        Fixture.imageFolder(folder, classes: ["a", "b"], perClass: 3)
        folder.mkdir("c")
        folder.write("c/readme.txt", Array("no images".utf8))
        let error = unwrapError { _ = try ImageFolderLoader.load(root: folder.path, options: options()) }
        XCTAssertEqual(error, .emptyClassFolder(path: folder.path + "/c"))
    }

    func testFolderWithNoImagesIsAnError() {
        let folder = TempFolder()
        folder.write("a/1.txt", [1, 2, 3])
        folder.write("b/2.txt", [4, 5, 6])
        XCTAssertEqual(unwrapError { _ = try ImageFolderLoader.load(root: folder.path, options: options()) },
                       .noImages(path: folder.path))
    }

    func testClassWhoseImagesAllFailIsAnError() {
        let folder = TempFolder()
        Fixture.imageFolder(folder, classes: ["good", "other"], perClass: 3)
        folder.write("bad/1.jpg", [0xFF, 0xD8, 0xFF, 0x00])
        let error = unwrapError { _ = try ImageFolderLoader.load(root: folder.path, options: options()) }
        XCTAssertEqual(error, .noDecodableImages(path: folder.path + "/bad", skipped: 1))
    }

    func testUnsupportedChannelsIsAnError() {
        let folder = TempFolder()
        Fixture.imageFolder(folder, classes: ["a", "b"], perClass: 2)
        let opts = LoadOptions(shape: ImageShape(height: 8, width: 8, channels: 4))
        XCTAssertEqual(unwrapError { _ = try ImageFolderLoader.load(root: folder.path, options: opts) }, .unsupportedChannels(4))
    }

    func testGrayscaleModelGetsLuminance() throws {
        let folder = TempFolder()
        let red = [UInt8](Array([[UInt8]](repeating: [255, 0, 0], count: 64)).joined())
        folder.write("r/1.png", PNGEncoder.encode(pixels: red, width: 8, height: 8, channels: 3)!)
        folder.write("s/1.png", PNGEncoder.encode(pixels: red, width: 8, height: 8, channels: 3)!)
        let ds = try ImageFolderLoader.load(root: folder.path,
                                            options: LoadOptions(shape: ImageShape(height: 4, width: 4, channels: 1), validationFraction: 0))
        XCTAssertEqual(Array(ds.pixels(.training, 0)), [UInt8](repeating: 76, count: 16))
    }

    func testProgressReachesTotalInOrder() throws {
        let folder = TempFolder()
        Fixture.imageFolder(folder, classes: ["a", "b"], perClass: 10)
        let seen = ProgressLog()
        var opts = options()
        opts.progress = { done, total in seen.append(done, total) }
        _ = try ImageFolderLoader.load(root: folder.path, options: opts)
        XCTAssertEqual(seen.values, (1...20).map { [$0, 20] })
    }

    func testSingleImageForPredict() throws {
        let folder = TempFolder()
        let pixels: [UInt8] = (0..<(4 * 4 * 3)).map { UInt8($0 * 5) }
        let path = folder.write("p.png", PNGEncoder.encode(pixels: pixels, width: 4, height: 4, channels: 3)!)
        let floats = try SingleImage.load(path: path, shape: ImageShape(height: 4, width: 4, channels: 3))
        XCTAssertEqual(floats, pixels.map { Float($0) / 255 })
        let missing = folder.path + "/missing.jpg"
        XCTAssertEqual(unwrapError { _ = try SingleImage.load(path: missing, shape: self.shape) },
                       .unreadableImage(path: missing, reason: "no such file"))
        let text = folder.write("t.txt", Array("hi".utf8))
        XCTAssertEqual(unwrapError { _ = try SingleImage.load(path: text, shape: self.shape) },
                       .unreadableImage(path: text, reason: "not a JPEG or PNG file"))
    }
}

/// Thread-safe record of progress calls.
final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var log: [[Int]] = []
    func append(_ done: Int, _ total: Int) { lock.lock(); log.append([done, total]); lock.unlock() }
    var values: [[Int]] { lock.lock(); defer { lock.unlock() }; return log }
}
