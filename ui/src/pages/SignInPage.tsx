// Sign-in to a shared server: paste a token (from `sluice tokens create` or your identity provider).
import { useState, type FormEvent } from 'react';
import { signIn } from '../api/session';

export function SignInPage() {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(token.trim());
      // A full load (not a hash change): the live stream and every page start again with the new session.
      window.location.assign('/');
    } catch (cause) {
      setError(cause instanceof Error ? cause.message : String(cause));
      setBusy(false);
    }
  };

  return (
    <div className="page sign-in-page">
      <header className="page-header">
        <h1>Sign in</h1>
      </header>
      <form className="card sign-in-form" onSubmit={(e) => void submit(e)}>
        <label htmlFor="sign-in-token">Token</label>
        <input
          id="sign-in-token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={token}
          onChange={(e) => setToken(e.target.value)}
          placeholder="slu_… or an OIDC token"
          required
        />
        <p className="muted">
          Ask an admin for a token (<code>sluice tokens create --user NAME</code>) or paste one from your identity provider. The browser keeps a session cookie,
          not the token.
        </p>
        {error && (
          <p className="error-message" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="button button-primary" disabled={busy || token.trim() === ''}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </div>
  );
}
