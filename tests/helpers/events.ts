let counter = 0;

/** A unique event id for one test run. */
export function eventId(prefix = 'evt'): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

export interface CreatedOptions {
  id?: string;
  orderId: string;
  faultType?: string;
  region?: string;
  customerId?: string;
  lat?: number;
  lng?: number;
  openedAt?: string;
  priority?: 'low' | 'normal' | 'high' | 'urgent';
}

/** A work_order.created event for the demo organisation (a Shanghai hospital by default). */
export function workOrderCreated(options: CreatedOptions) {
  const openedAt = options.openedAt ?? new Date().toISOString();
  return {
    id: options.id ?? eventId(),
    type: 'work_order.created',
    occurred_at: openedAt,
    data: {
      work_order_id: options.orderId,
      fault_type: options.faultType ?? 'ct_tube',
      priority: options.priority ?? 'high',
      opened_at: openedAt,
      description: 'CT 扫描时球管过热报警，无法继续检查。',
      customer: {
        id: options.customerId ?? 'C-EAST-01',
        name: '上海浦东人民医院',
        location: { lat: options.lat ?? 31.22, lng: options.lng ?? 121.54 },
        region: options.region ?? 'east',
        address: '上海市浦东新区',
      },
    },
  };
}

export function workOrderResolved(
  orderId: string,
  resolvedAt = new Date().toISOString(),
  extra: Record<string, unknown> = {},
) {
  return {
    id: eventId(),
    type: 'work_order.resolved',
    occurred_at: resolvedAt,
    data: { work_order_id: orderId, resolved_at: resolvedAt, ...extra },
  };
}
