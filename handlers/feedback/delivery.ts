import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import type { Db } from '../../models/db.js';
import { markFeedbackCardSent } from '../../models/feedback.js';
import type { OutboxRow } from '../../models/outbox.js';
import { requestIdOfGiverCard } from './cards.js';

/**
 * Returns the outbox sender's delivery listener that moves a request from requested to sent
 * when its giver's card reached the platform. A failed update is logged and not retried,
 * because it only loses the sent time.
 */
export function feedbackDeliveryListener(db: Db, clock: Clock, log: Logger) {
  return (row: OutboxRow): void => {
    if (row.kind !== 'send') return;
    const requestId = requestIdOfGiverCard(row.cardKey);
    if (!requestId) return;
    markFeedbackCardSent(db, requestId, clock.now()).catch((error: unknown) => {
      log.error({ err: error, requestId, outboxId: row.id }, 'could not record the sent card');
    });
  };
}
