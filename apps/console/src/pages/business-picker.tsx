import { useState } from 'preact/hooks';
import type { Api } from '../api';
import { ErrorBox, Section } from '../ui';

const RECENT_KEY = 'switchboard.console.recent-businesses';

function recent(): { id: string; name: string }[] {
  try {
    return JSON.parse(sessionStorage.getItem(RECENT_KEY) ?? '[]') as { id: string; name: string }[];
  } catch {
    return [];
  }
}

function remember(entry: { id: string; name: string }) {
  const list = [entry, ...recent().filter((b) => b.id !== entry.id)].slice(0, 20);
  sessionStorage.setItem(RECENT_KEY, JSON.stringify(list));
}

/**
 * The operator's business picker: open a business by id (the API has no list of businesses), one
 * opened or created in this session, or create one (its first API key is shown once).
 */
export function BusinessPicker({ api, onPick }: { api: Api; onPick: (id: string) => void }) {
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<{ id: string; apiKey: string } | null>(null);

  const open = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      const business = await api.get<{ id: string; name: string | null }>(
        `/v1/businesses/${encodeURIComponent(id.trim())}`,
      );
      remember({ id: business.id, name: business.name ?? business.id });
      onPick(business.id);
    } catch (err) {
      setError(err);
    }
  };
  const create = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      const business = await api.post<{ id: string; name: string | null; apiKey: { key: string } }>(
        '/v1/businesses',
        { name: name.trim() },
      );
      remember({ id: business.id, name: business.name ?? business.id });
      setCreated({ id: business.id, apiKey: business.apiKey.key });
    } catch (err) {
      setError(err);
    }
  };

  return (
    <>
      <h1>Choose a business</h1>
      <ErrorBox error={error} />
      {created && (
        <Section title="Business created">
          <p>
            Its API key is shown only now: <code class="secret">{created.apiKey}</code>
          </p>
          <button type="button" class="primary" onClick={() => onPick(created.id)}>
            Open {created.id}
          </button>
        </Section>
      )}
      <div class="grid2">
        <Section title="Open a business">
          <form onSubmit={open}>
            <label>
              Business id
              <input
                name="openBusinessId"
                required
                value={id}
                onInput={(e) => setId(e.currentTarget.value)}
              />
            </label>
            <button type="submit" class="primary">
              Open
            </button>
          </form>
          {recent().length > 0 && (
            <ul class="plain-list">
              {recent().map((b) => (
                <li key={b.id}>
                  <button type="button" class="link" onClick={() => onPick(b.id)}>
                    {b.name} <code>{b.id}</code>
                  </button>
                </li>
              ))}
            </ul>
          )}
        </Section>
        <Section title="Create a business">
          <form onSubmit={create}>
            <label>
              Name
              <input
                name="businessName"
                required
                value={name}
                onInput={(e) => setName(e.currentTarget.value)}
              />
            </label>
            <button type="submit" class="primary">
              Create
            </button>
          </form>
        </Section>
      </div>
    </>
  );
}
