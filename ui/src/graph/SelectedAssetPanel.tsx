// Floating card for the clicked asset: status, checks, lineage size and a link to its page.
import type { AssetSummary } from '../../../src/server/api-types';
import { ChecksBadge } from '../components/ChecksBadge';
import { StatusBadge } from '../components/StatusBadge';
import { formatAgo, formatCount } from '../format';
import { assetHref } from '../routing/route';

export interface SelectedAssetPanelProps {
  asset: AssetSummary;
  upstreamCount: number;
  downstreamCount: number;
  onClose: () => void;
  onCentre: () => void;
}

export function SelectedAssetPanel({ asset, upstreamCount, downstreamCount, onClose, onCentre }: SelectedAssetPanelProps) {
  const last = asset.lastMaterialization;
  return (
    <aside className="selected-panel" aria-label={`Asset ${asset.key}`}>
      <div className="selected-panel-head">
        <h2 title={asset.key}>{asset.key}</h2>
        <button type="button" className="icon-button" onClick={onClose} aria-label="Clear selection">
          ×
        </button>
      </div>
      <div className="selected-panel-row">
        <StatusBadge status={asset.status} />
        <ChecksBadge checks={asset.checks} showPassed />
      </div>
      {asset.statusReason && <p className="status-reason">{asset.statusReason}</p>}
      {asset.description && <p className="selected-panel-description">{asset.description}</p>}
      <dl className="facts">
        <dt>Group</dt>
        <dd>{asset.group}</dd>
        <dt>Lineage</dt>
        <dd>
          {upstreamCount} upstream · {downstreamCount} downstream
        </dd>
        <dt>Last run</dt>
        <dd>{last ? `${formatAgo(last.createdAt)} · ${formatCount(last.rowCount)} rows` : 'never materialized'}</dd>
      </dl>
      <div className="selected-panel-actions">
        <a className="button button-primary" href={assetHref(asset.key)}>
          Open asset
        </a>
        <button type="button" className="button" onClick={onCentre}>
          Centre
        </button>
      </div>
    </aside>
  );
}
