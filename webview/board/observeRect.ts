/**
 * The column's size for the virtualizer, from a ResizeObserver only. TanStack's
 * default also reads `clientWidth/clientHeight` synchronously when a column
 * mounts, which forces a layout of the whole board in the middle of React's
 * first commit (the largest single cost in a profile of the first render); its
 * `initialRect` stands in until the observer reports, which it does after the
 * browser's own first layout.
 */
import {
  elementScroll,
  type Rect,
  type Virtualizer,
  type VirtualizerOptions,
} from "@tanstack/react-virtual";

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

/**
 * TanStack's scroll, minus the write it makes when a column mounts (scrolling
 * a fresh list to where it already is, 0). `scrollTo` forces a synchronous
 * layout of the whole board in the middle of React's first commit (40 ms in a
 * profile of the first render); a write to the offset the virtualizer already
 * knows the list is at changes nothing, so it is skipped.
 */
export const scrollUnlessThere: VirtualizerOptions<
  HTMLDivElement,
  Element
>["scrollToFn"] = (offset, options, instance) => {
  const target = offset + (options.adjustments ?? 0);
  if (instance.scrollOffset === target) return;
  elementScroll(offset, options, instance);
};
