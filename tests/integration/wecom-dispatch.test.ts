import { and, eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inbox, people, regions, workOrders } from '../../models/schema/index.js';
import { FakeWecomServer } from '../fakes/wecom-server.js';
import { workOrderCreated } from '../helpers/events.js';
import { startTestPulse, type TestPulse, waitFor } from '../helpers/pulse.js';
import {
  clickEvent,
  clickOutcome,
  mapPeopleToWecom,
  viewCard,
  type WecomCardView,
  wecomEnv,
  wecomUserIdOf,
} from '../helpers/wecom.js';

describe('dispatch through WeCom', () => {
  let fake: FakeWecomServer;
  let pulse: TestPulse;
  let eastManagerId: string;
  let eastManagerUser: string;

  beforeAll(async () => {
    fake = await FakeWecomServer.start();
    pulse = await startTestPulse({ env: wecomEnv(fake) });
    await mapPeopleToWecom(pulse.database.db);
    const [manager] = await pulse.database.db
      .select({ id: people.id })
      .from(people)
      .innerJoin(regions, eq(regions.id, people.regionId))
      .where(and(eq(regions.code, 'east'), eq(people.role, 'manager')));
    eastManagerId = manager?.id as string;
    eastManagerUser = await wecomUserIdOf(pulse.database.db, eastManagerId);
  });
  afterAll(async () => {
    await pulse?.close();
    await fake?.stop();
  });

  async function order(code: string) {
    const [row] = await pulse.database.db
      .select()
      .from(workOrders)
      .where(eq(workOrders.code, code));
    return row;
  }

  /** Waits for the WeCom card of `code` that `userId` got with `actionId` on it. */
  async function cardOf(userId: string, code: string, actionId?: string): Promise<WecomCardView> {
    return waitFor(
      async () =>
        fake
          .cardsFor(userId)
          .map(viewCard)
          .find(
            (view) => view.title.includes(code) && (!actionId || view.actionIds.includes(actionId)),
          ),
      8000,
      `WeCom card ${code} for ${userId}`,
    );
  }

  async function createOrder(code: string) {
    expect((await pulse.postEvent(workOrderCreated({ orderId: code }))).status).toBe(202);
    const engineerId = await waitFor(
      async () => (await order(code))?.offeredEngineerId ?? undefined,
    );
    const engineerUser = await wecomUserIdOf(pulse.database.db, engineerId);
    return { engineerId, engineerUser, card: await cardOf(engineerUser, code, 'dispatch.accept') };
  }

  const updatesWith = (responseCode: string) =>
    fake.requests.filter(
      (request) =>
        request.path === '/cgi-bin/message/update_template_card' &&
        request.body.response_code === responseCode,
    );

  it('accepts through an encrypted click and updates the card with its response code', async () => {
    const { engineerUser, card } = await createOrder('WO-WX-1');
    expect(card.cardType).toBe('button_interaction');
    expect(card.actionIds).toEqual(['dispatch.accept', 'dispatch.decline']);

    const click = clickEvent(fake, card, engineerUser, 'dispatch.accept');
    const response = await fake.postCallback(pulse.url, click.xml);
    expect(response).toEqual({ status: 200, body: '' });
    expect((await clickOutcome(pulse.database.db, click.responseCode)).status).toBe('done');
    expect((await order('WO-WX-1'))?.status).toBe('accepted');

    const closed = await waitFor(async () => {
      const view = viewCard(fake.message(card.taskId) as never);
      return view.actionIds.length === 0 ? view : undefined;
    });
    expect(closed.cardType).toBe('text_notice');
    expect(String(closed.message.templateCard.sub_title_text)).toContain('你已接单');
    expect(updatesWith(click.responseCode)).toHaveLength(1);
  });

  it('reassigns with a reason chosen in the selects of a multiple-choice card', async () => {
    const { engineerId, engineerUser } = await createOrder('WO-WX-2');
    const managerCard = await cardOf(eastManagerUser, 'WO-WX-2', 'dispatch.reassign');
    expect(managerCard.cardType).toBe('multiple_interaction');
    expect(managerCard.actionIds).toEqual(['dispatch.confirm', 'dispatch.reassign']);
    // "Other" needs a note, which a WeCom card cannot collect.
    expect(managerCard.selectOptions.reason).toEqual([
      'customer_preference',
      'skill_fit',
      'workload',
      'travel',
    ]);
    const alternative = managerCard.selectOptions.engineer?.[0] as string;
    expect(alternative).not.toBe(engineerId);

    const click = clickEvent(fake, managerCard, eastManagerUser, 'dispatch.reassign', {
      engineer: alternative,
      reason: 'workload',
    });
    expect((await fake.postCallback(pulse.url, click.xml)).status).toBe(200);
    expect((await clickOutcome(pulse.database.db, click.responseCode)).status).toBe('done');
    expect((await order('WO-WX-2'))?.offeredEngineerId).toBe(alternative);

    const alternativeUser = await wecomUserIdOf(pulse.database.db, alternative);
    await cardOf(alternativeUser, 'WO-WX-2', 'dispatch.accept');
    await waitFor(async () => (updatesWith(click.responseCode).length === 1 ? true : undefined));
    // The first engineer's card was closed with the response code of its own send.
    await waitFor(async () =>
      fake
        .cardsFor(engineerUser)
        .map(viewCard)
        .find((view) => view.title.includes('WO-WX-2') && view.actionIds.length === 0),
    );
  });

  it('asks for the action when a manager submits without choosing one', async () => {
    await createOrder('WO-WX-3');
    const managerCard = await cardOf(eastManagerUser, 'WO-WX-3', 'dispatch.reassign');
    const before = fake.cardsFor(eastManagerUser).length;
    const xml = fake.clickXml({
      userId: eastManagerUser,
      taskId: managerCard.taskId,
      eventKey: 'pulse.submit',
      responseCode: fake.issueResponseCode(managerCard.taskId),
      cardType: 'multiple_interaction',
      selected: { 'pulse.action': 'pulse.none', engineer: 'pulse.none', reason: 'pulse.none' },
    });
    expect((await fake.postCallback(pulse.url, xml)).status).toBe(200);
    const notice = await waitFor(async () => fake.cardsFor(eastManagerUser).slice(before)[0]);
    expect(String(notice.templateCard.sub_title_text)).toContain('请先选择操作');
    expect((await order('WO-WX-3'))?.status).toBe('offered');
  });

  it('processes a retried callback once', async () => {
    const { engineerUser, card } = await createOrder('WO-WX-4');
    const click = clickEvent(fake, card, engineerUser, 'dispatch.decline');
    const responses = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      responses.push(await fake.postCallback(pulse.url, click.xml));
    }
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200]);
    await clickOutcome(pulse.database.db, click.responseCode);
    const rows = await pulse.database.db
      .select()
      .from(inbox)
      .where(and(eq(inbox.source, 'wecom'), like(inbox.sourceId, `click:${engineerUser}:%`)));
    expect(
      rows.filter((row) => JSON.stringify(row.payload).includes(click.responseCode)),
    ).toHaveLength(1);
  });

  it('counts two different clicks in the same second', async () => {
    const { engineerUser, card } = await createOrder('WO-WX-5');
    const createTime = Math.floor(Date.now() / 1000);
    const codes = [fake.issueResponseCode(card.taskId), fake.issueResponseCode(card.taskId)];
    const key = (card.message.templateCard.button_list as { key: string }[])[0]?.key as string;
    for (const responseCode of codes) {
      const xml = fake.clickXml({
        userId: engineerUser,
        taskId: card.taskId,
        eventKey: key,
        responseCode,
        cardType: 'button_interaction',
        createTime,
      });
      expect((await fake.postCallback(pulse.url, xml)).status).toBe(200);
    }
    const outcomes = await Promise.all(codes.map((code) => clickOutcome(pulse.database.db, code)));
    expect(outcomes.map((row) => row.status).sort()).toEqual(['done', 'rejected']);
    expect(outcomes.find((row) => row.status === 'rejected')?.outcome?.code).toBe(
      'already_accepted',
    );
  });

  it('tells the clicker why a click was rejected', async () => {
    const { card } = await createOrder('WO-WX-6');
    const before = fake.cardsFor(eastManagerUser).length;
    const click = clickEvent(fake, card, eastManagerUser, 'dispatch.accept');
    expect((await fake.postCallback(pulse.url, click.xml)).status).toBe(200);
    const row = await clickOutcome(pulse.database.db, click.responseCode);
    expect(row.outcome?.code).toBe('not_permitted');
    const notice = await waitFor(async () =>
      fake
        .cardsFor(eastManagerUser)
        .slice(before)
        .find((message) => viewCard(message).title === '操作未完成'),
    );
    expect(String(notice.templateCard.sub_title_text)).toContain('你无权操作这张卡片');
  });

  it('sends a new card when the response code is spent', async () => {
    const { engineerUser, card } = await createOrder('WO-WX-7');
    const click = clickEvent(fake, card, engineerUser, 'dispatch.accept');
    // WeCom's own use of the code, such as an earlier update, leaves it spent for Pulse.
    expect(
      (
        await fetch(
          `${fake.url}/cgi-bin/message/update_template_card?access_token=${await tokenFromFake()}`,
          {
            method: 'POST',
            body: JSON.stringify({
              agentid: fake.settings.agentId,
              response_code: click.responseCode,
              template_card: card.message.templateCard,
            }),
          },
        )
      ).status,
    ).toBe(200);
    const before = fake.cardsFor(engineerUser).length;
    expect((await fake.postCallback(pulse.url, click.xml)).status).toBe(200);
    expect((await clickOutcome(pulse.database.db, click.responseCode)).status).toBe('done');
    const replacement = await waitFor(async () => fake.cardsFor(engineerUser).slice(before)[0]);
    const view = viewCard(replacement);
    expect(view.title).toContain('WO-WX-7');
    expect(view.actionIds).toEqual([]);
    expect(view.taskId).not.toBe(card.taskId);
  });

  it('answers app entry and text messages', async () => {
    const { engineerUser } = await createOrder('WO-WX-8');
    const before = fake.cardsFor(engineerUser).length;
    const entered = await fake.postCallback(pulse.url, fake.eventXml(engineerUser, 'enter_agent'));
    expect(entered).toEqual({ status: 200, body: '' });
    const home = await waitFor(async () => fake.cardsFor(engineerUser).slice(before)[0]);
    expect(viewCard(home).title).toContain('Pulse 工作台');
    expect(String(home.templateCard.sub_title_text)).toContain('WO-WX-8');
    expect((home.templateCard.card_action as { url: string }).url).toBe(
      'http://127.0.0.1:9/pulse/app',
    );

    const wrote = await fake.postCallback(
      pulse.url,
      fake.textXml(engineerUser, '怎么接单？', '9001'),
    );
    expect(wrote.status).toBe(200);
    const help = await waitFor(async () => fake.cardsFor(engineerUser).slice(before + 1)[0]);
    expect(viewCard(help).title).toBe('Pulse 派单助手');
  });

  it('shows a manager the open orders of the region', async () => {
    await createOrder('WO-WX-9');
    const before = fake.cardsFor(eastManagerUser).length;
    const entered = await fake.postCallback(
      pulse.url,
      fake.eventXml(eastManagerUser, 'enter_agent'),
    );
    expect(entered.status).toBe(200);
    const home = await waitFor(async () =>
      fake
        .cardsFor(eastManagerUser)
        .slice(before)
        .find((message) => viewCard(message).title.startsWith('Pulse 工作台')),
    );
    const [count] = home.templateCard.horizontal_content_list as { value: string }[];
    expect(Number(count?.value)).toBeGreaterThan(0);
    expect(String(home.templateCard.sub_title_text)).toMatch(/WO-WX-\d/);
  });

  /** Fetches a token from the fake's gettoken, for calls the test makes as another client. */
  async function tokenFromFake(): Promise<string> {
    const query = new URLSearchParams({
      corpid: fake.settings.corpId,
      corpsecret: fake.settings.secret,
    });
    const reply = (await (await fetch(`${fake.url}/cgi-bin/gettoken?${query}`)).json()) as {
      access_token: string;
    };
    return reply.access_token;
  }
});
