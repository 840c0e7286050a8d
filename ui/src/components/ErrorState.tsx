// Shows an API error plainly: what failed, the server's code and message, and a retry.

/** Anything with a code and a message: an ApiError, or a client-side failure shaped like one. */
export interface ShownError {
  code: string;
  message: string;
  status?: number;
}

export function ErrorState({ title, error, onRetry }: { title: string; error: ShownError; onRetry?: () => void }) {
  return (
    <div className="state state-error" role="alert">
      <h2>{title}</h2>
      <p className="error-message">{error.message}</p>
      <p className="muted">
        <code>{error.code}</code>
        {error.status !== undefined && error.status > 0 && <> · HTTP {error.status}</>}
      </p>
      {onRetry && (
        <button type="button" className="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}
