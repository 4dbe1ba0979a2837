import { sql } from 'drizzle-orm';
import type { LatLng } from '../../domain/geo.js';
import { newId } from '../../lib/ids.js';
import type { Logger } from '../../lib/logger.js';
import { type Db, type Executor, queryRows } from '../../models/db.js';
import {
  customers,
  organisations,
  people,
  personSkills,
  ratings,
  regions,
  workOrderHistory,
  workOrders,
} from '../../models/schema/index.js';
import { importOrganisation, type OrgImport } from '../org-import.js';
import {
  DEMO_ORG,
  DEMO_REGIONS,
  FAULT_TYPES,
  GIVEN_NAMES,
  HOSPITAL_KINDS,
  NEGATIVE_COMMENTS,
  NEUTRAL_COMMENTS,
  POSITIVE_COMMENTS,
  SURNAMES,
} from './demo-data.js';
import { seedDemoOkrs } from './okr.js';
import { SeededRandom } from './random.js';

const ENGINEERS_PER_REGION = 10;
const CUSTOMERS_PER_REGION = 12;
const HISTORY_DAYS = 60;
const ORDERS_PER_REGION_PER_DAY = 6;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Lock id of the demo seed; two instances starting at once seed the organisation once. */
const SEED_LOCK_ID = 7_261_002;

/** Moves a point by up to `radiusKm` in a random direction. */
function jitter(random: SeededRandom, center: LatLng, radiusKm: number): LatLng {
  const distance = Math.sqrt(random.next()) * radiusKm;
  const angle = random.next() * 2 * Math.PI;
  const dLat = (distance * Math.cos(angle)) / 111.32;
  const dLng = (distance * Math.sin(angle)) / (111.32 * Math.cos((center.lat * Math.PI) / 180));
  return {
    lat: Number((center.lat + dLat).toFixed(6)),
    lng: Number((center.lng + dLng).toFixed(6)),
  };
}

/** Builds the demo organisation's people: per region one manager and ten engineers; one HR partner. */
export function demoOrganisation(): OrgImport {
  const random = new SeededRandom(20261204);
  const faultTypes = Object.keys(FAULT_TYPES);
  const usedNames = new Set<string>();
  const name = () => {
    for (;;) {
      const candidate =
        random.pick(SURNAMES) +
        random.pick(GIVEN_NAMES) +
        (random.chance(0.5) ? random.pick(GIVEN_NAMES) : '');
      if (!usedNames.has(candidate)) {
        usedNames.add(candidate);
        return candidate;
      }
    }
  };
  const peopleList: OrgImport['people'] = [
    {
      employee_no: 'H001',
      name: name(),
      role: 'hr',
      is_mentor: false,
      capacity: 0,
      on_duty: true,
      on_leave: false,
      skills: [],
    },
  ];
  DEMO_REGIONS.forEach((region, regionIndex) => {
    const prefix = region.code[0]?.toUpperCase() ?? 'X';
    const managerNo = `M${prefix}01`;
    peopleList.push({
      employee_no: managerNo,
      name: name(),
      role: 'manager',
      region: region.code,
      team: region.name,
      is_mentor: false,
      capacity: 0,
      on_duty: true,
      on_leave: false,
      skills: [],
    });
    for (let index = 1; index <= ENGINEERS_PER_REGION; index++) {
      const employeeNo = `E${prefix}${String(index).padStart(2, '0')}`;
      const senior = index <= 2;
      const apprentice = index >= 8;
      const skillCount = senior ? 5 : apprentice ? 2 : random.int(3, 4);
      // Each region covers every fault type: engineer i starts at fault type i.
      const skills = [
        faultTypes[(index + regionIndex) % faultTypes.length] as string,
        ...random.sample(faultTypes, skillCount),
      ]
        .filter((value, position, all) => all.indexOf(value) === position)
        .slice(0, skillCount)
        .map((faultType) => ({
          fault_type: faultType,
          level: senior ? random.int(4, 5) : apprentice ? 1 : random.int(2, 4),
          certified: senior || random.chance(0.4),
        }));
      peopleList.push({
        employee_no: employeeNo,
        name: name(),
        role: 'engineer',
        region: region.code,
        team: region.name,
        manager: managerNo,
        ...(apprentice ? { mentor: `E${prefix}0${index % 2 === 0 ? 1 : 2}` } : {}),
        is_mentor: senior,
        home: jitter(random, region.center, 25),
        capacity: senior ? 6 : apprentice ? 3 : random.int(4, 5),
        on_duty: index !== 6,
        on_leave: index === 7,
        skills,
      });
    }
  });
  return {
    name: DEMO_ORG.name,
    timezone: DEMO_ORG.timezone,
    locale: DEMO_ORG.locale,
    regions: DEMO_REGIONS.map((region) => ({ code: region.code, name: region.name })),
    people: peopleList,
  };
}

