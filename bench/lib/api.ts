/**
 * Typed references to the benchmark app's functions (bench/convex-app/convex), built by
 * name since that app has no generated `api` object.
 */
import { makeFunctionReference } from "convex/server";
import type { GenericId } from "convex/values";

export const FUNCTIONS_DIR_PARTS = ["bench", "convex-app", "convex"] as const;

export type SendArgs = { channel: string; body: string; n: number };

export type Message = {
  _id: GenericId<"messages">;
  _creationTime: number;
  channel: string;
  body: string;
  n: number;
};

export const send = makeFunctionReference<
  "mutation",
  SendArgs,
  GenericId<"messages">
>("messages:send");

export const latest = makeFunctionReference<
  "query",
  { channel: string },
  Message[]
>("messages:latest");
