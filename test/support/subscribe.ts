/** Records what a ConvexClient subscription reports, for assertions and waits. */
import type { ConvexClient } from "convex/browser";
import type {
  FunctionArgs,
  FunctionReference,
  FunctionReturnType,
} from "convex/server";

export type Recorded<T> = {
  values: T[];
  errors: Error[];
  latest(): T | undefined;
  unsubscribe(): void;
};

export function subscribe<Query extends FunctionReference<"query">>(
  client: ConvexClient,
  query: Query,
  args: FunctionArgs<Query>,
): Recorded<FunctionReturnType<Query>> {
  const values: FunctionReturnType<Query>[] = [];
  const errors: Error[] = [];
  const unsubscribe = client.onUpdate(
    query,
    args,
    (value) => values.push(value),
    (error) => errors.push(error),
  );
  return {
    values,
    errors,
    latest: () => values[values.length - 1],
    unsubscribe: () => unsubscribe(),
  };
}
