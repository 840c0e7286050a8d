// "Materialize" with three scopes (this asset, +upstream, downstream+): launches a run and opens it.
import { useEffect, useRef, useState } from 'react';
import type { LaunchRunRequest, LaunchRunResponse } from '../../../src/server/api-types';
import { ApiError, postJson } from '../api/client';
import { selectionFor, type MaterializeScope } from '../api/run-selection';
import { runHref } from '../routing/route';
import { navigate } from '../routing/useRoute';

const SCOPES = [
  { scope: 'asset', label: 'This asset', hint: 'Only this asset, from its current inputs' },
  { scope: 'upstream', label: 'With upstream', hint: 'Everything it depends on, then this asset' },
  { scope: 'downstream', label: 'With downstream', hint: 'This asset, then everything that depends on it' },
] as const;

export function MaterializeButton({ assetKey }: { assetKey: string }) {
  const [open, setOpen] = useState(false);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string>();
  const root = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return undefined;
    const close = (event: MouseEvent): void => {
      if (!root.current?.contains(event.target as globalThis.Node)) setOpen(false);
    };
    const escape = (event: KeyboardEvent): void => {
      if (event.key === 'Escape') setOpen(false);
    };
    document.addEventListener('mousedown', close);
    document.addEventListener('keydown', escape);
    return () => {
      document.removeEventListener('mousedown', close);
      document.removeEventListener('keydown', escape);
    };
  }, [open]);

  const launch = async (scope: MaterializeScope): Promise<void> => {
    setOpen(false);
    setPending(true);
    setError(undefined);
    try {
      const body: LaunchRunRequest = { select: selectionFor(assetKey, scope) };
      const { runId } = await postJson<LaunchRunResponse>('/api/runs', body);
      navigate(runHref(runId));
    } catch (cause) {
      setError(cause instanceof ApiError ? `${cause.message} (${cause.code})` : String(cause));
      setPending(false);
    }
  };

  return (
    <div className="materialize" ref={root}>
      <div className="split-button">
        <button type="button" className="button button-primary" disabled={pending} onClick={() => void launch('asset')}>
          {pending ? 'Launching…' : 'Materialize'}
        </button>
        <button
          type="button"
          className="button button-primary split-toggle"
          aria-label="Materialize options"
          aria-haspopup="menu"
          aria-expanded={open}
          disabled={pending}
          onClick={() => setOpen((o) => !o)}
        >
          ▾
        </button>
      </div>
      {open && (
        <div className="menu" role="menu">
          {SCOPES.map(({ scope, label, hint }) => (
            <button key={scope} type="button" role="menuitem" className="menu-item" onClick={() => void launch(scope)}>
              <span className="menu-item-label">{label}</span>
              <code className="menu-item-code">{selectionFor(assetKey, scope)}</code>
              <span className="menu-item-hint">{hint}</span>
            </button>
          ))}
        </div>
      )}
      {error && (
        <p className="inline-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
