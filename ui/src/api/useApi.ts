// useApi: load a JSON resource with loading and error state, and reload it on demand.
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, getJson } from './client';

export interface ApiState<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  /** Fetch again, keeping the current data on screen until the answer arrives. */
  reload: () => void;
}

/**
 * Fetch `path` (or nothing while it is null) and refetch when it changes.
 * @example const { data, error, loading } = useApi<RunsResponse>('/api/runs');
 */
export function useApi<T>(path: string | null): ApiState<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<ApiError>();
  const [loading, setLoading] = useState(path !== null);
  const [generation, setGeneration] = useState(0);
  const lastPath = useRef(path);

  useEffect(() => {
    if (path === null) return undefined;
    if (lastPath.current !== path) {
      // A different resource: do not show the previous one's data while loading.
      lastPath.current = path;
      setData(undefined);
    }
    const controller = new AbortController();
    setLoading(true);
    getJson<T>(path, controller.signal).then(
      (body) => {
        setData(body);
        setError(undefined);
        setLoading(false);
      },
      (cause: unknown) => {
        if (controller.signal.aborted) return;
        setError(cause instanceof ApiError ? cause : new ApiError('client_error', String(cause), 0));
        setLoading(false);
      },
    );
    return () => controller.abort();
  }, [path, generation]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { data, error, loading, reload };
}
