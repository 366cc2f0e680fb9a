/**
 * A titled section showing text a person or an agent wrote, as preformatted
 * plain text (never HTML), or a quiet line when there is none.
 */
export function TextSection({
  id,
  title,
  text,
  empty,
  className,
  testId,
}: {
  /** The heading's id, which labels the section. */
  readonly id: string;
  readonly title: string;
  readonly text: string;
  /** Shown when `text` is blank. */
  readonly empty: string;
  readonly className: string;
  readonly testId: string;
}) {
  return (
    <section className="sb-section" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {text.trim() === "" ? (
        <p className="sb-muted">{empty}</p>
      ) : (
        <pre className={className} data-testid={testId}>
          {text}
        </pre>
      )}
    </section>
  );
}
