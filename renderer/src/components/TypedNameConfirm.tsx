/**
 * The production guard of a confirm dialog, as the migrate wizard's Confirm step has it: the
 * operator types the environment's name before the action is enabled. Renders nothing outside
 * production (a plain confirm is enough there).
 */
import { useId } from 'react';

/** True when `typed` allows the action: always outside production, else the exact name. */
export function typedNameOk(production: boolean, environmentName: string, typed: string): boolean {
  return !production || typed.trim() === environmentName;
}

/** "This changes production: … Type <name> to confirm" with its input. */
export function TypedNameConfirm({ production, environmentName, what, typed, onTyped }: { production: boolean; environmentName: string; what: string; typed: string; onTyped: (value: string) => void }) {
  const id = useId();
  if (!production) return null;
  return (
    <div className="banner warning production-confirm" data-testid="production-confirm">
      <p>
        <strong>This changes production: {environmentName}.</strong> {what}
      </p>
      <label htmlFor={id}>
        Type <strong>{environmentName}</strong> to confirm
      </label>
      <input id={id} autoFocus autoComplete="off" spellCheck={false} value={typed} onChange={(event) => onTyped(event.target.value)} />
    </div>
  );
}
