/// "Did you mean" suggestions for misspelled keywords.
public enum Suggestion {
    /// The candidate closest to `word` by edit distance (with adjacent transpositions, so `cnov`
    /// is one edit from `conv`), or `nil` when none is close enough to be a plausible typo.
    public static func closest(to word: String, among candidates: [String]) -> String? {
        let lowered = word.lowercased()
        let limit = lowered.count >= 6 ? 2 : 1
        var best: (String, Int)?
        for candidate in candidates {
            let d = distance(lowered, candidate)
            if d <= limit, d < (best?.1 ?? Int.max) { best = (candidate, d) }
        }
        return best?.0
    }

    /// The help line for an unknown word: "did you mean 'conv'?" or the fallback.
    public static func help(for word: String, among candidates: [String], otherwise fallback: String) -> String {
        closest(to: word, among: candidates).map { didYouMean($0, for: word) } ?? fallback
    }

    /// "did you mean 'conv'?", saying why when the only difference is letter case.
    public static func didYouMean(_ guess: String, for word: String) -> String {
        word != guess && word.lowercased() == guess
            ? "did you mean '\(guess)'? (keywords are lower-case)" : "did you mean '\(guess)'?"
    }

    /// Optimal-string-alignment distance: insertions, deletions, substitutions and swaps of two
    /// neighbouring characters each cost 1.
    static func distance(_ a: String, _ b: String) -> Int {
        let s = Array(a), t = Array(b)
        if s.isEmpty { return t.count }
        if t.isEmpty { return s.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: t.count + 1), count: s.count + 1)
        for i in 0...s.count { d[i][0] = i }
        for j in 0...t.count { d[0][j] = j }
        for i in 1...s.count {
            for j in 1...t.count {
                let cost = s[i - 1] == t[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, s[i - 1] == t[j - 2], s[i - 2] == t[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[s.count][t.count]
    }
}
