import { useEffect, useState } from 'react';
import { describeField, type RevealField } from '@shared/migration/reveal';
import { MASK } from '@shared/redact';

/** How long a revealed value stays on screen before it is masked again. */
const REVEAL_MS = 30_000;

/** Asks the engine for one value of the plan in clear; resolves with it or with an error message. */
export type RevealValue = (side: 'before' | 'after', field: RevealField) => Promise<{ ok: true; value: string } | { ok: false; message: string }>;

/**
 * One value of a diff as the engine sent it (masked). When it hides a secret and the plan can
 * still reveal it, a button shows that one value in clear — fetched on demand, kept only in this
 * component, masked again after 30 seconds, on "Hide", or when the dialog closes.
 */
export function SecretValue({ shown, side, field, reveal }: { shown: string; side: 'before' | 'after'; field: RevealField; reveal?: RevealValue }) {
  const [clear, setClear] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (clear === null) return undefined;
    const timer = setTimeout(() => setClear(null), REVEAL_MS);
    return () => clearTimeout(timer);
  }, [clear]);

  const Tag = side === 'before' ? 'del' : 'ins';
  if (!reveal || !shown.includes(MASK)) return <Tag>{shown}</Tag>;
  const label = `${describeField(field)} (${side === 'before' ? 'before' : 'after'})`;
  const toggle = async () => {
    if (clear !== null) {
      setClear(null);
      return;
    }
    setBusy(true);
    setError(null);
    const result = await reveal(side, field);
    setBusy(false);
    if (result.ok) setClear(result.value);
    else setError(result.message);
  };
  return (
    <span className="secret-value">
      <Tag data-revealed={clear !== null ? 'true' : undefined}>{clear ?? shown}</Tag>{' '}
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
