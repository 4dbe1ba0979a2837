/** One feedback request with what the measures need about it. */
export interface MeasureInput {
  /** The team the request is counted under; null when neither order nor people have one. */
  teamId: string | null;
  eventKey: string;
  occurredAt: Date;
  dueAt: Date;
  status: string;
  submittedAt: Date | null;
  /** First action on the event's work order by a person of another team, after the event. */
  otherTeamActionAt: Date | null;
}

export interface TeamMeasures {
  teamId: string | null;
  responseTime: {
    /** Distinct triggering events. */
    events: number;
    /** Events with a response: a submitted feedback or another team's action. */
    responded: number;
    medianHours: number | null;
    meanHours: number | null;
  };
  completion: {
    requests: number;
    submittedOnTime: number;
    submittedLate: number;
    expired: number;
    /** Not submitted and not yet due; left out of the rate. */
    open: number;
    /** submittedOnTime / (requests − open); null when no request is settled. */
    rate: number | null;
  };
}

const HOUR_MS = 3_600_000;

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const value =
    sorted.length % 2 === 1
      ? (sorted[middle] as number)
      : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  return round(value);
}

const round = (hours: number) => Math.round(hours * 100) / 100;

/**
 * Computes problem response time and on-time completion per team.
 *
 * The response time of an event runs from the event to the earlier of its first submitted
 * feedback and the first action by another team on its work order. A request is completed on
 * time when it was submitted at or before its due time; requests still open before their due
 * time at `now` are left out of the rate.
 */
export function computeTeamMeasures(rows: readonly MeasureInput[], now: Date): TeamMeasures[] {
  const teams = new Map<string | null, MeasureInput[]>();
  for (const row of rows) {
    const list = teams.get(row.teamId) ?? [];
    list.push(row);
    teams.set(row.teamId, list);
  }
  const result: TeamMeasures[] = [];
  for (const [teamId, teamRows] of teams) {
    result.push({
      teamId,
      responseTime: responseTime(teamRows),
      completion: completion(teamRows, now),
    });
  }
  return result.sort((a, b) => (a.teamId ?? '').localeCompare(b.teamId ?? ''));
}

function responseTime(rows: readonly MeasureInput[]): TeamMeasures['responseTime'] {
  const firstResponse = new Map<string, { occurredAt: number; respondedAt: number | null }>();
  for (const row of rows) {
    const candidates = [row.submittedAt, row.otherTeamActionAt]
      .filter((at): at is Date => at !== null && at.getTime() >= row.occurredAt.getTime())
      .map((at) => at.getTime());
    const own = candidates.length > 0 ? Math.min(...candidates) : null;
    const entry = firstResponse.get(row.eventKey);
    if (!entry) {
      firstResponse.set(row.eventKey, { occurredAt: row.occurredAt.getTime(), respondedAt: own });
    } else if (own !== null && (entry.respondedAt === null || own < entry.respondedAt)) {
      entry.respondedAt = own;
    }
  }
  const hours = [...firstResponse.values()]
    .filter((entry) => entry.respondedAt !== null)
    .map((entry) => ((entry.respondedAt as number) - entry.occurredAt) / HOUR_MS);
  return {
    events: firstResponse.size,
    responded: hours.length,
    medianHours: median(hours),
    meanHours: hours.length > 0 ? round(hours.reduce((a, b) => a + b, 0) / hours.length) : null,
  };
}

function completion(rows: readonly MeasureInput[], now: Date): TeamMeasures['completion'] {
  let submittedOnTime = 0;
  let submittedLate = 0;
  let expired = 0;
  let open = 0;
  for (const row of rows) {
    if (row.submittedAt) {
      if (row.submittedAt.getTime() <= row.dueAt.getTime()) submittedOnTime += 1;
      else submittedLate += 1;
    } else if (row.status === 'expired' || now.getTime() >= row.dueAt.getTime()) {
      expired += 1;
    } else {
      open += 1;
    }
  }
  const settled = rows.length - open;
  return {
    requests: rows.length,
    submittedOnTime,
    submittedLate,
    expired,
    open,
    rate: settled > 0 ? Math.round((submittedOnTime / settled) * 1000) / 1000 : null,
  };
}
