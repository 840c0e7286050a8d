// A small canvas map of the whole graph with the current view outlined; click or drag on it to move there.
import { useReactFlow, useStoreApi } from '@xyflow/react';
import { useEffect, useRef, type PointerEvent } from 'react';
import type { Box } from './layout';
import { drawOverview, type OverviewScene } from './overview-draw';
import { visibleRect } from './viewport-window';

const WIDTH = 200;
const HEIGHT = 140;
const PAD = 6;

function fit(bounds: Box): { zoom: number; x: number; y: number } {
  const zoom = Math.min((WIDTH - 2 * PAD) / bounds.width, (HEIGHT - 2 * PAD) / bounds.height);
  return { zoom, x: (WIDTH - bounds.width * zoom) / 2 - bounds.x * zoom, y: (HEIGHT - bounds.height * zoom) / 2 - bounds.y * zoom };
}

export function GraphMinimap({ scene, bounds }: { scene: OverviewScene; bounds: Box }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const store = useStoreApi();
  const flow = useReactFlow();

  useEffect(() => {
    const element = canvas.current;
    const ctx = element?.getContext('2d');
    if (!element || !ctx) return undefined;
    const ratio = window.devicePixelRatio || 1;
    element.width = WIDTH * ratio;
    element.height = HEIGHT * ratio;
    // The graph is drawn once per scene into an offscreen copy; each viewport change only re-stamps it.
    const base = document.createElement('canvas');
    base.width = element.width;
    base.height = element.height;
    const baseCtx = base.getContext('2d');
    if (!baseCtx) return undefined;
    const view = fit(bounds);
    drawOverview(baseCtx, scene, view, WIDTH, HEIGHT, ratio, { labels: false });
    let frame = 0;
    const paint = (): void => {
      frame = 0;
      const { transform, width, height } = store.getState();
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.clearRect(0, 0, element.width, element.height);
      ctx.drawImage(base, 0, 0);
      const rect = visibleRect({ x: transform[0], y: transform[1], zoom: transform[2] }, width, height);
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.strokeStyle = '#2563eb';
      ctx.lineWidth = 1.5;
      ctx.fillStyle = 'rgba(37, 99, 235, 0.08)';
      const x = rect.x * view.zoom + view.x;
      const y = rect.y * view.zoom + view.y;
      const w = Math.max(4, rect.width * view.zoom);
      const h = Math.max(4, rect.height * view.zoom);
      ctx.fillRect(x, y, w, h);
      ctx.strokeRect(x, y, w, h);
    };
    paint();
    const unsubscribe = store.subscribe((state, previous) => {
      if (state.transform !== previous.transform || state.width !== previous.width) frame ||= requestAnimationFrame(paint);
    });
    return () => {
      unsubscribe();
      cancelAnimationFrame(frame);
    };
  }, [scene, bounds, store]);

  const moveTo = (event: PointerEvent<HTMLCanvasElement>): void => {
    const rect = event.currentTarget.getBoundingClientRect();
    const view = fit(bounds);
    const x = (event.clientX - rect.left - view.x) / view.zoom;
    const y = (event.clientY - rect.top - view.y) / view.zoom;
    void flow.setCenter(x, y, { zoom: flow.getZoom() });
  };

  return (
    <canvas
      ref={canvas}
      className="graph-minimap"
      style={{ width: WIDTH, height: HEIGHT }}
      aria-label="Minimap: click to move the view"
      onPointerDown={(e) => {
        e.currentTarget.setPointerCapture(e.pointerId);
        moveTo(e);
      }}
      onPointerMove={(e) => {
        if (e.buttons === 1) moveTo(e);
      }}
    />
  );
}
