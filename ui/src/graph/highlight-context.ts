// The selected asset and its lineage, shared with node and edge components through context, so a click
// re-renders only the mounted nodes and edges and never touches React Flow's node list.
import { createContext } from 'react';
import type { Lineage } from './lineage';

export interface Highlight {
  selectedKey: string | null;
  lineage: Lineage | null;
}

export const HighlightContext = createContext<Highlight>({ selectedKey: null, lineage: null });

/** How an asset is drawn given the highlight: the selection, part of its lineage, dimmed, or plain. */
export function assetEmphasis(key: string, highlight: Highlight): 'selected' | 'lit' | 'dimmed' | 'plain' {
  const { selectedKey, lineage } = highlight;
  if (!selectedKey || !lineage) return 'plain';
  if (key === selectedKey) return 'selected';
  return lineage.upstream.has(key) || lineage.downstream.has(key) ? 'lit' : 'dimmed';
}
