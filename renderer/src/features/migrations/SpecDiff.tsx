import { useMemo } from 'react';
import { html } from 'diff2html';
import type { ColorSchemeType } from 'diff2html/lib/types';
import 'diff2html/bundles/css/diff2html.min.css';

/**
 * A unified diff of normalized specs, side by side (diff2html). The text is masked before it
 * leaves the engine; diff2html escapes it, so the markup holds no operator-controlled HTML.
 */
export function SpecDiff({ unified, label }: { unified: string; label: string }) {
  const markup = useMemo(() => (unified.trim() ? html(unified, { outputFormat: 'side-by-side', drawFileList: false, colorScheme: 'auto' as ColorSchemeType }) : ''), [unified]);
  if (!markup) return <p className="muted">No difference in the normalized spec.</p>;
  // diff2html renders escaped text into its own fixed markup; nothing here is executable.
  return <div className="spec-diff" aria-label={label} data-testid="spec-diff" dangerouslySetInnerHTML={{ __html: markup }} />;
}
