import { useEffect } from 'react';
import { useAppInfo } from '../settings/store';
import { useJobEvents } from '../jobs/store';
import { useGraphFollowsRuns } from '../environments/store';
import { sections, useNavigation, type SectionId } from './navigation';
import { EnvironmentsPage } from '../environments/EnvironmentsPage';
import { MigrationsPage } from '../migrations/MigrationsPage';
import { HistoryPage } from '../history/HistoryPage';
import { ServersPage } from '../servers/ServersPage';
import { SettingsPage } from '../settings/SettingsPage';
import { MigrationOverlays } from '../migrations/MigrationOverlays';
import { ErrorBanner } from '../../components/ErrorBanner';

const pages: Record<SectionId, () => React.JSX.Element> = {
  environments: EnvironmentsPage,
  migrations: MigrationsPage,
  history: HistoryPage,
  servers: ServersPage,
  settings: SettingsPage,
};

/** The window: navigation on the left, the current section on the right. */
export function App() {
  const section = useNavigation((state) => state.section);
  const go = useNavigation((state) => state.go);
  const info = useAppInfo((state) => state.info);
  const infoError = useAppInfo((state) => state.error);
  const loadInfo = useAppInfo((state) => state.load);
  useJobEvents();
  useGraphFollowsRuns();

  useEffect(() => {
    void loadInfo();
  }, [loadInfo]);

  const Page = pages[section];
  const ready = info ? 'true' : infoError ? 'error' : 'false';
  return (
    <div className="shell" data-app-ready={ready}>
      <nav className="sidebar" aria-label="Sections">
        <div className="brand">Gantry</div>
        <ul>
          {sections.map((each) => (
            <li key={each.id}>
              <button
                type="button"
                className={each.id === section ? 'nav-item active' : 'nav-item'}
                aria-current={each.id === section ? 'page' : undefined}
                onClick={() => go(each.id)}
              >
                {each.label}
              </button>
            </li>
          ))}
        </ul>
        <div className="sidebar-footer" data-testid="bridge-kind">
          {info ? `v${info.version} · ${info.bridge === 'browser' ? 'browser mode' : 'desktop'}` : 'connecting…'}
        </div>
      </nav>
      <main className="content">
        <ErrorBanner message={infoError} />
        <Page />
      </main>
      <MigrationOverlays />
    </div>
  );
}
