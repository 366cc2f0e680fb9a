/**
 * Signing the window in: a long-lived secret (the local owner token, or the
 * person's `sbu_…` token for a remote deployment) exchanged for a one-hour JWT.
 *
 * An adapter over mcp-server/tokens.ts (reused as is: `exchangeSecret` and the
 * caching `TokenSource`): its refusal messages speak to an MCP server's
 * SWITCHBOARD_TOKEN, so a refusal is re-worded here for the window, and a token
 * that belongs to an agent is refused (the window acts for a person).
 */
import { NotConfiguredError } from "../../mcp-server/errors";
import {
  exchangeSecret,
  TokenSource,
  type Exchanged,
} from "../../mcp-server/tokens";

export { TokenSource, type Exchanged };

/** The secret was refused: retrying will not help, the person must act. */
export class SignInRefusedError extends Error {
  override name = "SignInRefusedError";
}

export type Exchange = (
  siteUrl: string,
  secret: string,
  where: string,
) => Promise<Exchanged>;

export interface SignInContext {
  readonly backend: "local" | "remote";
  /** For a local backend: where its owner token lives, for the message. */
  readonly dataDir?: string;
}

const EXCHANGE_TIMEOUT_MS = 10_000;

/** The exchange as the window uses it: refusals re-worded, agent tokens refused. */
export function windowExchange(
  context: SignInContext,
  exchange: Exchange = (siteUrl, secret, where) =>
    exchangeSecret(siteUrl, secret, where, EXCHANGE_TIMEOUT_MS),
): Exchange {
  return async (siteUrl, secret, where) => {
    let exchanged: Exchanged;
    try {
      exchanged = await exchange(siteUrl, secret, where);
    } catch (error) {
      if (error instanceof NotConfiguredError) {
        throw new SignInRefusedError(refusal(context, siteUrl));
      }
      throw error;
    }
    if (exchanged.kind !== "user") {
      throw new SignInRefusedError(
        "The stored token belongs to an agent (sba_…). Run “Switchboard: Switch Backend” and sign in with a person's token (sbu_…).",
      );
    }
    return exchanged;
  };
}

function refusal(context: SignInContext, siteUrl: string): string {
  if (context.backend === "local") {
    return `The local backend refused its owner token (${context.dataDir ?? "data directory"}/owner-token). Restart the backend (Switchboard: Show Connection Status → Reconnect); it mints a new token when the file is missing.`;
  }
  return `${siteUrl}/auth/token refused the stored sign-in token (unknown, revoked or not a Switchboard token). Run “Switchboard: Switch Backend” and enter a new one.`;
}

/** Signs in once and returns the source the ConvexClient (and webviews) ask for JWTs. */
export async function signIn(
  exchange: Exchange,
  siteUrl: string,
  secret: string,
  where: string,
): Promise<TokenSource> {
  const first = await exchange(siteUrl, secret, where);
  return new TokenSource(first, () => exchange(siteUrl, secret, where));
}
