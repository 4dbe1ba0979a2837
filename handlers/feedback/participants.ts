import type { Participants } from '../../domain/feedback/settings.js';
import { findManagerOf } from '../../models/feedback-sources.js';
import { findPerson, type Person } from '../../models/people.js';
import type { FeedbackScope } from './requests.js';

export interface EngineerCircle {
  engineer: Person | undefined;
  participants: Participants;
}

/** The engineer an event is about, with their manager and mentor as rule participants. */
export async function engineerCircle(
  scope: FeedbackScope,
  engineerId: string | null | undefined,
  extra: Participants = {},
): Promise<EngineerCircle> {
  const engineer = engineerId ? await findPerson(scope.tx, scope.org.id, engineerId) : undefined;
  const manager = await findManagerOf(scope.tx, engineer);
  return {
    engineer,
    participants: {
      engineer: engineer?.id ?? null,
      manager: manager?.id ?? null,
      mentor: engineer?.mentorId ?? null,
      ...extra,
    },
  };
}
