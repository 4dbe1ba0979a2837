import { createHash } from 'node:crypto';
import dayjs from 'dayjs';
import customParseFormat from 'dayjs/plugin/customParseFormat.js';
import timezone from 'dayjs/plugin/timezone.js';
import utc from 'dayjs/plugin/utc.js';
import { centroid, type LatLng } from '../domain/geo.js';
import type { OrgImport } from '../handlers/org-import.js';

dayjs.extend(customParseFormat);
dayjs.extend(utc);
dayjs.extend(timezone);

/** Los Angeles 311 rows give local times without a zone. */
export const LA_TIMEZONE = 'America/Los_Angeles';
const LA_TIME_FORMAT = 'MM/DD/YYYY hh:mm:ss A';

/** The columns of a MyLA311 service request that the replay reads. */
export interface La311Row {
  SRNumber: string;
  CreatedDate: string;
  ClosedDate: string;
  UpdatedDate: string;
  RequestType: string;
  Status: string;
  AssignTo: string;
  Address: string;
  Latitude: string;
  Longitude: string;
  CD: string;
  NCName: string;
}

export interface ServiceRequest {
  id: string;
  createdAt: string;
  closedAt: string | undefined;
  requestType: string;
  status: string;
  crew: string;
  address: string;
  location: LatLng | undefined;
  district: string;
}

/** Parses an LA 311 local time such as "12/31/2017 11:59:58 PM" to ISO 8601 with its offset. */
export function parseLaTime(value: string): string | undefined {
  if (!value.trim()) return undefined;
  const parsed = dayjs.tz(value.trim(), LA_TIME_FORMAT, LA_TIMEZONE);
  return parsed.isValid() ? parsed.format() : undefined;
}

function parseCoordinate(value: string): number | undefined {
  if (!value.trim()) return undefined;
  const number = Number(value);
  return Number.isFinite(number) && number !== 0 ? number : undefined;
}

export function toServiceRequest(row: La311Row): ServiceRequest {
  const lat = parseCoordinate(row.Latitude);
  const lng = parseCoordinate(row.Longitude);
  return {
    id: row.SRNumber,
    createdAt: parseLaTime(row.CreatedDate) ?? '',
    closedAt: parseLaTime(row.ClosedDate),
    requestType: row.RequestType.trim() || 'Other',
    status: row.Status,
    crew: row.AssignTo.trim() || 'UNASSIGNED',
    address: row.Address.trim(),
    location: lat !== undefined && lng !== undefined ? { lat, lng } : undefined,
    district: row.CD.trim() ? `CD${row.CD.trim()}` : 'CD0',
  };
}

/** Requests one engineer of a crew is assumed to carry at once. */
const REQUESTS_PER_ENGINEER = 100;

function mostCommon(values: string[]): string {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return (
    [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? ''
  );
}

/**
 * Builds an organisation from the requests themselves. Each crew becomes a team of engineers,
 * skilled in the request types it handled and based near the centre of its requests. Council
 * districts become regions, each with one manager.
 */
export function organisationFromRequests(requests: readonly ServiceRequest[]): OrgImport {
  const districts = [...new Set(requests.map((r) => r.district))].sort();
  const crews = new Map<string, ServiceRequest[]>();
  for (const request of requests) {
    const list = crews.get(request.crew) ?? [];
    list.push(request);
    crews.set(request.crew, list);
  }
  const people: OrgImport['people'] = districts.map((district) => ({
    employee_no: `MGR-${district}`,
    name: `Manager ${district}`,
    role: 'manager' as const,
    region: district,
    is_mentor: false,
    capacity: 0,
    on_duty: true,
    on_leave: false,
    skills: [],
    locale: 'en' as const,
  }));
  for (const [crew, handled] of [...crews.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const located = handled.flatMap((r) => (r.location ? [r.location] : []));
    const base = centroid(located);
    const region = mostCommon(handled.map((r) => r.district));
    const skills = [...new Set(handled.map((r) => r.requestType))].sort();
    const size = Math.max(2, Math.ceil(handled.length / REQUESTS_PER_ENGINEER));
    for (let index = 1; index <= size; index++) {
      // Spread the crew's engineers a few hundred metres apart so their distances differ.
      const offset = ((index - 1) % 5) * 0.003;
      people.push({
        employee_no: `${crew}-${String(index).padStart(2, '0')}`,
        name: `${crew} engineer ${index}`,
        role: 'engineer',
        region,
        team: crew,
        manager: `MGR-${region}`,
        is_mentor: false,
        ...(base ? { home: { lat: base.lat + offset, lng: base.lng - offset } } : {}),
        capacity: REQUESTS_PER_ENGINEER + 20,
        on_duty: true,
        on_leave: false,
        skills: skills.map((faultType) => ({ fault_type: faultType, level: 3, certified: false })),
        locale: 'en',
      });
    }
  }
  return {
    name: 'Los Angeles 311 (replay)',
    timezone: LA_TIMEZONE,
    locale: 'en',
    regions: districts.map((code) => ({ code, name: `Council District ${code.slice(2)}` })),
    people,
  };
}

export interface ReplayEvent {
  requestId: string;
  /** Event time, for ordering the replay. */
  at: string;
  body: Record<string, unknown>;
}

function customerCode(request: ServiceRequest): string {
  const key = request.address || request.id;
  return `addr-${createHash('sha1').update(key).digest('hex').slice(0, 12)}`;
}

/**
 * Maps a request to its work-order events: created, then resolved or cancelled when the row
 * is closed or cancelled. Rows without coordinates are sent as they are, so the webhook's
 * validation reports them.
 */
export function eventsForRequest(request: ServiceRequest): ReplayEvent[] {
  const created = {
    id: `la311-${request.id}-created`,
    type: 'work_order.created',
    occurred_at: request.createdAt,
    data: {
      work_order_id: request.id,
      fault_type: request.requestType,
      priority: 'normal',
      opened_at: request.createdAt,
      customer: {
        id: customerCode(request),
        name: request.address || request.id,
        location: { lat: request.location?.lat ?? null, lng: request.location?.lng ?? null },
        region: request.district,
        ...(request.address ? { address: request.address } : {}),
      },
    },
  };
  const events: ReplayEvent[] = [{ requestId: request.id, at: request.createdAt, body: created }];
  if (request.closedAt && request.status === 'Closed') {
    events.push({
      requestId: request.id,
      at: request.closedAt,
      body: {
        id: `la311-${request.id}-resolved`,
        type: 'work_order.resolved',
        occurred_at: request.closedAt,
        data: { work_order_id: request.id, resolved_at: request.closedAt },
      },
    });
  } else if (request.closedAt && request.status === 'Cancelled') {
    events.push({
      requestId: request.id,
      at: request.closedAt,
      body: {
        id: `la311-${request.id}-cancelled`,
        type: 'work_order.cancelled',
        occurred_at: request.closedAt,
        data: {
          work_order_id: request.id,
          cancelled_at: request.closedAt,
          reason: 'Cancelled in MyLA311',
        },
      },
    });
  }
  return events;
}
