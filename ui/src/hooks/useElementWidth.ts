// useElementWidth: an element's CSS width, kept current, so SVG charts draw at 1:1 and their text stays legible.
import { useLayoutEffect, useRef, useState, type RefObject } from 'react';

/**
 * A ref to attach and the element's current width (`fallback` until measured).
 * @example const [ref, width] = useElementWidth<HTMLDivElement>(640); <div ref={ref}><svg width={width} /></div>
 */
export function useElementWidth<T extends HTMLElement>(fallback: number): [RefObject<T | null>, number] {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(fallback);
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return undefined;
    setWidth(element.clientWidth || fallback);
    const observer = new ResizeObserver(([entry]) => {
      if (entry) setWidth(Math.round(entry.contentRect.width) || fallback);
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [fallback]);
  return [ref, width];
}
