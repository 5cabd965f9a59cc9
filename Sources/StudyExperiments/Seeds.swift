// Every seed the experiments derive, in one place. The master seeds themselves are the
// experiment's configuration (the pipeline's Reproduce/seeds.mk passes each explicitly); what is
// here is how sub-streams follow from them, by named salts (StudyRandom's `SeedDerivation`), so
// no stream can shift another.
import StudyRandom

/// The seed derivations of the study's experiments.
public enum StudySeeds {
    /// The seed a training actually uses. A network of all classes (§4) trains with `master`
    /// itself; a leave-one-out network (§5, `removed` = the removed class's label in the dataset)
    /// and every deep-ensemble member (`member` ≥ 1) derive theirs by the salt "leave-one-out"
    /// from (master, removed, member), so every removed class and member has its own
    /// initialisation, shuffling and weight noise while one documented seed drives them all. An
    /// ensemble member of a network of all classes uses `removed` = 2⁶⁴ − 1.
    public static func training(master: UInt64, removed: Int?, member: Int) -> UInt64 {
        guard removed != nil || member > 0 else { return master }
        return SeedDerivation.seed(master, salt: "leave-one-out", removed.map(UInt64.init) ?? UInt64.max, UInt64(member))
    }

    /// The bootstrap stream of (removed class label, score column) in the §5 analysis.
    public static func bootstrap(master: UInt64, removed: Int, score: Int) -> UInt64 {
        SeedDerivation.seed(master, salt: "bootstrap", UInt64(removed), UInt64(score))
    }

    /// The seed of the autoencoder detectors fitted without `removed` (the removed class's label
    /// in the training file; nil for a model of all classes: 2⁶⁴ − 1), by the salt "autoencoder".
    /// Both variants (study and energy-normalised inputs) use it: they differ only by their inputs.
    /// The training from seed `member` ≥ 1 (the spread between seeds, `SEEDS`) derives from
    /// (master, removed, member); member 0 is the main training.
    public static func autoencoder(master: UInt64, removed: Int?, member: Int = 0) -> UInt64 {
        let r = removed.map(UInt64.init) ?? UInt64.max
        return member == 0 ? SeedDerivation.seed(master, salt: "autoencoder", r)
                           : SeedDerivation.seed(master, salt: "autoencoder", r, UInt64(member))
    }
}
