/**
 * The app's one dialog: Radix Dialog (focus trap, Escape, aria wiring) with Gantry's frame.
 * Every dialog uses this and `DialogFooter`, so they look and behave the same.
 */
import * as RadixDialog from '@radix-ui/react-dialog';
import type { KeyboardEvent, ReactNode } from 'react';
import './dialog.css';

/** A modal dialog with a title, an optional description and a body. */
export function Dialog({
  open,
  onClose,
  title,
  description,
  tone = 'normal',
  wide = false,
  onKeyDown,
  beforeDismiss,
  children,
}: {
  open: boolean;
  onClose: () => void;
  title: string;
  description?: ReactNode;
  /** `danger` frames the dialog in red: for warnings an operator must not skim. */
  tone?: 'normal' | 'danger';
  wide?: boolean;
  /** Keys pressed anywhere in the dialog, footer included (e.g. Enter to go on). */
  onKeyDown?: (event: KeyboardEvent<HTMLDivElement>) => void;
  /** Asked before Escape or a click outside closes the dialog; false keeps it open (e.g. to ask first). */
  beforeDismiss?: () => boolean;
  children: ReactNode;
}) {
  const guard = (event: Event) => {
    if (beforeDismiss && !beforeDismiss()) event.preventDefault();
  };
  return (
    <RadixDialog.Root open={open} onOpenChange={(next) => (next ? undefined : onClose())}>
      <RadixDialog.Portal>
        <RadixDialog.Overlay className="dialog-overlay" />
        <RadixDialog.Content className={`dialog-content${tone === 'danger' ? ' danger' : ''}${wide ? ' wide' : ''}`} onKeyDown={onKeyDown} onEscapeKeyDown={guard} onPointerDownOutside={guard}>
          <RadixDialog.Title className="dialog-title">{title}</RadixDialog.Title>
          {description ? <RadixDialog.Description className="dialog-description">{description}</RadixDialog.Description> : <RadixDialog.Description className="visually-hidden">{title}</RadixDialog.Description>}
          {children}
        </RadixDialog.Content>
      </RadixDialog.Portal>
    </RadixDialog.Root>
  );
}

/** The row of buttons at the bottom of a dialog: secondary actions left, the main action last. */
export function DialogFooter({ children, status }: { children: ReactNode; status?: ReactNode }) {
  return (
    <div className="dialog-footer">
      <div className="dialog-footer-status">{status}</div>
      <div className="dialog-footer-actions">{children}</div>
    </div>
  );
}
