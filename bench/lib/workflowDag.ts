/**
 * The benchmark's workflow: `layers` layers of `width` external steps; each
 * step after the first layer needs 1-3 steps of the layer before, chosen by a
 * seeded generator so every run measures the same graph. Steps go to the
 * agents round-robin in written order, so any 20 consecutive ready steps
 * belong to 20 different agents.
 */

export type BenchDag = {
  name: string;
  source: string;
  layers: number;
  width: number;
  /** Step ids in written order. */
  stepIds: string[];
  needs: ReadonlyMap<string, readonly string[]>;
  /** Index of the agent each step is assigned to. */
  agentOf: ReadonlyMap<string, number>;
  layerOf: ReadonlyMap<string, number>;
};

/** mulberry32: small, fast, good enough to pick dependencies. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function stepId(layer: number, index: number): string {
  return `l${String(layer).padStart(2, "0")}_s${String(index).padStart(2, "0")}`;
}

export function benchDag(options: {
  name: string;
  layers: number;
  width: number;
  agentNames: readonly string[];
  seed?: number;
}): BenchDag {
  const { name, layers, width, agentNames } = options;
  const random = generator(options.seed ?? 7);
  const stepIds: string[] = [];
  const needs = new Map<string, string[]>();
  const agentOf = new Map<string, number>();
  const layerOf = new Map<string, number>();
  const lines = [`name: ${JSON.stringify(name)}`, "steps:"];
  for (let layer = 0; layer < layers; layer += 1) {
    for (let index = 0; index < width; index += 1) {
      const id = stepId(layer, index);
      const agent = stepIds.length % agentNames.length;
      const chosen = new Set<number>();
      if (layer > 0) {
        const count = 1 + Math.floor(random() * 3);
        while (chosen.size < Math.min(count, width)) {
          chosen.add(Math.floor(random() * width));
        }
      }
      const ids = [...chosen]
        .sort((a, b) => a - b)
        .map((i) => stepId(layer - 1, i));
      stepIds.push(id);
      needs.set(id, ids);
      agentOf.set(id, agent);
      layerOf.set(id, layer);
      lines.push(
        `  ${id}:`,
        "    executor: external",
        `    agent: ${JSON.stringify(agentNames[agent])}`,
        ...(ids.length === 0 ? [] : [`    needs: [${ids.join(", ")}]`]),
        `    prompt: "Benchmark step ${id}: complete it at once."`,
      );
    }
  }
  return {
    name,
    source: `${lines.join("\n")}\n`,
    layers,
    width,
    stepIds,
    needs,
    agentOf,
    layerOf,
  };
}
