import { and, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import { newId } from '../lib/ids.js';
import type { Executor } from '../models/db.js';
import { organisations, people, personSkills, regions } from '../models/schema/index.js';

const code = z.string().trim().min(1).max(128);

const personSchema = z.object({
  employee_no: code,
  name: z.string().trim().min(1).max(100),
  role: z.enum(['engineer', 'manager', 'hr']),
  region: code.optional(),
  team: z.string().max(100).optional(),
  manager: code.optional(),
  mentor: code.optional(),
  is_mentor: z.boolean().default(false),
  home: z
    .object({ lat: z.number().min(-90).max(90), lng: z.number().min(-180).max(180) })
    .optional(),
  capacity: z.number().int().min(0).max(1000).default(5),
  on_duty: z.boolean().default(true),
  on_leave: z.boolean().default(false),
  skills: z
    .array(
      z.object({
        fault_type: code,
        level: z.number().int().min(1).max(5).default(3),
        certified: z.boolean().default(false),
      }),
    )
    .default([]),
  wecom_user_id: z.string().max(64).optional(),
  feishu_open_id: z.string().max(128).optional(),
  feishu_user_id: z.string().max(128).optional(),
  locale: z.enum(['zh-CN', 'en']).optional(),
});

export const orgImportSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    timezone: z.string().default('Asia/Shanghai'),
    locale: z.enum(['zh-CN', 'en']).default('zh-CN'),
    dispatch_weights: z
      .object({
        successRate: z.number().min(0),
        workload: z.number().min(0),
        distance: z.number().min(0),
      })
      .optional(),
    regions: z.array(z.object({ code, name: z.string().trim().min(1).max(200) })).default([]),
    people: z.array(personSchema).max(50_000),
  })
  .superRefine((value, context) => {
    const regionCodes = new Set(value.regions.map((region) => region.code));
    const employeeNos = new Set<string>();
    value.people.forEach((person, index) => {
      if (employeeNos.has(person.employee_no)) {
        context.addIssue({
          code: 'custom',
          path: ['people', index, 'employee_no'],
          message: 'is used twice',
        });
      }
      employeeNos.add(person.employee_no);
      if (person.region && !regionCodes.has(person.region)) {
        context.addIssue({
          code: 'custom',
          path: ['people', index, 'region'],
          message: 'is not in regions',
        });
      }
    });
    value.people.forEach((person, index) => {
      for (const key of ['manager', 'mentor'] as const) {
        const reference = person[key];
        if (reference && !employeeNos.has(reference)) {
          context.addIssue({
            code: 'custom',
            path: ['people', index, key],
            message: 'is not an employee_no in people',
          });
        }
      }
    });
    try {
      new Intl.DateTimeFormat('en', { timeZone: value.timezone });
    } catch {
      context.addIssue({
        code: 'custom',
        path: ['timezone'],
        message: 'is not an IANA time zone such as Asia/Shanghai',
      });
    }
  });

export type OrgImport = z.infer<typeof orgImportSchema>;

const BATCH = 500;

function chunks<T>(items: readonly T[], size = BATCH): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size)
    result.push(items.slice(start, start + size));
  return result;
}

/**
 * Creates or updates an organisation with its regions, people and skills, matched by slug,
 * region code and employee number. People missing from the import are kept. Returns the
 * organisation id.
 */
export async function importOrganisation(
  tx: Executor,
  slug: string,
  data: OrgImport,
  now: Date,
): Promise<string> {
  const [org] = await tx
    .insert(organisations)
    .values({
      id: newId(),
      slug,
      name: data.name,
      timezone: data.timezone,
      locale: data.locale,
      dispatchWeights: data.dispatch_weights ?? null,
      createdAt: now,
    })
    .onConflictDoUpdate({
      target: organisations.slug,
      set: {
        name: data.name,
        timezone: data.timezone,
        locale: data.locale,
        ...(data.dispatch_weights ? { dispatchWeights: data.dispatch_weights } : {}),
      },
    })
    .returning({ id: organisations.id });
  if (!org) throw new Error(`organisation ${slug} could not be stored`);
  const orgId = org.id;

  for (const batch of chunks(data.regions)) {
    await tx
      .insert(regions)
      .values(batch.map((region) => ({ id: newId(), orgId, code: region.code, name: region.name })))
      .onConflictDoUpdate({
        target: [regions.orgId, regions.code],
        set: { name: sql`excluded.name` },
      });
  }
  const regionRows = await tx
    .select({ id: regions.id, code: regions.code })
    .from(regions)
    .where(eq(regions.orgId, orgId));
  const regionIds = new Map(regionRows.map((row) => [row.code, row.id]));

  for (const batch of chunks(data.people)) {
    await tx
      .insert(people)
      .values(
        batch.map((person) => ({
          id: newId(),
          orgId,
          employeeNo: person.employee_no,
          name: person.name,
          role: person.role,
          regionId: person.region ? (regionIds.get(person.region) ?? null) : null,
          team: person.team ?? null,
          isMentor: person.is_mentor,
          homeLat: person.home?.lat ?? null,
          homeLng: person.home?.lng ?? null,
          capacity: person.capacity,
          onDuty: person.on_duty,
          onLeave: person.on_leave,
          wecomUserId: person.wecom_user_id ?? null,
          feishuOpenId: person.feishu_open_id ?? null,
          feishuUserId: person.feishu_user_id ?? null,
          locale: person.locale ?? null,
          createdAt: now,
        })),
      )
      .onConflictDoUpdate({
        target: [people.orgId, people.employeeNo],
        set: {
          name: sql`excluded.name`,
          role: sql`excluded.role`,
          regionId: sql`excluded.region_id`,
          team: sql`excluded.team`,
          isMentor: sql`excluded.is_mentor`,
          homeLat: sql`excluded.home_lat`,
          homeLng: sql`excluded.home_lng`,
          capacity: sql`excluded.capacity`,
          onDuty: sql`excluded.on_duty`,
          onLeave: sql`excluded.on_leave`,
          wecomUserId: sql`excluded.wecom_user_id`,
          feishuOpenId: sql`excluded.feishu_open_id`,
          feishuUserId: sql`excluded.feishu_user_id`,
          locale: sql`excluded.locale`,
        },
      });
  }

  const personRows = await tx
    .select({ id: people.id, employeeNo: people.employeeNo })
    .from(people)
    .where(eq(people.orgId, orgId));
  const personIds = new Map(personRows.map((row) => [row.employeeNo, row.id]));
  const idOf = (employeeNo: string | undefined) =>
    employeeNo ? (personIds.get(employeeNo) ?? null) : null;

  for (const person of data.people.filter((p) => p.manager || p.mentor)) {
    await tx
      .update(people)
      .set({ managerId: idOf(person.manager), mentorId: idOf(person.mentor) })
      .where(and(eq(people.orgId, orgId), eq(people.employeeNo, person.employee_no)));
  }

  const importedIds = data.people.map((person) => personIds.get(person.employee_no) as string);
  for (const batch of chunks(importedIds)) {
    await tx.delete(personSkills).where(inArray(personSkills.personId, batch));
  }
  const skillRows = data.people.flatMap((person) =>
    person.skills.map((skill) => ({
      orgId,
      personId: personIds.get(person.employee_no) as string,
      faultType: skill.fault_type,
      level: skill.level,
      certified: skill.certified,
    })),
  );
  for (const batch of chunks(skillRows)) {
    await tx.insert(personSkills).values(batch).onConflictDoNothing();
  }
  return orgId;
}
