/** Names behind principal ids (users and agents), from `api.board.people`. */
import { useMemo } from "react";
import { useQuery } from "convex/react";
import { api } from "../../convex/_generated/api";
import { peopleArgs } from "./queryArgs";

export interface Person {
  readonly id: string;
  readonly kind: "user" | "agent";
  readonly name: string;
}

export interface PeopleIndex {
  readonly list: readonly Person[];
  /** The name, "System" for scheduled jobs, or a short id for someone unknown. */
  readonly name: (id: string | undefined) => string;
  readonly get: (id: string) => Person | undefined;
}

export function buildPeopleIndex(
  people: readonly Person[] | undefined,
): PeopleIndex {
  const byId = new Map((people ?? []).map((person) => [person.id, person]));
  return {
    list: people ?? [],
    get: (id) => byId.get(id),
    name: (id) => {
      if (id === undefined) return "Unassigned";
      if (id === "system") return "System";
      return byId.get(id)?.name ?? `Unknown (${id.slice(-6)})`;
    },
  };
}

/** Everyone in the project's org; names update live when someone is renamed. */
export function usePeople(
  projectId: string,
  /** Shown until the live query answers (the board's preload). */
  initial?: readonly Person[],
): PeopleIndex {
  const people = useQuery(api.board.people, peopleArgs(projectId)) ?? initial;
  return useMemo(() => buildPeopleIndex(people), [people]);
}
