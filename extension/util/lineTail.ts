/**
 * Splits a child process's output into lines and keeps the last few, so a start
 * failure can quote what the process said just before it died.
 */
export class LineTail {
  private partial = "";
  private readonly kept: string[] = [];

  constructor(private readonly capacity = 20) {}

  /** Feeds a chunk; returns the lines it completed (without their newline). */
  push(chunk: string): string[] {
    const parts = (this.partial + chunk).split(/\r?\n/);
    this.partial = parts.pop() ?? "";
    // A runaway line without a newline must not grow without bound.
    if (this.partial.length > 4000) {
      parts.push(this.partial);
      this.partial = "";
    }
    const lines = parts.filter((line) => line.trim() !== "");
    for (const line of lines) {
      this.kept.push(line);
      if (this.kept.length > this.capacity) this.kept.shift();
    }
    return lines;
  }

  /** The last lines, including an unfinished one. */
  lines(): string[] {
    return this.partial.trim() === ""
      ? [...this.kept]
      : [...this.kept, this.partial].slice(-this.capacity);
  }

  text(): string {
    return this.lines().join("\n");
  }
}
