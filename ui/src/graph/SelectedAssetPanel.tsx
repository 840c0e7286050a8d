// Floating card for the clicked asset: status, checks, lineage size, its details and a link to its page.
import type { AssetDetailResponse } from '../../../src/server/api-types';
import { assetApiPath } from '../api/client';
import { useApi } from '../api/useApi';
import { ChecksBadge } from '../components/ChecksBadge';
import { StatusBadge } from '../components/StatusBadge';
import { formatAgo, formatCount } from '../format';
import { assetHref } from '../routing/route';
import type { GraphAsset } from './graph-data';

export interface SelectedAssetPanelProps {
  asset: GraphAsset;
  upstreamCount: number;
  downstreamCount: number;
  onClose: () => void;
  onCentre: () => void;
}

export function SelectedAssetPanel({ asset, upstreamCount, downstreamCount, onClose, onCentre }: SelectedAssetPanelProps) {
  // The graph carries only what it draws; the rest is fetched for the one asset being looked at.
  const { data } = useApi<AssetDetailResponse>(assetApiPath(asset.key));
  const detail = data?.asset;
  const last = detail?.lastMaterialization;
  const checks = detail?.checks ?? asset.checks;
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
        {checks && <ChecksBadge checks={checks} showPassed />}
      </div>
      {detail?.statusReason && <p className="status-reason">{detail.statusReason}</p>}
      {detail?.description && <p className="selected-panel-description">{detail.description}</p>}
      <dl className="facts">
        <dt>Group</dt>
        <dd>{asset.group}</dd>
        <dt>Lineage</dt>
        <dd>
          {upstreamCount} upstream · {downstreamCount} downstream
        </dd>
        <dt>Last run</dt>
        <dd>{detail ? (last ? `${formatAgo(last.createdAt)} · ${formatCount(last.rowCount)} rows` : 'never materialized') : '…'}</dd>
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
