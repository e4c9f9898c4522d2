import Foundation

/// The files of an image-folder dataset, found without decoding anything: class folders in sorted
/// order, and in each the files whose first bytes say JPEG or PNG. Files that are not images are
/// recorded as skipped; hidden files and folders (leading '.') are ignored, as are plain files
/// at the root (README, LICENSE...). Sub-folders inside a class folder are searched too.
public struct ImageFolderListing: Sendable {
    /// One image file: its path relative to the root ('/'-separated) and its class index.
    public struct Entry: Hashable, Sendable {
        public var relativePath: String
        public var label: Int
    }

    public let root: String
    /// Sorted class folder names; a label is an index into this.
    public let classNames: [String]
    /// Image files, in class order then sorted relative path.
    public let entries: [Entry]
    /// Files that were not JPEG or PNG.
    public let skipped: [SkippedFile]

    /// Lists `root`, throwing a `DataError` for a missing folder, fewer than 2 classes, an empty
    /// class folder or no images at all.
    public init(root: String) throws(DataError) {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: root, isDirectory: &isDir) else { throw .folderNotFound(path: root) }
        guard isDir.boolValue else { throw .notAFolder(path: root) }
        let rootURL = URL(fileURLWithPath: root, isDirectory: true)
        let names = ((try? fm.contentsOfDirectory(atPath: root)) ?? []).filter { !$0.hasPrefix(".") }
            .sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        // No folder is entered twice (a link back to the root is no class; a loop is cut).
        var visits = DirectoryVisits()
        _ = visits.firstVisit(root)
        var skipped: [SkippedFile] = []
        var classes: [String] = []
        for name in names where ImageFolderListing.isDirectory(rootURL.appendingPathComponent(name).path) {
            if visits.firstVisit(rootURL.appendingPathComponent(name).path) {
                classes.append(name)
            } else {
                skipped.append(SkippedFile(path: name, reason: ImageFolderListing.revisitReason))
            }
        }
        guard classes.count >= 2 else { throw .tooFewClasses(path: root, found: classes) }

        var entries: [Entry] = []
        var emptyClass: String?
        for (label, name) in classes.enumerated() {
            let files = ImageFolderListing.files(under: rootURL.appendingPathComponent(name).path, relative: name,
                                                 visits: &visits, skipped: &skipped)
            var found = 0
            for rel in files {
                let full = rootURL.path + "/" + rel
                switch ImageFolderListing.sniff(path: full) {
                case .success(.some):
                    entries.append(Entry(relativePath: rel, label: label))
                    found += 1
                case .success(nil):
                    skipped.append(SkippedFile(path: rel, reason: "not a JPEG or PNG file"))
                case .failure(let reason):
                    skipped.append(SkippedFile(path: rel, reason: reason.reason))
                }
            }
            if found == 0 && emptyClass == nil { emptyClass = rootURL.appendingPathComponent(name).path }
        }
        if entries.isEmpty { throw .noImages(path: root) }
        if let empty = emptyClass { throw .emptyClassFolder(path: empty) }
        self.root = root
        self.classNames = classes
        self.entries = entries
        self.skipped = skipped
    }

    /// Full path of an entry.
    public func path(of entry: Entry) -> String {
        (root.hasSuffix("/") ? root : root + "/") + entry.relativePath
    }

    static func isDirectory(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
    }

    /// Why a folder was not listed: it is one already listed (through a symlink).
    static let revisitReason = "a folder already listed (a symbolic link back into the data set); not followed again"

    /// Non-hidden regular files under `dir`, recursively, as sorted '/'-joined relative paths.
    /// A folder already in `visits` (a symlink loop) is recorded in `skipped` and not entered.
    static func files(under dir: String, relative: String, visits: inout DirectoryVisits,
                      skipped: inout [SkippedFile]) -> [String] {
        var out: [String] = []
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [])
            .filter { !$0.hasPrefix(".") }
        for name in names {
            let full = dir + "/" + name
            if isDirectory(full) {
                if visits.firstVisit(full) {
                    out += files(under: full, relative: relative + "/" + name, visits: &visits, skipped: &skipped)
                } else {
                    skipped.append(SkippedFile(path: relative + "/" + name, reason: revisitReason))
                }
            } else {
                out.append(relative + "/" + name)
            }
        }
        return out.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }

    /// The format announced by the file's first bytes (nil: not an image), or why it is unreadable.
    static func sniff(path: String) -> Result<ImageFormat?, ImageDecodeError> {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            return .failure(ImageDecodeError(reason: "cannot open the file (no permission?)"))
        }
        defer { try? handle.close() }
        guard let head = try? handle.read(upToCount: ImageFormat.magicLength) else {
            return .failure(ImageDecodeError(reason: "cannot read the file"))
        }
        return .success(ImageFormat.detect(head))
    }
}
