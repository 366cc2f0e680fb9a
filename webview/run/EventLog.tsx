/** The run's latest events (workflowRuns.get keeps the last 50), oldest first. */
import { Tag } from "../components/Tag";
import { formatClock, formatDateTime } from "../shared/format";
import { eventKindText, eventTone } from "./runModel";

export interface RunEventLike {
  readonly _id: string;
  readonly at: number;
  readonly kind: string;
  readonly stepId?: string;
  readonly detail: string;
}

export function EventLog({
  events,
}: {
  readonly events: readonly RunEventLike[];
}) {
  return (
    <section className="sb-section" aria-labelledby="run-events">
      <h2 id="run-events">Events (latest {events.length})</h2>
      {events.length === 0 ? (
        <p className="sb-muted">Nothing has happened yet.</p>
      ) : (
        <ol className="run__events" data-testid="run-events">
          {events.map((event) => (
            <li key={event._id} className="run__event">
              {/* Steps happen seconds apart: the log shows seconds, the hover the date. */}
              <time title={formatDateTime(event.at)}>
                {formatClock(event.at)}
              </time>
              <Tag tone={eventTone(event.kind)}>
                {eventKindText(event.kind)}
              </Tag>
              {event.stepId === undefined ? null : (
                <span className="sb-mono">{event.stepId}</span>
              )}
              <span className="run__event-detail">{event.detail}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
