import './lib/zod-jitless';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { connectBridge } from './lib/api';
import { App } from './features/shell/App';
import { StartupError } from './features/shell/StartupError';
import './styles.css';

const root = createRoot(document.getElementById('root')!);

connectBridge()
  .then(() =>
    root.render(
      <StrictMode>
        <App />
      </StrictMode>,
    ),
  )
  .catch((error: unknown) => root.render(<StartupError message={error instanceof Error ? error.message : String(error)} />));
