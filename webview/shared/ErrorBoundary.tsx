/**
 * `useQuery` throws a query's error (NOT_FOUND, FORBIDDEN…) into render. This
 * catches it for one section, says what happened and offers a retry; a new
 * `resetKey` (another task, a reconnect) clears it by itself.
 */
import { Component, type ErrorInfo, type ReactNode } from "react";
import { PlainButton } from "../components/PlainButton";
import { Notice } from "../components/Notice";
import { errorText } from "./errors";

interface Props {
  readonly children: ReactNode;
  /** What failed, e.g. "the task"; shown before the server's message. */
  readonly what?: string;
  readonly resetKey?: string;
  /** Another way out besides Retry, e.g. "Back to threads". */
  readonly extra?: ReactNode;
}

interface State {
  readonly error: unknown;
  readonly resetKey: string | undefined;
}

export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: undefined, resetKey: this.props.resetKey };

  static getDerivedStateFromError(error: unknown): Partial<State> {
    return { error };
  }

  static getDerivedStateFromProps(
    props: Props,
    state: State,
  ): Partial<State> | null {
    return props.resetKey === state.resetKey
      ? null
      : { error: undefined, resetKey: props.resetKey };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo): void {
    console.warn("switchboard view error", error, info.componentStack);
  }

  override render(): ReactNode {
    if (this.state.error === undefined) return this.props.children;
    const what = this.props.what;
    return (
      <div className="sb-error-block">
        <Notice>
          {what === undefined ? "" : `Could not load ${what}: `}
          {errorText(this.state.error)}
        </Notice>
        <PlainButton
          appearance="secondary"
          onClick={() => this.setState({ error: undefined })}
        >
          Retry
        </PlainButton>
        {this.props.extra}
      </div>
    );
  }
}
