import { useState } from 'preact/hooks';
import { Api, type Credentials } from '../api';
import { ErrorBox } from '../ui';

/**
 * Sign in with a business's id and API key (both given when the business was created), or with
 * the operator key. A business key is checked against the API before it is kept (session storage
 * only); an operator key is checked by the picker's first call.
 */
export function LoginPage({ onSignIn }: { onSignIn: (c: Credentials) => void }) {
  const [kind, setKind] = useState<'business' | 'operator'>('business');
  const [businessId, setBusinessId] = useState('');
  const [key, setKey] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    const credentials: Credentials =
      kind === 'business'
        ? { kind, businessId: businessId.trim(), apiKey: key.trim() }
        : { kind, operatorKey: key.trim() };
    try {
      // a business key is checked on its business; an operator key on its first call (the API has
      // no operator read that answers 2xx without a business id)
      if (credentials.kind === 'business') {
        await new Api(credentials).get(
          `/v1/businesses/${encodeURIComponent(credentials.businessId)}`,
        );
      }
      onSignIn(credentials);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" class="login">
      <h1>Switchboard console</h1>
      <form class="card" onSubmit={submit}>
        <fieldset>
          <legend>Sign in as</legend>
          <label class="inline">
            <input
              type="radio"
              name="kind"
              checked={kind === 'business'}
              onChange={() => setKind('business')}
            />
            Business (id and API key)
          </label>
          <label class="inline">
            <input
              type="radio"
              name="kind"
              checked={kind === 'operator'}
              onChange={() => setKind('operator')}
            />
            Operator
          </label>
        </fieldset>
        {kind === 'business' && (
          <label>
            Business id
            <input
              name="businessId"
              required
              autoComplete="username"
              value={businessId}
              onInput={(e) => setBusinessId(e.currentTarget.value)}
              placeholder="biz_…"
            />
          </label>
        )}
        <label>
          {kind === 'business' ? 'API key' : 'Operator key'}
          <input
            name="key"
            type="password"
            required
            autoComplete="current-password"
            value={key}
            onInput={(e) => setKey(e.currentTarget.value)}
            placeholder={kind === 'business' ? 'sk_…' : ''}
          />
        </label>
        <p class="hint">
          The key is kept in this tab's session storage only and sent as a header, never in the URL.
        </p>
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <ErrorBox error={error} />
      </form>
    </main>
  );
}
