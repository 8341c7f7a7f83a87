/** Shown when the renderer cannot reach the engine at all. */
export function StartupError({ message }: { message: string }) {
  return (
    <main className="startup-error" role="alert" data-app-ready="error">
      <h1>Gantry cannot start</h1>
      <p>{message}</p>
    </main>
  );
}
