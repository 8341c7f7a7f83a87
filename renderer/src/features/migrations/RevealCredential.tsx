import { useEffect, useState } from 'react';
import { MASK } from '@shared/redact';
import { invoke } from '../../lib/api';

/** How long a revealed credential stays on screen before it is masked again. */
const REVEAL_MS = 30_000;

/**
 * One credential of a live container, masked until the operator asks: "Reveal" reads it on its
 * server (`credentials:reveal`, logged without the value), keeps it only in this component, and
 * masks it again after 30 seconds, on "Hide", or when the component goes away.
 */
export function RevealCredential({ environmentId, resourceId, variable, label, masked = MASK }: { environmentId: string; resourceId: string; variable: string; label: string; masked?: string }) {
  const [clear, setClear] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (clear === null) return undefined;
    const timer = setTimeout(() => setClear(null), REVEAL_MS);
    return () => clearTimeout(timer);
  }, [clear]);

  async function toggle() {
    if (clear !== null) {
      setClear(null);
      return;
    }
    setBusy(true);
    setError(null);
    const result = await invoke('credentials:reveal', { environmentId, resourceId, variable });
    setBusy(false);
    if (result.ok) setClear(result.value.value);
    else setError(result.error.message);
  }

  return (
    <span className="secret-value" data-testid="reveal-credential" data-variable={variable}>
      <code data-revealed={clear !== null ? 'true' : undefined}>{clear ?? masked}</code>{' '}
      <button type="button" className="secondary small" disabled={busy} aria-pressed={clear !== null} aria-label={`${clear !== null ? 'Hide' : 'Reveal'} ${label}`} onClick={() => void toggle()}>
        {clear !== null ? 'Hide' : 'Reveal'}
      </button>
      {error ? (
        <span role="alert" className="error-text">
          {' '}
          {error}
        </span>
      ) : null}
    </span>
  );
}
