import { describe, expect, it } from 'vitest';
import {
  eventsForRequest,
  type La311Row,
  organisationFromRequests,
  parseLaTime,
  toServiceRequest,
} from '../../cli/la311.js';

function row(overrides: Partial<La311Row>): La311Row {
  return {
    SRNumber: '1-100',
    CreatedDate: '12/30/2017 08:15:00 AM',
    ClosedDate: '12/30/2017 03:45:10 PM',
    UpdatedDate: '12/30/2017 03:45:10 PM',
    RequestType: 'Bulky Items',
    Status: 'Closed',
    AssignTo: 'EV',
    Address: '100 N MAIN ST, 90012',
    Latitude: '34.05',
    Longitude: '-118.24',
    CD: '14',
    NCName: 'DOWNTOWN LOS ANGELES',
    ...overrides,
  };
}

describe('parseLaTime', () => {
  it('reads a 12-hour Los Angeles time with its winter offset', () => {
    expect(parseLaTime('12/31/2017 11:59:58 PM')).toBe('2017-12-31T23:59:58-08:00');
    expect(parseLaTime('12/27/2017 12:05:00 AM')).toBe('2017-12-27T00:05:00-08:00');
  });

  it('uses the summer offset in July', () => {
    expect(parseLaTime('07/04/2017 09:00:00 AM')).toBe('2017-07-04T09:00:00-07:00');
  });

  it('returns undefined for an empty or broken value', () => {
    expect(parseLaTime('')).toBeUndefined();
    expect(parseLaTime('yesterday')).toBeUndefined();
  });
});

describe('toServiceRequest', () => {
  it('keeps a request without coordinates without a location', () => {
    expect(toServiceRequest(row({ Latitude: '', Longitude: '' })).location).toBeUndefined();
    expect(toServiceRequest(row({ Latitude: '0', Longitude: '0' })).location).toBeUndefined();
  });

  it('names the district region after the council district', () => {
    expect(toServiceRequest(row({})).district).toBe('CD14');
    expect(toServiceRequest(row({ CD: '' })).district).toBe('CD0');
  });
});

describe('organisationFromRequests', () => {
  const requests = [
    toServiceRequest(row({ SRNumber: '1', AssignTo: 'EV', RequestType: 'Bulky Items', CD: '14' })),
    toServiceRequest(
      row({
        SRNumber: '2',
        AssignTo: 'EV',
        RequestType: 'Graffiti Removal',
        CD: '14',
        Latitude: '34.07',
      }),
    ),
    toServiceRequest(
      row({
        SRNumber: '3',
        AssignTo: 'NC',
        RequestType: 'Dead Animal Removal',
        CD: '13',
        Latitude: '',
      }),
    ),
  ];
  const organisation = organisationFromRequests(requests);

  it('makes one region and one manager per district', () => {
    expect(organisation.regions.map((region) => region.code)).toEqual(['CD13', 'CD14']);
    expect(
      organisation.people.filter((person) => person.role === 'manager').map((p) => p.region),
    ).toEqual(['CD13', 'CD14']);
  });

  it('makes each crew a team skilled in what it handled', () => {
    const ev = organisation.people.filter((person) => person.team === 'EV');
    expect(ev).toHaveLength(2);
    expect(ev[0]?.skills.map((skill) => skill.fault_type)).toEqual([
      'Bulky Items',
      'Graffiti Removal',
    ]);
    expect(ev[0]?.region).toBe('CD14');
    expect(ev[0]?.home?.lat).toBeCloseTo(34.06, 5);
  });

  it('leaves a crew without located requests without a home', () => {
    const nc = organisation.people.filter((person) => person.team === 'NC');
    expect(nc[0]?.home).toBeUndefined();
  });
});

describe('eventsForRequest', () => {
  it('follows a closed request with a resolved event', () => {
    const events = eventsForRequest(toServiceRequest(row({})));
    expect(events.map((event) => event.body.type)).toEqual([
      'work_order.created',
      'work_order.resolved',
    ]);
    const data = events[1]?.body.data as { resolved_at: string };
    expect(data.resolved_at).toBe('2017-12-30T15:45:10-08:00');
  });

  it('follows a cancelled request with a cancelled event', () => {
    const events = eventsForRequest(toServiceRequest(row({ Status: 'Cancelled' })));
    expect(events.map((event) => event.body.type)).toEqual([
      'work_order.created',
      'work_order.cancelled',
    ]);
  });

  it('sends only the created event of an open request', () => {
    const events = eventsForRequest(toServiceRequest(row({ Status: 'Open', ClosedDate: '' })));
    expect(events.map((event) => event.body.type)).toEqual(['work_order.created']);
  });

  it('keeps a close time before the open time for the server to reject', () => {
    const events = eventsForRequest(
      toServiceRequest(
        row({ CreatedDate: '12/30/2017 08:15:00 AM', ClosedDate: '12/29/2017 08:15:00 AM' }),
      ),
    );
    expect((events[1]?.at ?? '') < (events[0]?.at ?? '')).toBe(true);
  });

  it('sends missing coordinates as null so validation names them', () => {
    const [created] = eventsForRequest(toServiceRequest(row({ Latitude: '', Longitude: '' })));
    if (!created) throw new Error('expected a created event');
    const customer = (created.body.data as { customer: { location: { lat: unknown } } }).customer;
    expect(customer.location.lat).toBeNull();
  });
});
