// A collapsed group: its name in full, how many assets it holds, their statuses and check health; click to expand.
import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import { createContext, memo, useContext, type KeyboardEvent } from 'react';
import { assetEmphasis, HighlightContext } from './highlight-context';
import { statusParts, type GroupSummary } from './group-summary';
import { cardId } from './group-view';

type GroupCardData = { group: string; summary: GroupSummary | undefined; pending: boolean };

export type GroupCardFlowNode = Node<GroupCardData, 'group-card'>;

/** Expands or collapses a group; null where the graph has no expandable groups. */
export const GroupToggleContext = createContext<((group: string) => void) | null>(null);

const STATUS_WORD = { fresh: 'fresh', stale: 'stale', failed: 'failed', running: 'running', never: 'never built' } as const;

function checkHealth(summary: GroupSummary): { text: string; tone: 'failed' | 'warned' | 'passed' | 'none' } {
  const { failed, warned, passed, unknown } = summary.checks;
  if (failed > 0)
    return {
      text: `✕ ${failed.toLocaleString()} failed check${failed === 1 ? '' : 's'}${warned > 0 ? ` · ${warned.toLocaleString()} warned` : ''}`,
      tone: 'failed',
    };
  if (warned > 0) return { text: `! ${warned.toLocaleString()} warned check${warned === 1 ? '' : 's'}`, tone: 'warned' };
  if (passed > 0) return { text: `✓ ${passed.toLocaleString()} checks passed`, tone: 'passed' };
  return { text: unknown === summary.count ? '' : 'no check results', tone: 'none' };
}

function GroupCardView({ data }: NodeProps<GroupCardFlowNode>) {
  const toggle = useContext(GroupToggleContext);
  const emphasis = assetEmphasis(cardId(data.group), useContext(HighlightContext));
  const { summary } = data;
  const parts = summary ? statusParts(summary) : [];
  const health = summary ? checkHealth(summary) : null;
  const onKeyDown = (event: KeyboardEvent): void => {
    if (toggle && (event.key === 'Enter' || event.key === ' ')) {
      event.preventDefault();
      toggle(data.group);
    }
  };
  return (
    <div
      className={`group-card emphasis-${emphasis}${data.pending ? ' is-pending' : ''}`}
      data-group-card={data.group}
      role={toggle ? 'button' : undefined}
      tabIndex={toggle ? 0 : undefined}
      aria-label={`Group ${data.group}, ${summary?.count ?? 0} assets${toggle ? ': expand' : ''}`}
      onClick={toggle ? () => toggle(data.group) : undefined}
      onKeyDown={onKeyDown}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} className="asset-handle" />
      <div className="group-card-name">{data.group}</div>
      <div className="group-card-count">
        {(summary?.count ?? 0).toLocaleString()} assets{data.pending ? ' · laying out…' : toggle ? ' · click to expand' : ''}
      </div>
      <div className="group-card-bar" aria-hidden="true">
        {parts.map((p) => (
          <span key={p.status} className={`bar-${p.status}`} style={{ flexGrow: p.count }} />
        ))}
      </div>
      <div className="group-card-statuses">
        {parts.map((p) => (
          <span key={p.status} className={`status-${p.status}`}>
            <span className="status-dot" aria-hidden="true" /> {p.count.toLocaleString()} {STATUS_WORD[p.status]}
          </span>
        ))}
      </div>
      {health && health.text && <div className={`group-card-checks checks-${health.tone}`}>{health.text}</div>}
      <Handle type="source" position={Position.Right} isConnectable={false} className="asset-handle" />
    </div>
  );
}

export const GroupCard = memo(GroupCardView);
