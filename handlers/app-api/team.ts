import { and, asc, eq, inArray } from 'drizzle-orm';
import { objectiveProgress } from '../../domain/okr/metrics.js';
import { localDate } from '../../domain/okr/period.js';
import type { Executor } from '../../models/db.js';
import { listObjectivesActiveOn } from '../../models/okr.js';
import type { Organisation } from '../../models/orgs.js';
import type { Person } from '../../models/people.js';
import { okrKeyResults, people, regions } from '../../models/schema/index.js';
import { objectivesJson } from './okr-view.js';

/**
 * Builds the team OKR summary of a manager's region, or of every region for HR. Each team has
 * its team objectives and, per engineer, the mean progress and met key results of their own.
 */
export async function teamSummary(db: Executor, org: Organisation, viewer: Person, now: Date) {
  const regionRows = await db
    .select()
    .from(regions)
    .where(
      viewer.role === 'hr'
        ? eq(regions.orgId, org.id)
        : and(eq(regions.orgId, org.id), eq(regions.id, viewer.regionId ?? '')),
    )
    .orderBy(asc(regions.code));
  const active = await listObjectivesActiveOn(db, org.id, localDate(now, org.timezone));
  const members = await db
    .select()
    .from(people)
    .where(
      and(
        eq(people.orgId, org.id),
        eq(people.role, 'engineer'),
        inArray(
          people.regionId,
          regionRows.map((region) => region.id),
        ),
      ),
    )
    .orderBy(asc(people.employeeNo));
  const personObjectives = active.filter((objective) => objective.level === 'person');
  const keyResults =
    personObjectives.length === 0
      ? []
      : await db
          .select()
          .from(okrKeyResults)
          .where(
            inArray(
              okrKeyResults.objectiveId,
              personObjectives.map((objective) => objective.id),
            ),
          );
  const teams = [];
  for (const region of regionRows) {
    const teamObjectives = await objectivesJson(
      db,
      active.filter((objective) => objective.level === 'team' && objective.regionId === region.id),
    );
    teams.push({
      region: { id: region.id, code: region.code, name: region.name },
      progress: objectiveProgress(teamObjectives.map((objective) => ({ ...objective, weight: 1 }))),
      objectives: teamObjectives,
      members: members
        .filter((member) => member.regionId === region.id)
        .map((member) => {
          const own = keyResults.filter((kr) => kr.ownerId === member.id);
          return {
            id: member.id,
            name: member.name,
            employeeNo: member.employeeNo,
            progress: objectiveProgress(own),
            keyResults: own.length,
            met: own.filter((kr) => kr.progress >= 1).length,
          };
        }),
    });
  }
  return { scope: viewer.role === 'hr' ? 'organisation' : 'team', teams };
}
