import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../lib/clock.js';
import { okrCheckins, okrKeyResults, people } from '../../models/schema/index.js';
import { AppClient } from '../helpers/app-client.js';
import { startTestPulse, type TestPulse } from '../helpers/pulse.js';
import { SandboxClient, type SandboxPerson } from '../helpers/sandbox.js';

interface OkrBody {
  objectives: {
    level: string;
    ownerId: string | null;
    keyResults: { id: string; metric: string }[];
  }[];
}

describe('mini-app API access', () => {
  let pulse: TestPulse;
  let clock: ManualClock;
  let staff: SandboxPerson[];
  const byNo = (employeeNo: string) =>
    staff.find((p) => p.employeeNo === employeeNo) as SandboxPerson;

  beforeAll(async () => {
    clock = new ManualClock(new Date());
    pulse = await startTestPulse({ clock });
    staff = await new SandboxClient(pulse.url).people();
  });
  afterAll(async () => {
    await pulse?.close();
  });

  it('answers 401 without a session', async () => {
    const client = new AppClient(pulse.url);
    const me = await client.json<{ error: { code: string } }>('/api/me');
    expect(me.status).toBe(401);
    expect(me.body.error.code).toBe('not_signed_in');
    expect((await client.json('/api/okr')).status).toBe(401);
  });

  it('signs in through the sandbox with a signed HttpOnly cookie', async () => {
    const client = new AppClient(pulse.url);
    const response = await client.request('/api/auth/sandbox', {
      method: 'POST',
      body: { personId: byNo('EE01').id },
    });
    expect(response.status).toBe(200);
    const cookie = response.headers.getSetCookie().find((c) => c.startsWith('pulse_session='));
    expect(cookie).toMatch(/httponly/i);
    expect(cookie).toMatch(/samesite=lax/i);
    const me = await client.json<{ person: { id: string; role: string }; csrfToken: string }>(
      '/api/me',
    );
    expect(me.status).toBe(200);
    expect(me.body.person.id).toBe(byNo('EE01').id);
    expect(me.body.person.role).toBe('engineer');
    expect(me.body.csrfToken.length).toBeGreaterThan(20);

    const forged = new AppClient(pulse.url);
    const [token] = (client.cookie('pulse_session') ?? '').split('.');
    forged.setCookie('pulse_session', `${token}.forged-signature`);
    expect((await forged.json('/api/me')).status).toBe(401);
  });

  it('rejects a sandbox sign-in from another site', async () => {
    const signIn = (headers: Record<string, string>) =>
      fetch(`${pulse.url}/api/auth/sandbox`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ personId: byNo('EE01').id }),
      });

    const foreign = await signIn({
      origin: 'http://evil.example',
      'content-type': 'application/json',
    });
    expect(foreign.status).toBe(403);
    expect(((await foreign.json()) as { error: { code: string } }).error.code).toBe(
      'foreign_origin',
    );
    expect(foreign.headers.getSetCookie()).toHaveLength(0);

    const plainText = await signIn({ 'content-type': 'text/plain' });
    expect(plainText.status).toBe(415);
    expect(plainText.headers.getSetCookie()).toHaveLength(0);

    const own = await signIn({ origin: pulse.url, 'content-type': 'application/json' });
    expect(own.status).toBe(200);
  });

  it('rejects a sandbox sign-in with an invalid person id', async () => {
    const client = new AppClient(pulse.url);
    const response = await client.request('/api/auth/sandbox', {
      method: 'POST',
      body: { personId: 'nobody' },
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { field: string } };
    expect(body.error.field).toBe('personId');
    expect(response.headers.getSetCookie()).toHaveLength(0);
  });

  it('gives an engineer 403 for another engineer’s data', async () => {
    const client = new AppClient(pulse.url);
    await client.signInAs(byNo('EE01').id);
    const own = await client.json<OkrBody>('/api/okr');
    expect(own.status).toBe(200);
    expect(
      own.body.objectives.some((o) => o.level === 'person' && o.ownerId === byNo('EE01').id),
    ).toBe(true);

    for (const path of ['/api/okr', '/api/okr/alignment', '/api/record', '/api/learning']) {
      const other = await client.json<{ error: { code: string } }>(
        `${path}?person=${byNo('EE02').id}`,
      );
      expect(other.status, path).toBe(403);
      expect(other.body.error.code, path).toBe('not_permitted');
    }
    const theirs = await client.json<OkrBody>(`/api/okr`);
    const [keyResult] = await pulse.database.db
      .select()
      .from(okrKeyResults)
      .where(eq(okrKeyResults.ownerId, byNo('EE02').id));
    expect(theirs.status).toBe(200);
    expect((await client.json(`/api/okr/key-results/${keyResult?.id}`)).status).toBe(403);
    expect((await client.json('/api/team')).status).toBe(403);
  });

  it('lets a manager see their region and not another', async () => {
    const client = new AppClient(pulse.url);
    await client.signInAs(byNo('ME01').id);
    expect((await client.json(`/api/okr?person=${byNo('EE02').id}`)).status).toBe(200);
    expect((await client.json(`/api/okr?person=${byNo('EN02').id}`)).status).toBe(403);
    const team = await client.json<{ scope: string; teams: { members: unknown[] }[] }>('/api/team');
    expect(team.status).toBe(200);
    expect(team.body.scope).toBe('team');
    expect(team.body.teams).toHaveLength(1);
    expect(team.body.teams[0]?.members).toHaveLength(10);
  });

  it('lets HR see the whole organisation', async () => {
    const client = new AppClient(pulse.url);
    await client.signInAs(byNo('H001').id);
    expect((await client.json(`/api/okr?person=${byNo('EN02').id}`)).status).toBe(200);
    const team = await client.json<{ scope: string; teams: unknown[] }>('/api/team');
    expect(team.body.scope).toBe('organisation');
    expect(team.body.teams).toHaveLength(4);
  });

  it('rejects a change without the CSRF token and keeps the data', async () => {
    const client = new AppClient(pulse.url);
    await client.signInAs(byNo('EE03').id);
    const [keyResult] = await pulse.database.db
      .select()
      .from(okrKeyResults)
      .where(eq(okrKeyResults.ownerId, byNo('EE03').id));
    const path = `/api/okr/key-results/${keyResult?.id}/checkins`;
    const missing = await client.request(path, {
      method: 'POST',
      body: { confidence: 4 },
      csrf: false,
    });
    expect(missing.status).toBe(403);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe(
      'csrf_token_invalid',
    );
    const locale = await client.request('/api/me', {
      method: 'PATCH',
      body: { locale: 'en' },
      csrf: false,
    });
    expect(locale.status).toBe(403);
    const checkins = await pulse.database.db
      .select()
      .from(okrCheckins)
      .where(eq(okrCheckins.keyResultId, keyResult?.id as string));
    expect(checkins).toHaveLength(0);
    const [person] = await pulse.database.db
      .select()
      .from(people)
      .where(eq(people.id, byNo('EE03').id));
    expect(person?.locale).toBeNull();
  });

  it('records a check-in from the app and rejects invalid ones', async () => {
    const client = new AppClient(pulse.url);
    await client.signInAs(byNo('EE04').id);
    const [keyResult] = await pulse.database.db
      .select()
      .from(okrKeyResults)
      .where(eq(okrKeyResults.ownerId, byNo('EE04').id));
    const path = `/api/okr/key-results/${keyResult?.id}/checkins`;
    const invalid = await client.request(path, { method: 'POST', body: { confidence: 7 } });
    expect(invalid.status).toBe(400);
    const invalidError = ((await invalid.json()) as { error: { field: string; rule: string } })
      .error;
    expect(invalidError.field).toBe('confidence');
    expect(invalidError.rule).toBe('confidence');
    const manualOnly = await client.request(path, {
      method: 'POST',
      body: { confidence: 3, value: 5 },
    });
    expect(manualOnly.status).toBe(400);
    const manualError = ((await manualOnly.json()) as { error: { field: string; rule: string } })
      .error;
    expect(manualError.field).toBe('value');
    expect(manualError.rule).toBe('manual_only');
    const stored = () =>
      pulse.database.db
        .select()
        .from(okrCheckins)
        .where(and(eq(okrCheckins.keyResultId, keyResult?.id as string)));
    expect(await stored()).toHaveLength(0);

    const ok = await client.request(path, {
      method: 'POST',
      body: { confidence: 4, comment: '本周备件到货，进度正常。' },
    });
    expect(ok.status).toBe(201);
    const [row] = await stored();
    expect(row?.confidence).toBe(4);
    expect(row?.via).toBe('miniapp');

    const other = new AppClient(pulse.url);
    await other.signInAs(byNo('ME01').id);
    const notOwner = await other.request(path, { method: 'POST', body: { confidence: 4 } });
    expect(notOwner.status).toBe(403);
    expect(await stored()).toHaveLength(1);
  });

  it('switches the person’s language with the CSRF token', async () => {
    const client = new AppClient(pulse.url);
    await client.signInAs(byNo('EE05').id);
    const invalid = await client.request('/api/me', { method: 'PATCH', body: { locale: 'fr' } });
    expect(invalid.status).toBe(400);
    const changed = await client.request('/api/me', { method: 'PATCH', body: { locale: 'en' } });
    expect(changed.status).toBe(200);
    expect((await client.json<{ locale: string }>('/api/me')).body.locale).toBe('en');
  });

  it('answers 401 once the session expired', async () => {
    const client = new AppClient(pulse.url);
    await client.signInAs(byNo('EE06').id);
    expect((await client.json('/api/me')).status).toBe(200);
    clock.advance((pulse.config.session.hours + 1) * 3_600_000);
    const expired = await client.json<{ error: { code: string } }>('/api/me');
    expect(expired.status).toBe(401);
    expect(expired.body.error.code).toBe('session_expired');
    clock.set(new Date());
  });

  it('signs out', async () => {
    const client = new AppClient(pulse.url);
    await client.signInAs(byNo('EE07').id);
    const token = client.csrfToken;
    const cookie = client.cookie('pulse_session') as string;
    expect((await client.request('/api/auth/logout', { method: 'POST' })).status).toBe(200);
    const replay = new AppClient(pulse.url);
    replay.setCookie('pulse_session', cookie);
    replay.csrfToken = token;
    expect((await replay.json('/api/me')).status).toBe(401);
  });
});
