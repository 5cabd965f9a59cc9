// Class labels as the tables print them.
import CalorimeterSimulation

extension EventRegistry {
    /// The pretty label of the class named `name` ("π⁰ → γγ"), or the name itself if the class
    /// is not registered here.
    public func prettyLabel(_ name: String) -> String { self[name]?.label ?? name }
}
