/** The app's one error banner: an alert the screen reader announces, or nothing when there is no error. */
export function ErrorBanner({ message, prefix, testId, inline = false }: { message: string | null | undefined; prefix?: string; testId?: string; inline?: boolean }) {
  if (!message) return null;
  const Tag = inline ? 'span' : 'p';
  return (
    <Tag role="alert" className="banner error" data-testid={testId}>
      {prefix ? `${prefix}: ` : ''}
      {message}
    </Tag>
  );
}
