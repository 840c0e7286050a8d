// Canvas layer that draws the whole graph when zoomed out, redrawn on every pan or zoom without React renders.
import { useStoreApi } from '@xyflow/react';
import { useEffect, useRef } from 'react';
import { drawOverview, type OverviewScene } from './overview-draw';

export function OverviewCanvas({ scene }: { scene: OverviewScene }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const store = useStoreApi();
  const latestScene = useRef(scene);
  latestScene.current = scene;
  const frame = useRef(0);

  useEffect(() => {
    const paint = (): void => {
      frame.current = 0;
      const element = canvas.current;
      const ctx = element?.getContext('2d');
      if (!element || !ctx) return;
      const { width, height, transform } = store.getState();
      const ratio = window.devicePixelRatio || 1;
      if (element.width !== Math.round(width * ratio) || element.height !== Math.round(height * ratio)) {
        element.width = Math.round(width * ratio);
        element.height = Math.round(height * ratio);
      }
      const started = performance.now();
      drawOverview(ctx, latestScene.current, { x: transform[0], y: transform[1], zoom: transform[2] }, width, height, ratio);
      // Exposed for the browser tests and benchmarks that check drawing stays within a frame.
      element.dataset['drawMs'] = (performance.now() - started).toFixed(1);
    };
    const schedule = (): void => {
      if (frame.current === 0) frame.current = requestAnimationFrame(paint);
    };
    schedule();
    const unsubscribe = store.subscribe((state, previous) => {
      if (state.transform !== previous.transform || state.width !== previous.width || state.height !== previous.height) schedule();
    });
    return () => {
      unsubscribe();
      cancelAnimationFrame(frame.current);
      frame.current = 0;
    };
  }, [store, scene]);

  return <canvas ref={canvas} className="overview-canvas" data-testid="lineage-overview" aria-hidden="true" />;
}
