// The reads both transports answer alike, as the HTTP API's routes compute them (in this process or on a server).
import { parseAssetKey } from '../model/asset-key.js';
import type {
  AssetDetailResponse,
  AssetListItem,
  AssetsResponse,
  QueryResponse,
  RunChecksResponse,
  RunDetailResponse,
  RunsResponse,
  RunSummary,
} from '../server/api-types.js';
import type { ApiClient } from './api-client.js';
import type { BackfillView, ExportRequest, ExportResponse } from './sluice-client.js';

/**
 * Asset, run and check reads through the API's routes, so a command prints the same wherever the project is open.
 * @example const reads = new ApiReads(new ApiClient('http://127.0.0.1:3000')); await reads.assets();
 */
export class ApiReads {
  constructor(protected readonly api: ApiClient) {}

  async assets(): Promise<AssetListItem[]> {
    return (await this.api.get<AssetsResponse>('/api/assets')).assets;
  }

  asset(key: string, history: number): Promise<AssetDetailResponse> {
    const { schema, name } = parseAssetKey(key);
    return this.api.get<AssetDetailResponse>(`/api/assets/${encodeURIComponent(schema)}/${encodeURIComponent(name)}?history=${history}`);
  }

  async runs(limit: number): Promise<RunSummary[]> {
    return (await this.api.get<RunsResponse>(`/api/runs?limit=${encodeURIComponent(String(limit))}`)).runs;
  }

  run(runId: string): Promise<RunDetailResponse> {
    return this.api.get<RunDetailResponse>(`/api/runs/${encodeURIComponent(runId)}`);
  }

  async backfills(): Promise<BackfillView[]> {
    return (await this.api.get<{ backfills: BackfillView[] }>('/api/backfills')).backfills;
  }

  checks(select: string): Promise<RunChecksResponse> {
    return this.api.post<RunChecksResponse>('/api/checks', { select });
  }

  /** In process too: the local owner of the files reads through the same governed reader as a server's users. */
  query(sql: string): Promise<QueryResponse> {
    return this.api.post<QueryResponse>('/api/query', { sql });
  }

  async change(sql: string): Promise<void> {
    await this.api.post<{ ok: true }>('/api/warehouse/change', { sql });
  }

  exportAssets(request: ExportRequest): Promise<ExportResponse> {
    return this.api.post<ExportResponse>('/api/exports', request);
  }
}
