/**
 * The one disposal pattern of the extension host (as in vscode-pull-request-github):
 * a long-lived object registers what it creates right where it creates it, and
 * disposing it releases all of that in reverse order. No vscode import, so the
 * connection core and its tests can use it too; `vscode.Disposable` is structurally
 * the same `{ dispose() }`.
 */

export interface DisposableLike {
  dispose(): unknown;
}

export function toDisposable(dispose: () => void): DisposableLike {
  let done = false;
  return {
    dispose: () => {
      if (done) return;
      done = true;
      dispose();
    },
  };
}

export class Disposable implements DisposableLike {
  private readonly owned: DisposableLike[] = [];
  private disposed = false;

  protected get isDisposed(): boolean {
    return this.disposed;
  }

  /** Takes ownership of `disposable`; if this is already disposed, disposes it at once. */
  protected register<T extends DisposableLike>(disposable: T): T {
    if (this.disposed) disposeQuietly(disposable);
    else this.owned.push(disposable);
    return disposable;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    // Reverse order: later resources may depend on earlier ones.
    for (const disposable of this.owned.splice(0).reverse()) {
      disposeQuietly(disposable);
    }
  }
}

/** One failing dispose must not keep the others from running (they free processes and sockets). */
function disposeQuietly(disposable: DisposableLike): void {
  try {
    disposable.dispose();
  } catch (error) {
    console.error("Switchboard: dispose failed", error);
  }
}
