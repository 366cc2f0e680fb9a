/** Text, label and assignee filters, the cancelled toggle and the keyboard hint. */
import { memo } from "react";
import { PlainButton } from "../components/PlainButton";
import { Select, type SelectOption } from "../components/Select";
import { TextField } from "../components/TextField";
import type { PeopleIndex } from "../shared/people";
import {
  isFilterActive,
  UNASSIGNED,
  EMPTY_FILTER,
  type BoardFilter,
} from "./boardModel";
import { MOVE_SHORTCUT_HINT } from "./keyboard";

export interface FilterBarProps {
  readonly filter: BoardFilter;
  readonly onFilter: (filter: BoardFilter) => void;
  readonly labels: readonly string[];
  readonly people: PeopleIndex;
  readonly showCancelled: boolean;
  readonly onToggleCancelled: () => void;
  /** True while a filter is active and pages are still loading. */
  readonly loadingAll: boolean;
}

function FilterBarView({
  filter,
  onFilter,
  labels,
  people,
  showCancelled,
  onToggleCancelled,
  loadingAll,
}: FilterBarProps) {
  const labelOptions: SelectOption[] = [
    { value: "", label: "Any label" },
    ...labels.map((label) => ({ value: label, label })),
  ];
  // Keep a selected label that no loaded card carries any more selectable.
  if (filter.label !== "" && !labels.includes(filter.label)) {
    labelOptions.push({ value: filter.label, label: filter.label });
  }
  const assigneeOptions: SelectOption[] = [
    { value: "", label: "Anyone" },
    { value: UNASSIGNED, label: "Unassigned" },
    ...people.list.map((person) => ({
      value: person.id,
      label: person.kind === "agent" ? `${person.name} (agent)` : person.name,
    })),
  ];
  if (
    filter.assignee !== "" &&
    filter.assignee !== UNASSIGNED &&
    people.get(filter.assignee) === undefined
  ) {
    assigneeOptions.push({
      value: filter.assignee,
      label: people.name(filter.assignee),
    });
  }
  return (
    <div className="filters" role="search" aria-label="Filter tasks">
      <TextField
        type="search"
        label="Filter by title or key"
        hideLabel
        placeholder="Filter by title or key (e.g. SB-12)"
        value={filter.text}
        onChange={(text) => onFilter({ ...filter, text })}
        onKeyDown={(event) => {
          if (event.key === "Escape") onFilter({ ...filter, text: "" });
        }}
        testId="board-filter-text"
        className="filters__text"
      />
      <Select
        label="Label"
        hideLabel
        value={filter.label}
        options={labelOptions}
        onChange={(label) => onFilter({ ...filter, label })}
        testId="board-filter-label"
      />
      <Select
        label="Assignee"
        hideLabel
        value={filter.assignee}
        options={assigneeOptions}
        onChange={(assignee) => onFilter({ ...filter, assignee })}
        testId="board-filter-assignee"
      />
      {isFilterActive(filter) ? (
        <PlainButton
          appearance="secondary"
          onClick={() => onFilter(EMPTY_FILTER)}
          testId="board-filter-clear"
        >
          Clear filters
        </PlainButton>
      ) : null}
      <PlainButton
        appearance="secondary"
        onClick={onToggleCancelled}
        testId="board-toggle-cancelled"
        title={
          showCancelled
            ? "Hide the Cancelled column"
            : "Show the Cancelled column"
        }
      >
        {showCancelled ? "Hide cancelled" : "Show cancelled"}
      </PlainButton>
      {loadingAll ? (
        <span className="filters__status" role="status">
          Searching all tasks…
        </span>
      ) : null}
      <p className="filters__hint" id="board-hint">
        {MOVE_SHORTCUT_HINT}
      </p>
    </div>
  );
}

export const FilterBar = memo(FilterBarView);
