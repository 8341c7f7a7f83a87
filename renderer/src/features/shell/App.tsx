import { useEffect, useState } from 'react';
import { useAppInfo } from '../settings/store';
import { useJobEvents } from '../jobs/store';
import { useGraphFollowsRuns } from '../environments/store';
import { sections, useNavigation, type SectionId } from './navigation';
import { EnvironmentsPage } from '../environments/EnvironmentsPage';
import { MigrationsPage } from '../migrations/MigrationsPage';
import { HistoryPage } from '../history/HistoryPage';
import { ServersPage } from '../servers/ServersPage';
import { SettingsPage } from '../settings/SettingsPage';
import { ApprovalsPage } from '../approvals/ApprovalsPage';
import { useApprovals, useApprovalsRefresh, waitingForMe } from '../approvals/store';
import { MigrationOverlays } from '../migrations/MigrationOverlays';
import { ErrorBanner } from '../../components/ErrorBanner';

const pages: Record<SectionId, () => React.JSX.Element> = {
  environments: EnvironmentsPage,
  migrations: MigrationsPage,
  approvals: ApprovalsPage,
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
  useApprovalsRefresh();
  const approvalsWaiting = useApprovals((state) => waitingForMe(state.requests));

  useEffect(() => {
    void loadInfo();
  }, [loadInfo]);

  // At 1024 px the graph needs the width: the sections can fold into a narrow strip.
  const [collapsed, setCollapsed] = useState(() => window.innerWidth < 1100);
  const Page = pages[section];
  const ready = info ? 'true' : infoError ? 'error' : 'false';
  return (
    <div className={collapsed ? 'shell collapsed' : 'shell'} data-app-ready={ready}>
      {/* The address's hash is the app's route: move focus instead of following the anchor. */}
      <a
        className="skip-link"
        href="#main-content"
        onClick={(event) => {
          event.preventDefault();
          document.getElementById('main-content')?.focus();
        }}
      >
        Skip to content
      </a>
      <nav className="sidebar" aria-label="Sections">
        <div className="brand">
          <span className="brand-name">Gantry</span>
          <button type="button" className="secondary small-button sidebar-toggle" aria-expanded={!collapsed} aria-controls="section-list" onClick={() => setCollapsed(!collapsed)} aria-label={collapsed ? 'Show the sections' : 'Hide the sections'}>
            {collapsed ? '»' : '«'}
          </button>
        </div>
        <ul id="section-list" hidden={collapsed}>
          {sections.map((each) => (
            <li key={each.id}>
              <button
                type="button"
                className={each.id === section ? 'nav-item active' : 'nav-item'}
                aria-current={each.id === section ? 'page' : undefined}
                onClick={() => go(each.id)}
              >
                {each.label}
                {each.id === 'approvals' && approvalsWaiting > 0 ? (
                  <span className="nav-count" data-testid="approvals-count" aria-label={`${approvalsWaiting} waiting for your approval`}>
                    {approvalsWaiting}
                  </span>
                ) : null}
              </button>
            </li>
          ))}
        </ul>
        <div className="sidebar-footer" data-testid="bridge-kind" hidden={collapsed}>
          {info ? `v${info.version} · ${info.bridge === 'browser' ? 'browser mode' : 'desktop'}` : 'connecting…'}
        </div>
      </nav>
      <main className="content" id="main-content" tabIndex={-1}>
        <ErrorBanner message={infoError} />
        <Page />
      </main>
      <MigrationOverlays />
    </div>
  );
}
