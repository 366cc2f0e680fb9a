/**
 * The column's size for the virtualizer, from a ResizeObserver only. TanStack's
 * default also reads `clientWidth/clientHeight` synchronously when a column
 * mounts, which forces a layout of the whole board in the middle of React's
 * first commit (the largest single cost in a profile of the first render); its
 * `initialRect` stands in until the observer reports, which it does after the
 * browser's own first layout.
 */
import type { Rect, Virtualizer } from "@tanstack/react-virtual";

export function observeRectWithoutReading(
  instance: Virtualizer<HTMLDivElement, Element>,
  report: (rect: Rect) => void,
): (() => void) | undefined {
  const element = instance.scrollElement;
  if (element === null) return undefined;
  const observer = new ResizeObserver(() => {
    // Inside the observer's callback layout is already clean: reading is free.
    report({ width: element.clientWidth, height: element.clientHeight });
  });
  observer.observe(element, { box: "content-box" });
  return () => observer.disconnect();
}
