// The shell: left navigation and the page for the current hash route.
import { lazy, Suspense } from 'react';
import { useStreamStatus } from './api/useServerEvents';
import { EmptyState } from './components/EmptyState';
import { LoadingState } from './components/LoadingState';
import { isSignedIn, signOut } from './api/session';
import { AssetPage } from './pages/AssetPage';
import { AuditPage } from './pages/AuditPage';
import { AutomationPage } from './pages/AutomationPage';
import { BackfillsPage } from './pages/BackfillsPage';
import { ChecksPage } from './pages/ChecksPage';
import { ColumnLineagePage } from './pages/ColumnLineagePage';
import { QuarantinePage } from './pages/QuarantinePage';
import { RunPage } from './pages/RunPage';
import { RunsPage } from './pages/RunsPage';
import { SignInPage } from './pages/SignInPage';
import { auditHref, automationHref, backfillsHref, checksHref, graphHref, quarantineHref, runsHref, type Route } from './routing/route';
import { useRoute } from './routing/useRoute';

// The graph page carries React Flow and the layout worker; other pages load without them.
const GraphPage = lazy(() => import('./pages/GraphPage').then((m) => ({ default: m.GraphPage })));

function NavLink({ href, active, children }: { href: string; active: boolean; children: string }) {
  return (
    <a href={href} className={active ? 'nav-link active' : 'nav-link'} aria-current={active ? 'page' : undefined}>
      {children}
    </a>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'graph':
      return <GraphPage focus={route.focus} expand={route.expand} />;
    case 'asset':
      return <AssetPage key={route.key} assetKey={route.key} />;
    case 'runs':
      return <RunsPage />;
    case 'run':
      return <RunPage key={route.runId} runId={route.runId} />;
    case 'automation':
      return <AutomationPage />;
    case 'backfills':
      return <BackfillsPage />;
    case 'checks':
      return <ChecksPage asset={route.asset} />;
    case 'quarantine':
      return <QuarantinePage />;
    case 'columns':
      return <ColumnLineagePage key={`${route.key}.${route.column}`} assetKey={route.key} column={route.column} />;
    case 'sign-in':
      return <SignInPage />;
    case 'audit':
      return <AuditPage />;
    case 'not-found':
      return (
        <EmptyState title="Page not found">
          <p>
            Nothing lives at <code>{route.path}</code>. Go to the <a href={graphHref()}>lineage graph</a> or the <a href={runsHref()}>runs</a>.
          </p>
        </EmptyState>
      );
  }
}

const STREAM_TEXT = { idle: '', connecting: 'connecting…', live: 'live', reconnecting: 'reconnecting…' } as const;

function StreamIndicator() {
  const status = useStreamStatus();
  if (status === 'idle') return null;
  return (
    <p className={`stream-status stream-${status}`} role="status" title="Live run updates from the Sluice server">
      <span className="stream-dot" aria-hidden="true" /> {STREAM_TEXT[status]}
    </p>
  );
}

export function App() {
  const route = useRoute();
  const section =
    route.page === 'graph' || route.page === 'asset' || route.page === 'columns'
      ? 'assets'
      : route.page === 'runs' || route.page === 'run'
        ? 'runs'
        : route.page;
  return (
    <div className="app">
      <nav className="sidebar" aria-label="Main">
        <a className="brand" href={graphHref()}>
          <span className="brand-mark" aria-hidden="true" />
          Sluice
        </a>
        <NavLink href={graphHref()} active={section === 'assets'}>
          Lineage
        </NavLink>
        <NavLink href={runsHref()} active={section === 'runs'}>
          Runs
        </NavLink>
        <NavLink href={automationHref()} active={section === 'automation'}>
          Automation
        </NavLink>
        <NavLink href={backfillsHref()} active={section === 'backfills'}>
          Backfills
        </NavLink>
        <NavLink href={checksHref()} active={section === 'checks'}>
          Checks
        </NavLink>
        <NavLink href={quarantineHref()} active={section === 'quarantine'}>
          Quarantine
        </NavLink>
        {isSignedIn() && (
          <>
            <NavLink href={auditHref()} active={section === 'audit'}>
              Audit
            </NavLink>
            <button type="button" className="nav-link nav-button" onClick={() => void signOut()}>
              Sign out
            </button>
          </>
        )}
        <StreamIndicator />
      </nav>
      <main className={route.page === 'graph' ? 'main main-full' : 'main'}>
        <Suspense fallback={<LoadingState />}>
          <Page route={route} />
        </Suspense>
      </main>
    </div>
  );
}
