/**
 * What native agents' tokens cost, so their usage counts against money
 * envelopes as well as token ones. Prices are list prices in USD per million
 * tokens, matched by model-name prefix (dated snapshots share their family's
 * price). An unknown model costs 0 here: its tokens are still counted, and a
 * deployment can set SWITCHBOARD_NATIVE_PRICE="<input>,<output>" (USD per
 * million) to price it.
 */
type Price = { inputPerMTok: number; outputPerMTok: number };

const PRICES: readonly (readonly [prefix: string, price: Price])[] = [
  ["claude-opus-4-5", { inputPerMTok: 5, outputPerMTok: 25 }],
  ["claude-opus-4", { inputPerMTok: 15, outputPerMTok: 75 }],
  ["claude-sonnet-4", { inputPerMTok: 3, outputPerMTok: 15 }],
  ["claude-3-7-sonnet", { inputPerMTok: 3, outputPerMTok: 15 }],
  ["claude-haiku-4", { inputPerMTok: 1, outputPerMTok: 5 }],
  ["claude-3-5-haiku", { inputPerMTok: 0.8, outputPerMTok: 4 }],
];

/** "3,15" -> a price; anything else -> undefined (the table applies). */
export function parsePriceOverride(
  text: string | undefined,
): Price | undefined {
  if (text === undefined) return undefined;
  const parts = text.split(",").map((part) => Number(part.trim()));
  if (parts.length !== 2) return undefined;
  const [input, output] = parts as [number, number];
  const valid = (n: number) => Number.isFinite(n) && n >= 0;
  return valid(input) && valid(output)
    ? { inputPerMTok: input, outputPerMTok: output }
    : undefined;
}

export function priceOf(model: string, override?: Price): Price | undefined {
  if (override !== undefined) return override;
  return PRICES.find(([prefix]) => model.startsWith(prefix))?.[1];
}

/** USD for one call; 0 when the model's price is not known. */
export function costUsd(
  model: string,
  inputTokens: number,
  outputTokens: number,
  override?: Price,
): number {
  const price = priceOf(model, override);
  if (price === undefined) return 0;
  return (
    (inputTokens * price.inputPerMTok + outputTokens * price.outputPerMTok) /
    1e6
  );
}
