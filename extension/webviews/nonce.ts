import { randomBytes } from "node:crypto";

/**
 * A fresh CSP nonce for one render of a webview's HTML. 16 random bytes from the
 * OS CSPRNG (128 bits, the CSP spec's recommended minimum) in base64url, which is
 * valid inside `'nonce-…'` and needs no escaping in an HTML attribute.
 * `Math.random()`, as in many samples, is predictable and would let injected
 * markup guess the nonce.
 */
export function createNonce(): string {
  return randomBytes(16).toString("base64url");
}
