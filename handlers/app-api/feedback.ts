import { and, desc, eq, inArray } from 'drizzle-orm';
import type { Executor } from '../../models/db.js';
import { listDevelopmentRecords } from '../../models/feedback.js';
import type { Organisation } from '../../models/orgs.js';
import { findPeople, type Person } from '../../models/people.js';
import { feedbackRequests } from '../../models/schema/index.js';
import { summaryOf } from '../feedback/cards.js';
import { feedbackText } from '../feedback/messages.js';
import { cardSetting } from '../feedback/requests.js';

export const FEEDBACK_BOXES = ['inbox', 'sent', 'received'] as const;
export type FeedbackBox = (typeof FEEDBACK_BOXES)[number];

/** Maximum number of requests one box lists. */
const BOX_LIMIT = 100;

async function namesOf(db: Executor, orgId: string, ids: (string | null)[]) {
  const unique = [...new Set(ids.filter((id): id is string => id !== null))];
  return new Map((await findPeople(db, orgId, unique)).map((person) => [person.id, person.name]));
}

/**
 * Lists a person's feedback: `inbox` the open requests they are asked to give, `sent` those
 * they submitted, `received` the feedback archived in their development record.
 */
export async function feedbackBox(
  db: Executor,
  org: Organisation,
  person: Person,
  box: FeedbackBox,
) {
  const { locale } = cardSetting(person, org);
  if (box === 'received') {
    const records = (await listDevelopmentRecords(db, org.id, person.id)).reverse();
    const names = await namesOf(
      db,
      org.id,
      records.map((record) => record.giverId),
    );
    return records.map((record) => ({
      id: record.id,
      rule: record.rule,
      title: record.rule ? feedbackText(locale, `rule.${record.rule}`) : null,
      giver: record.giverId ? (names.get(record.giverId) ?? null) : null,
      fact: record.fact,
      impact: record.impact,
      suggestion: record.suggestion,
      assessment: record.assessment,
      recordedAt: record.recordedAt.toISOString(),
    }));
  }
  const statuses =
    box === 'inbox' ? (['requested', 'sent', 'reminded'] as const) : (['submitted'] as const);
  const requests = await db
    .select()
    .from(feedbackRequests)
    .where(
      and(
        eq(feedbackRequests.orgId, org.id),
        eq(feedbackRequests.giverId, person.id),
        inArray(feedbackRequests.status, [...statuses]),
      ),
    )
    .orderBy(box === 'inbox' ? feedbackRequests.dueAt : desc(feedbackRequests.submittedAt))
    .limit(BOX_LIMIT);
  const names = await namesOf(
    db,
    org.id,
    requests.map((request) => request.receiverId),
  );
  return requests.map((request) => ({
    id: request.id,
    rule: request.rule,
    title: feedbackText(locale, 'request.title', {
      rule: feedbackText(locale, `rule.${request.rule}`),
    }),
    summary: summaryOf(request, locale),
    receiver: names.get(request.receiverId) ?? null,
    status: request.status,
    dueAt: request.dueAt.toISOString(),
    submittedAt: request.submittedAt?.toISOString() ?? null,
  }));
}
