/// How long the rest of a run will take, said once after the first epoch this process trains:
/// a long run (squeezenet's 35 epochs) should tell its user early whether to wait or come back.
/// The first epoch's time includes validation and any warm-up, so the forecast errs long.
public enum RunForecast {
    /// `About 1:14:05 more for the 33 epochs left (2:15 an epoch so far)`.
    public static func line(epochSeconds: Double, epochsLeft: Int) -> String {
        let total = ProgressFormat.eta(epochSeconds * Double(epochsLeft))
        let noun = epochsLeft == 1 ? "epoch" : "epochs"
        return "About \(total) more for the \(epochsLeft) \(noun) left (\(ProgressFormat.eta(epochSeconds)) an epoch so far)"
    }
}
