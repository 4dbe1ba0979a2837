import { z } from 'zod';

/** ISO 8601 timestamp with an explicit offset, such as 2026-12-04T09:30:00+08:00. */
const timestamp = z.iso.datetime({
  offset: true,
  error: 'must be an ISO 8601 time with an offset',
});
const code = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(128, 'must be at most 128 characters');

const location = z.object({
  lat: z.number({ error: 'must be a number (degrees)' }).min(-90).max(90),
  lng: z.number({ error: 'must be a number (degrees)' }).min(-180).max(180),
});

const customer = z.object({
  id: code,
  name: z.string().trim().min(1).max(200),
  location,
  region: code,
  address: z.string().max(500).optional(),
});

export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;

/** Service-level deadlines agreed with the customer for one order. */
const sla = z.object({
  /** The engineer must accept (first response) by this time. */
  respond_by: timestamp.optional(),
  resolve_by: timestamp.optional(),
});

const workOrderCreated = z
  .object({
    work_order_id: code,
    fault_type: code,
    priority: z.enum(PRIORITIES).default('normal'),
    opened_at: timestamp,
    description: z.string().max(4000).optional(),
    device_id: code.optional(),
    customer,
    sla: sla.optional(),
  })
  .superRefine((data, context) => {
    for (const key of ['respond_by', 'resolve_by'] as const) {
      const deadline = data.sla?.[key];
      if (deadline && Date.parse(deadline) <= Date.parse(data.opened_at)) {
        context.addIssue({
          code: 'custom',
          path: ['sla', key],
          message: 'must be after opened_at',
        });
      }
    }
  });

const FIELD_STATUSES = ['accepted', 'en_route', 'on_site', 'waiting_parts', 'in_progress'] as const;

const workOrderStatusChanged = z.object({
  work_order_id: code,
  status: z.enum(FIELD_STATUSES),
  changed_at: timestamp,
  engineer_id: code.optional(),
  note: z.string().max(2000).optional(),
});

const workOrderResolved = z.object({
  work_order_id: code,
  resolved_at: timestamp,
  engineer_id: code.optional(),
  /** False when the fix needed a second visit. */
  first_time_fix: z.boolean().optional(),
  resolution: z.string().max(4000).optional(),
});

const workOrderReopened = z.object({
  work_order_id: code,
  reopened_at: timestamp,
  reason: z.string().max(2000).optional(),
});

const workOrderCancelled = z.object({
  work_order_id: code,
  cancelled_at: timestamp,
  reason: z.string().max(2000).optional(),
});

const ratingSubmitted = z.object({
  rating_id: code,
  work_order_id: code,
  score: z.number().int('must be a whole number').min(1).max(5),
  repurchase_intent: z.number().int('must be a whole number').min(0).max(10).optional(),
  comment: z.string().max(4000).optional(),
  submitted_at: timestamp,
});

/** A work order handed from one team (region code) to another. */
const handoffRequested = z
  .object({
    work_order_id: code,
    handoff_id: code,
    from_team: code,
    to_team: code,
    /** Employee number of the person who handed the order over. */
    requested_by: code,
    requested_at: timestamp,
    /** When the receiving team must accept; the handoff_timeout rule's hours apply without it. */
    accept_by: timestamp.optional(),
    reason: z.string().max(2000).optional(),
  })
  .superRefine((data, context) => {
    if (data.from_team === data.to_team) {
      context.addIssue({
        code: 'custom',
        path: ['to_team'],
        message: 'must differ from from_team',
      });
    }
    if (data.accept_by && Date.parse(data.accept_by) <= Date.parse(data.requested_at)) {
      context.addIssue({
        code: 'custom',
        path: ['accept_by'],
        message: 'must be after requested_at',
      });
    }
  });

const handoffAccepted = z.object({
  work_order_id: code,
  handoff_id: code,
  /** Employee number of the person of the receiving team who accepted. */
  accepted_by: code,
  accepted_at: timestamp,
});

/** A customer complaint about a work order, an engineer, or both. */
const complaintReceived = z
  .object({
    complaint_id: code,
    work_order_id: code.optional(),
    /** Employee number of the engineer complained about; defaults to the order's engineer. */
    engineer_id: code.optional(),
    received_at: timestamp,
    category: z.string().max(200).optional(),
    description: z.string().trim().min(1, 'must not be empty').max(4000),
  })
  .superRefine((data, context) => {
    if (!data.work_order_id && !data.engineer_id) {
      context.addIssue({
        code: 'custom',
        path: ['work_order_id'],
        message: 'is required when engineer_id is missing; name the order or the engineer',
      });
    }
  });

const envelope = <T extends string, D extends z.ZodType>(type: T, data: D) =>
  z.object({
    id: code,
    type: z.literal(type),
    occurred_at: timestamp,
    data,
  });

export const businessEventSchema = z.discriminatedUnion('type', [
  envelope('work_order.created', workOrderCreated),
  envelope('work_order.status_changed', workOrderStatusChanged),
  envelope('work_order.resolved', workOrderResolved),
  envelope('work_order.reopened', workOrderReopened),
  envelope('work_order.cancelled', workOrderCancelled),
  envelope('rating.submitted', ratingSubmitted),
  envelope('work_order.handoff_requested', handoffRequested),
  envelope('work_order.handoff_accepted', handoffAccepted),
  envelope('complaint.received', complaintReceived),
]);

export type BusinessEvent = z.infer<typeof businessEventSchema>;
export type BusinessEventType = BusinessEvent['type'];
export type EventOf<T extends BusinessEventType> = Extract<BusinessEvent, { type: T }>;
export const BUSINESS_EVENT_TYPES = businessEventSchema.options.map(
  (option) => option.shape.type.value,
) as BusinessEventType[];

export interface EventValidationError {
  field: string;
  message: string;
  issues: { field: string; message: string }[];
}

/**
 * Validates a parsed webhook body. Returns the event, or the first invalid field with every
 * issue found.
 */
export function parseBusinessEvent(
  body: unknown,
): { ok: true; event: BusinessEvent } | { ok: false; error: EventValidationError } {
  const typeCheck = z
    .object({ type: z.enum(BUSINESS_EVENT_TYPES as [BusinessEventType, ...BusinessEventType[]]) })
    .safeParse(body);
  if (!typeCheck.success) {
    const isObject = typeof body === 'object' && body !== null && !Array.isArray(body);
    const message = isObject
      ? `must be one of ${BUSINESS_EVENT_TYPES.join(', ')}`
      : 'the body must be a JSON object';
    const field = isObject ? 'type' : '(body)';
    return { ok: false, error: { field, message, issues: [{ field, message }] } };
  }
  const result = businessEventSchema.safeParse(body);
  if (result.success) return { ok: true, event: result.data };
  const issues = result.error.issues.map((issue) => ({
    field: issue.path.join('.') || '(body)',
    message: issue.message,
  }));
  const first = issues[0] ?? { field: '(body)', message: 'is invalid' };
  return { ok: false, error: { field: first.field, message: first.message, issues } };
}

/**
 * The key whose events must be processed in order: the work order they concern, or for a
 * complaint without an order, the complaint itself.
 */
export function orderingKeyOf(event: BusinessEvent): string {
  if (event.type === 'complaint.received' && !event.data.work_order_id) {
    return `complaint:${event.data.complaint_id}`;
  }
  return `work_order:${event.data.work_order_id}`;
}
