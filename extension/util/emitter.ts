/**
 * A minimal event emitter whose `event` is assignable to `vscode.Event<T>`, so
 * vscode-free modules (the connection core) can expose the events the contracts
 * declare and still be unit-tested without VS Code.
 */
import type { DisposableLike } from "./disposable";

type Listener<T> = (value: T) => unknown;

export type Event<T> = (
  listener: Listener<T>,
  thisArgs?: unknown,
  disposables?: DisposableLike[],
) => DisposableLike & { dispose(): void };

export class Emitter<T> {
  private readonly listeners = new Set<{ call: Listener<T> }>();
  private disposed = false;

  constructor(
    /** Told when a listener throws; one bad listener must not starve the others. */
    private readonly onListenerError: (error: unknown) => void = (error) =>
      console.error("Switchboard: event listener failed", error),
  ) {}

  readonly event: Event<T> = (listener, thisArgs, disposables) => {
    // A wrapper object per subscription, so the same function can subscribe twice.
    const entry = {
      call: (value: T): unknown => listener.call(thisArgs, value),
    };
    if (!this.disposed) this.listeners.add(entry);
    const subscription = { dispose: () => void this.listeners.delete(entry) };
    disposables?.push(subscription);
    return subscription;
  };

  fire(value: T): void {
    for (const entry of [...this.listeners]) {
      try {
        entry.call(value);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  dispose(): void {
    this.disposed = true;
    this.listeners.clear();
  }
}
