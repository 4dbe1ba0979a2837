import { readFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectPath } from '../../lib/paths.js';
import { inbox } from '../../models/schema/index.js';
import { startTestPulse, type TestPulse, waitFor } from '../helpers/pulse.js';

/** The JSON examples of docs/events.md, in document order. */
function documentedEvents(): { id: string; type: string }[] {
  const text = readFileSync(projectPath('docs', 'events.md'), 'utf8');
  return [...text.matchAll(/```json\n([\s\S]*?)```/g)].map((match) =>
    JSON.parse(match[1] as string),
  );
}

describe('documented event examples', () => {
  let pulse: TestPulse;

  beforeAll(async () => {
    pulse = await startTestPulse();
  });
  afterAll(async () => {
    await pulse?.close();
  });

  it('are accepted and processed against the demo organisation', async () => {
    const events = documentedEvents();
    expect(events.map((event) => event.type)).toEqual([
      'work_order.created',
      'work_order.status_changed',
      'work_order.resolved',
      'work_order.reopened',
      'work_order.cancelled',
      'rating.submitted',
    ]);
    for (const event of events) {
      const response = await pulse.postEvent(event);
      expect(response.status, `${event.id} answered ${response.status}`).toBe(202);
    }
    for (const event of events) {
      const row = await waitFor(async () => {
        const [stored] = await pulse.database.db
          .select()
          .from(inbox)
          .where(eq(inbox.sourceId, event.id));
        return stored && stored.status !== 'pending' ? stored : undefined;
      });
      expect(row.status, `${event.id}: ${JSON.stringify(row.outcome)}`).toBe('done');
    }
  });
});
