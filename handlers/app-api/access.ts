import type { Context } from 'koa';
import { z } from 'zod';
import { ForbiddenError, NotFoundError } from '../../lib/errors.js';
import type { Db } from '../../models/db.js';
import type { ScopedKeyResult } from '../../models/okr.js';
import { findPerson, type Person } from '../../models/people.js';
import { signedIn } from '../auth/sessions.js';

/**
 * Checks whether `viewer` may see `target`'s data. Everyone may see their own, a manager the
 * people they manage or who work in their region, and HR everyone in the organisation.
 */
export function canViewPerson(viewer: Person, target: Person): boolean {
  if (viewer.orgId !== target.orgId) return false;
  if (viewer.id === target.id || viewer.role === 'hr') return true;
  if (viewer.role !== 'manager') return false;
  return (
    target.managerId === viewer.id ||
    (viewer.regionId !== null && target.regionId === viewer.regionId)
  );
}

/**
 * Checks whether `viewer` may see a key result: anyone a company one, the region a team one,
 * and a person-level one whoever may see that person.
 */
export function canViewKeyResult(
  viewer: Person,
  keyResult: ScopedKeyResult,
  owner: Person | undefined,
): boolean {
  if (viewer.orgId !== keyResult.orgId) return false;
  switch (keyResult.level) {
    case 'company':
      return true;
    case 'team':
      return (
        viewer.role === 'hr' || (viewer.regionId !== null && viewer.regionId === keyResult.regionId)
      );
    case 'person':
      return owner !== undefined && canViewPerson(viewer, owner);
  }
}

const PERSON_ID = z.uuid();

/**
 * Returns the person a request is about: `?person=<id>` or the signed-in person. Rejects with
 * 403 a person the viewer may not see, and with 404 an unknown one.
 */
export async function requestedPerson(db: Db, ctx: Context): Promise<Person> {
  const { person: viewer } = signedIn(ctx);
  const wanted = ctx.query.person;
  if (wanted === undefined || wanted === '' || wanted === viewer.id) return viewer;
  if (typeof wanted !== 'string' || !PERSON_ID.safeParse(wanted).success) {
    throw new NotFoundError('Person', String(wanted));
  }
  const target = await findPerson(db, viewer.orgId, wanted);
  if (!target) throw new NotFoundError('Person', wanted);
  if (!canViewPerson(viewer, target)) {
    ctx.state.log.warn({ targetId: target.id }, 'person data access rejected');
    throw new ForbiddenError('You may see only your own data and, as a manager, your team’s.');
  }
  return target;
}
