import CalorimeterSimulation
let r = RandomStream(seed: 1)
let sim = EventSimulator()
for l in 0..<10 { let im = sim.simulate(label: l, rng: r); print(sim.registry.classes[l].name, im.totalEnergy, im.overflow) }
