/** Writing to the thread as the signed-in person; Ctrl/Cmd+Enter sends. */
import { useState } from "react";
import { useMutation } from "convex/react";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import { Button } from "../components/Button";
import { Notice } from "../components/Notice";
import { TextArea } from "../components/TextArea";
import { errorText } from "../shared/errors";
import { isSendShortcut } from "./threadModel";

const MAX_LENGTH = 20_000;
const IS_MAC = /Mac|iPhone|iPad/.test(navigator.userAgent);
const SHORTCUT = IS_MAC ? "⌘+Enter" : "Ctrl+Enter";

export function Composer({ threadId }: { readonly threadId: Id<"threads"> }) {
  const post = useMutation(api.messages.post);
  const [draft, setDraft] = useState("");
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const empty = draft.trim() === "";

  const send = (): void => {
    if (empty || sending) return;
    setSending(true);
    setError(null);
    const body = draft;
    post({ threadId, body })
      // Keep anything typed while the message was on its way.
      .then(() => setDraft((current) => (current === body ? "" : current)))
      .catch((failure: unknown) => setError(errorText(failure)))
      .finally(() => setSending(false));
  };

  return (
    <div className="composer">
      {error === null ? null : (
        <Notice testId="thread-error" onDismiss={() => setError(null)}>
          {error}
        </Notice>
      )}
      <TextArea
        label="Message"
        hideLabel
        value={draft}
        onChange={setDraft}
        placeholder={`Write a message… (${SHORTCUT} to send)`}
        rows={3}
        maxLength={MAX_LENGTH}
        testId="thread-composer"
        describedBy="composer-hint"
        onKeyDown={(event) => {
          if (isSendShortcut(event)) {
            event.preventDefault();
            send();
          }
        }}
      />
      <div className="composer__actions">
        <span id="composer-hint" className="sb-muted">
          {SHORTCUT} sends · Enter adds a line
        </span>
        <Button onClick={send} disabled={empty || sending} testId="thread-send">
          {sending ? "Sending…" : "Send"}
        </Button>
      </div>
    </div>
  );
}
