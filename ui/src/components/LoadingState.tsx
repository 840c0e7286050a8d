// A quiet loading indicator that only appears after a short delay, so fast loads do not flicker.
import { useEffect, useState } from 'react';

export function LoadingState({ label = 'Loading…' }: { label?: string }) {
  const [visible, setVisible] = useState(false);
  useEffect(() => {
    const timer = setTimeout(() => setVisible(true), 150);
    return () => clearTimeout(timer);
  }, []);
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      {visible && (
        <>
          <span className="spinner" aria-hidden="true" />
          <span>{label}</span>
        </>
      )}
    </div>
  );
}