/**
 * Seeds the demo organisation with customers and 60 days of work orders and ratings, unless any
 * organisation exists. Returns true when it seeded.
 */
export async function seedDemoIfEmpty(db: Db, now: Date, log: Logger): Promise<boolean> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${SEED_LOCK_ID})`);
    const [existing] = await queryRows<{ n: number | string }>(
      tx,
      sql`select count(*) as n from organisations`,
    );
    if (Number(existing?.n ?? 0) > 0) return false;
    const started = Date.now();
    const orgId = await importOrganisation(tx, DEMO_ORG.slug, demoOrganisation(), now);
    await tx
      .update(organisations)
      .set({ settings: { faultTypeLabels: FAULT_TYPES } })
      .where(sql`${organisations.id} = ${orgId}`);
    const counts = await seedHistory(tx, orgId, now);
    const keyResults = await seedDemoOkrs(tx, orgId, now);
    log.info(
      { orgId, ms: Date.now() - started, ...counts, keyResults },
      'seeded the demo organisation',
    );
    return true;
  });
}

async function seedHistory(tx: Executor, orgId: string, now: Date) {
  const random = new SeededRandom(4_2026);
  const regionRows = await tx.select().from(regions).where(sql`${regions.orgId} = ${orgId}`);
  const peopleRows = await tx.select().from(people).where(sql`${people.orgId} = ${orgId}`);
  const skillRows = await tx
    .select()
    .from(personSkills)
    .where(sql`${personSkills.orgId} = ${orgId}`);

  const customerRows: (typeof customers.$inferInsert)[] = [];
  for (const region of DEMO_REGIONS) {
    const regionId = regionRows.find((row) => row.code === region.code)?.id as string;
    for (let index = 1; index <= CUSTOMERS_PER_REGION; index++) {
      const district = random.pick(region.districts);
      const site = jitter(random, region.center, 35);
      customerRows.push({
        id: newId(),
        orgId,
        code: `C-${region.code.toUpperCase()}-${String(index).padStart(2, '0')}`,
        name: `${region.city}${district}${random.pick(HOSPITAL_KINDS)}`,
        lat: site.lat,
        lng: site.lng,
        regionId,
        address: `${region.city}市${district}区`,
        updatedAt: now,
      });
    }
  }
  await tx.insert(customers).values(customerRows);

  const orderRows: (typeof workOrders.$inferInsert)[] = [];
  const historyRows: (typeof workOrderHistory.$inferInsert)[] = [];
  const ratingRows: (typeof ratings.$inferInsert)[] = [];
  const faultTypes = Object.keys(FAULT_TYPES);
  // Engineers whose customers complain about their manner, for the development-path model.
  const brusque = new Set(
    peopleRows.filter((p) => p.role === 'engineer' && /0[35]$/.test(p.employeeNo)).map((p) => p.id),
  );
  let sequence = 1000;

  for (let day = HISTORY_DAYS; day >= 0; day--) {
    for (const region of regionRows) {
      const engineers = peopleRows.filter((p) => p.role === 'engineer' && p.regionId === region.id);
      const regionCustomers = customerRows.filter((c) => c.regionId === region.id);
      for (let n = 0; n < ORDERS_PER_REGION_PER_DAY; n++) {
        const faultType = random.pick(faultTypes);
        const skilled = engineers.filter((e) =>
          skillRows.some((s) => s.personId === e.id && s.faultType === faultType),
        );
        const engineer = random.pick(skilled.length > 0 ? skilled : engineers);
        const customer = random.pick(regionCustomers);
        const openedAt = new Date(now.getTime() - day * DAY - random.int(1, 20) * HOUR);
        if (openedAt >= now) continue;
        const acceptedAt = new Date(openedAt.getTime() + random.int(10, 90) * 60_000);
        const resolvedAt = new Date(acceptedAt.getTime() + random.int(2, 36) * HOUR);
        const resolved = resolvedAt < now;
        const level =
          skillRows.find((s) => s.personId === engineer.id && s.faultType === faultType)?.level ??
          1;
        const firstTimeFix = random.chance(0.6 + level * 0.07);
        const id = newId();
        sequence += 1;
        orderRows.push({
          id,
          orgId,
          code: `WO-${sequence}`,
          customerId: customer.id as string,
          regionId: region.id,
          faultType,
          priority: random.pick(['normal', 'normal', 'normal', 'high', 'low', 'urgent'] as const),
          deviceId: `${faultType.split('_')[0]?.toUpperCase()}-${customer.code}-${random.int(1, 3)}`,
          status: resolved ? 'resolved' : acceptedAt < now ? 'accepted' : 'offered',
          offeredEngineerId: engineer.id,
          assignedEngineerId: acceptedAt < now ? engineer.id : null,
          openedAt,
          acceptedAt: acceptedAt < now ? acceptedAt : null,
          resolvedAt: resolved ? resolvedAt : null,
          reopenCount: resolved && !firstTimeFix ? 1 : 0,
          firstTimeFix: resolved ? firstTimeFix : null,
          updatedAt: resolved ? resolvedAt : openedAt,
        });
        historyRows.push({ orgId, workOrderId: id, status: 'new', at: openedAt });
        if (acceptedAt < now)
          historyRows.push({
            orgId,
            workOrderId: id,
            status: 'accepted',
            at: acceptedAt,
            actorId: engineer.id,
          });
        if (!resolved) continue;
        historyRows.push({
          orgId,
          workOrderId: id,
          status: 'resolved',
          at: resolvedAt,
          actorId: engineer.id,
        });
        if (!random.chance(0.7)) continue;
        const unhappy = brusque.has(engineer.id)
          ? random.chance(0.5)
          : random.chance(firstTimeFix ? 0.08 : 0.35);
        const score = unhappy ? random.int(1, 3) : random.int(4, 5);
        ratingRows.push({
          id: newId(),
          orgId,
          code: `R-${sequence}`,
          workOrderId: id,
          engineerId: engineer.id,
          score,
          repurchaseIntent: Math.max(0, Math.min(10, score * 2 + random.int(-2, 1))),
          comment:
            score <= 2
              ? random.pick(NEGATIVE_COMMENTS)
              : score === 3
                ? random.pick(NEUTRAL_COMMENTS)
                : random.pick(POSITIVE_COMMENTS),
          submittedAt: new Date(resolvedAt.getTime() + random.int(1, 48) * HOUR),
        });
      }
    }
  }
  const insertAll = async <T extends Record<string, unknown>>(
    table: Parameters<Executor['insert']>[0],
    rows: T[],
  ) => {
    for (let start = 0; start < rows.length; start += 500) {
      await tx.insert(table).values(rows.slice(start, start + 500) as never);
    }
  };
  await insertAll(workOrders, orderRows);
  await insertAll(workOrderHistory, historyRows);
  await insertAll(
    ratings,
    ratingRows.filter((rating) => (rating.submittedAt as Date) < now),
  );
  return {
    customers: customerRows.length,
    workOrders: orderRows.length,
    ratings: ratingRows.length,
  };
}
