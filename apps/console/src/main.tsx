import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { Api, type Credentials, loadCredentials, saveCredentials } from './api';
import { BusinessPicker } from './pages/business-picker';
import { DeadLettersPage } from './pages/dead-letters';
import { DeliveriesPage } from './pages/deliveries';
import { EventsPage } from './pages/events';
import { HealthPage } from './pages/health';
import { LoginPage } from './pages/login';
import { WebhooksPage } from './pages/webhooks';
import './styles.css';

const pages = [
  { path: 'webhooks', title: 'Webhooks', Page: WebhooksPage },
  { path: 'health', title: 'Health monitor', Page: HealthPage },
  { path: 'deliveries', title: 'Delivery log', Page: DeliveriesPage },
  { path: 'events', title: 'Events', Page: EventsPage },
  { path: 'dead-letters', title: 'Dead letters', Page: DeadLettersPage },
] as const;

/** The page from the location's hash (#/deliveries?outcome=failed → deliveries, params). */
function route(): { path: string; params: URLSearchParams } {
  const hash = location.hash.replace(/^#\/?/, '');
  const [path = '', search = ''] = hash.split('?');
  return { path: path || 'webhooks', params: new URLSearchParams(search) };
}

export interface PageProps {
  api: Api;
  businessId: string;
  params: URLSearchParams;
}

function App() {
  const [credentials, setCredentials] = useState<Credentials | null>(loadCredentials);
  const [businessId, setBusinessId] = useState<string | null>(() =>
    credentials?.kind === 'business'
      ? credentials.businessId
      : sessionStorage.getItem('switchboard.console.business'),
  );
  const [current, setCurrent] = useState(route);
  useEffect(() => {
    const onHash = () => setCurrent(route());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  const api = useMemo(() => (credentials ? new Api(credentials) : null), [credentials]);

  const signIn = (c: Credentials) => {
    saveCredentials(c);
    setCredentials(c);
    setBusinessId(c.kind === 'business' ? c.businessId : null);
  };
  const signOut = () => {
    saveCredentials(null);
    sessionStorage.removeItem('switchboard.console.business');
    setCredentials(null);
    setBusinessId(null);
  };
  const pick = (id: string | null) => {
    if (id) sessionStorage.setItem('switchboard.console.business', id);
    else sessionStorage.removeItem('switchboard.console.business');
    setBusinessId(id);
  };

  if (!credentials || !api) return <LoginPage onSignIn={signIn} />;
  const page = pages.find((p) => p.path === current.path) ?? pages[0];
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <strong class="brand">Switchboard</strong>
        {businessId && (
          <nav aria-label="Pages">
            {pages.map((p) => (
              <a
                key={p.path}
                href={`#/${p.path}`}
                aria-current={p.path === page.path ? 'page' : undefined}
              >
                {p.title}
              </a>
            ))}
          </nav>
        )}
        <span class="who">
          {credentials.kind === 'operator' ? 'Operator' : 'Business'}
          {businessId && <code title="business id">{businessId}</code>}
          {credentials.kind === 'operator' && businessId && (
            <button type="button" class="plain" onClick={() => pick(null)}>
              Change business
            </button>
          )}
          <button type="button" class="plain" onClick={signOut}>
            Sign out
          </button>
        </span>
      </header>
      <main id="main">
        {businessId ? (
          <>
            <h1>{page.title}</h1>
            <page.Page api={api} businessId={businessId} params={current.params} />
          </>
        ) : (
          <BusinessPicker api={api} onPick={pick} />
        )}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
