/**
 * Where the window connects, from the `switchboard.*` settings: the embedded local
 * backend (no URL) or a Convex deployment. Pure, so the URL rules are unit-tested.
 */

/** The settings as VS Code holds them (trimmed strings, "" when unset). */
export interface BackendSettings {
  readonly backendUrl: string;
  readonly siteUrl: string;
}

export type BackendTarget =
  | { readonly kind: "local" }
  | { readonly kind: "remote"; readonly url: string; readonly siteUrl: string };

/** SecretStorage key of the person's sign-in secret (`sbu_…`) for a remote deployment. */
export const SIGN_IN_SECRET_KEY = "switchboard.signInToken";

/** workspaceState key of the project the window works on (a later "switch project" sets it). */
export const PROJECT_MEMORY_KEY = "switchboard.projectId";

export class SettingsError extends Error {
  override name = "SettingsError";
}

/**
 * A deployment URL as the client wants it: http(s), no trailing slash. A path is
 * kept (a self-hosted deployment may sit behind one); query and hash are not.
 */
export function normalizeUrl(value: string, setting: string): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new SettingsError(
      `${setting} is not a URL: ${JSON.stringify(value)}`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new SettingsError(
      `${setting} must start with http:// or https://, not ${url.protocol}`,
    );
  }
  const path = url.pathname.replace(/\/+$/, "");
  return `${url.protocol}//${url.host}${path}`;
}

/**
 * Convex cloud serves HTTP actions on a sibling host: `x.convex.cloud` ->
 * `x.convex.site` (also for regional hosts like `x.eu-west-1.convex.cloud`).
 * Anything else (self-hosted) needs `switchboard.siteUrl`.
 */
export function deriveSiteUrl(backendUrl: string): string | null {
  const url = new URL(backendUrl);
  if (!url.hostname.endsWith(".convex.cloud")) return null;
  url.hostname = `${url.hostname.slice(0, -".convex.cloud".length)}.convex.site`;
  return `${url.protocol}//${url.host}`;
}

export function resolveTarget(settings: BackendSettings): BackendTarget {
  if (settings.backendUrl.trim() === "") return { kind: "local" };
  const url = normalizeUrl(settings.backendUrl, "switchboard.backendUrl");
  if (settings.siteUrl.trim() !== "") {
    return {
      kind: "remote",
      url,
      siteUrl: normalizeUrl(settings.siteUrl, "switchboard.siteUrl"),
    };
  }
  const siteUrl = deriveSiteUrl(url);
  if (siteUrl === null) {
    throw new SettingsError(
      `Set switchboard.siteUrl: it cannot be derived from ${url} (only *.convex.cloud URLs have a known *.convex.site).`,
    );
  }
  return { kind: "remote", url, siteUrl };
}

/** For the "Convex deployment URL…" input box: null when fine, else why not. */
export function validateBackendUrlInput(value: string): string | null {
  if (value.trim() === "") return "Enter the deployment URL.";
  try {
    normalizeUrl(value, "The URL");
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** For the secret input box: user secrets are minted as `sbu_…` (convex/model/secrets.ts). */
export function validateSecretInput(value: string): string | null {
  const trimmed = value.trim();
  if (trimmed.startsWith("sba_")) {
    return "That is an agent token (sba_…); sign in with a person's token (sbu_…).";
  }
  if (!trimmed.startsWith("sbu_")) return "A sign-in token starts with sbu_.";
  return null;
}

/** Two settings snapshots that would connect to the same place. */
export function sameSettings(a: BackendSettings, b: BackendSettings): boolean {
  return (
    a.backendUrl.trim() === b.backendUrl.trim() &&
    a.siteUrl.trim() === b.siteUrl.trim()
  );
}
