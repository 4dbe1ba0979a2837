import { describe, expect, it } from 'vitest';
import type { Card, CardAction } from '../../bot/card.js';
import { decodeActionKey, encodeActionKey, NO_CHOICE } from '../../bot/wecom/action-keys.js';
import { taskIdFor } from '../../bot/wecom/channel.js';
import { parseCallbackQuery } from '../../bot/wecom/crypto.js';
import { renderTemplateCard, WECOM_LIMITS } from '../../bot/wecom/render.js';
import { truncateUtf8, utf8Bytes } from '../../bot/wecom/text.js';
import { extractEncrypt, parseWecomXml, xmlObjects, xmlTexts } from '../../bot/wecom/xml.js';

const ORG = '01930f5e-8a8b-7c1d-9e2f-3a4b5c6d7e8f';
const long = (text: string, times: number) => text.repeat(times);

/** Every string in a rendered card with the byte limit that applies to it. */
function textsWithLimits(templateCard: Record<string, unknown>): [string, number][] {
  const found: [string, number][] = [];
  const main = templateCard.main_title as { title?: string; desc?: string };
  if (main.title) found.push([main.title, WECOM_LIMITS.titleBytes]);
  if (main.desc) found.push([main.desc, WECOM_LIMITS.titleDescBytes]);
  if (typeof templateCard.sub_title_text === 'string') {
    found.push([templateCard.sub_title_text, WECOM_LIMITS.subTitleBytes]);
  }
  for (const item of (templateCard.horizontal_content_list ?? []) as Record<string, string>[]) {
    found.push([item.keyname as string, WECOM_LIMITS.keynameBytes]);
    found.push([item.value as string, WECOM_LIMITS.valueBytes]);
  }
  for (const button of (templateCard.button_list ?? []) as Record<string, string>[]) {
    found.push([button.text as string, WECOM_LIMITS.buttonTextBytes]);
    found.push([button.key as string, WECOM_LIMITS.keyBytes]);
  }
  for (const select of (templateCard.select_list ?? []) as Record<string, unknown>[]) {
    found.push([select.title as string, WECOM_LIMITS.selectTitleBytes]);
    for (const option of select.option_list as Record<string, string>[]) {
      found.push([option.id as string, WECOM_LIMITS.optionIdBytes]);
      found.push([option.text as string, WECOM_LIMITS.optionTextBytes]);
    }
  }
  return found;
}

describe('truncateUtf8', () => {
  it('keeps text within the limit unchanged', () => {
    expect(truncateUtf8('接单', 6)).toBe('接单');
  });

  it('cuts Chinese text on a character boundary', () => {
    const cut = truncateUtf8('区域经理已将该工单改派', 16);
    expect(cut).toBe('区域经理…');
    expect(utf8Bytes(cut)).toBeLessThanOrEqual(16);
  });

  it('never splits an emoji or a combining mark', () => {
    expect(truncateUtf8('ab👍🏽cd', 9)).toBe('ab…');
    expect(truncateUtf8('e\u0301e\u0301e\u0301', 7)).toBe('e\u0301…');
  });
});

describe('renderTemplateCard', () => {
  const options = { taskId: 'task-1', defaultLinkUrl: 'http://127.0.0.1:9/app' };

  it('renders buttons as a button_interaction card within every byte limit', () => {
    const card: Card = {
      title: long('新派单标题很长', 30),
      subtitle: long('副标题', 80),
      blocks: [
        {
          type: 'fields',
          fields: Array.from({ length: 8 }, (_, index) => ({
            label: `字段名称${index}`,
            value: long('值', 60),
          })),
        },
        { type: 'text', text: long('推荐理由。', 200) },
        { type: 'progress', label: '目标', value: 3, target: 4 },
      ],
      actions: Array.from({ length: 8 }, (_, index) => ({
        id: `action.${index}`,
        label: long('按钮', 10),
        payload: { recommendation: long('r', 2000) },
      })),
      footer: '你已接单，请尽快联系客户。',
    };
    const rendered = renderTemplateCard(card, options);
    expect(rendered.cardType).toBe('button_interaction');
    const buttons = rendered.templateCard.button_list as { key: string }[];
    expect(buttons).toHaveLength(WECOM_LIMITS.buttons);
    expect(buttons[0]?.key).toBe('action.0');
    expect(rendered.templateCard.horizontal_content_list).toHaveLength(6);
    expect(rendered.templateCard.sub_title_text).toMatch(/你已接单，请尽快联系客户。$/);
    expect(rendered.dropped).toContain('action action.6');
    for (const [text, limit] of textsWithLimits(rendered.templateCard)) {
      expect(utf8Bytes(text), text).toBeLessThanOrEqual(limit);
    }
  });

  it('renders selects as a multiple_interaction card with an action select', () => {
    const payload = { recommendation: 'r1' };
    const card: Card = {
      title: '派单建议 · WO-1',
      blocks: [{ type: 'text', text: '已推荐 李伟，等待工程师接单。' }],
      inputs: [
        {
          type: 'select',
          name: 'engineer',
          label: '改派给',
          options: Array.from({ length: 12 }, (_, index) => ({
            value: `engineer-${index}`,
            label: `工程师 ${index}`,
          })),
        },
        {
          type: 'select',
          name: 'reason',
          label: '改派原因',
          options: [
            { value: 'workload', label: '负载均衡' },
            { value: 'other', label: '其他', requires: ['note'] },
          ],
        },
        { type: 'text', name: 'note', label: '补充说明' },
      ],
      actions: [
        { id: 'dispatch.confirm', label: '确认推荐', payload },
        { id: 'dispatch.reassign', label: '改派', payload, requires: ['engineer', 'reason'] },
      ],
    };
    const rendered = renderTemplateCard(card, options);
    expect(rendered.cardType).toBe('multiple_interaction');
    const selects = rendered.templateCard.select_list as {
      question_key: string;
      selected_id?: string;
      option_list: { id: string }[];
    }[];
    expect(selects.map((select) => select.question_key)).toEqual([
      'pulse.action',
      'engineer',
      'reason',
    ]);
    expect(selects[0]?.option_list.map((option) => decodeActionKey(option.id).actionId)).toEqual([
      NO_CHOICE,
      'dispatch.confirm',
      'dispatch.reassign',
    ]);
    expect(selects.every((select) => select.selected_id === NO_CHOICE)).toBe(true);
    expect(selects[1]?.option_list).toHaveLength(WECOM_LIMITS.options);
    expect(rendered.templateCard.submit_button).toEqual({ text: '提交', key: 'pulse.submit' });
    expect((rendered.templateCard.main_title as { desc: string }).desc).toBe(
      '已推荐 李伟，等待工程师接单。',
    );
    expect(rendered.dropped).toContain('text input note');
    // "Other" needs the note that WeCom cannot collect, so it is not offered.
    const reasons = selects[2]?.option_list.map((option) => option.id);
    expect(reasons).toContain('workload');
    expect(reasons).not.toContain('other');
    expect(rendered.dropped).toContain('option reason=other, which needs text');
    for (const [text, limit] of textsWithLimits(rendered.templateCard)) {
      expect(utf8Bytes(text), text).toBeLessThanOrEqual(limit);
    }
  });

  it('renders a card without actions as a text_notice that opens the link', () => {
    const card: Card = {
      title: '新派单 · WO-2',
      blocks: [{ type: 'text', text: '工单已完成。' }],
      actions: [],
      footer: '你已接单，请尽快联系客户。',
    };
    const rendered = renderTemplateCard(card, options);
    expect(rendered.cardType).toBe('text_notice');
    expect(rendered.templateCard.card_action).toEqual({ type: 1, url: options.defaultLinkUrl });
  });

  it('greys out a closed card when there is no link to open', () => {
    const card: Card = { title: '新派单 · WO-3', blocks: [], actions: [], footer: '你已拒单' };
    const rendered = renderTemplateCard(card, { taskId: 'task-3', defaultLinkUrl: undefined });
    expect(rendered.cardType).toBe('button_interaction');
    expect(rendered.templateCard.replace_text).toBe('你已拒单');
    expect(rendered.templateCard.task_id).toBe('task-3');
  });
});

describe('action keys', () => {
  it('carry the payload when it fits and only the action id when not', () => {
    const action: CardAction = {
      id: 'dispatch.accept',
      label: 'Accept',
      payload: { recommendation: 'r1', engineer: 'e1' },
    };
    const key = encodeActionKey(action, 1024);
    expect(decodeActionKey(key)).toEqual({
      actionId: 'dispatch.accept',
      payload: { engineer: 'e1', recommendation: 'r1' },
    });
    expect(encodeActionKey(action, 20)).toBe('dispatch.accept');
  });
});

describe('taskIdFor', () => {
  it('makes task ids of allowed characters within 128 bytes', () => {
    expect(taskIdFor(ORG, 'pulse-42')).toBe('p01930f5e8a8b7c1d9e2f3a4b5c6d7e8f_pulse-42');
    const longKey = taskIdFor(ORG, `pulse:${long('x', 300)}`);
    expect(longKey).toMatch(/^[0-9A-Za-z_\-@]{1,128}$/);
    expect(taskIdFor(ORG, 'pulse-42')).toBe(taskIdFor(ORG, 'pulse-42'));
  });
});

describe('parseCallbackQuery', () => {
  it('decodes each value once and keeps a literal +', () => {
    const parsed = parseCallbackQuery('/webhooks/wecom?echostr=a+b%2Bc%3D%3D&nonce=1');
    expect(parsed.ok).toBe(true);
    expect(parsed.ok ? parsed.params.get('echostr') : undefined).toBe('a+b+c==');
  });

  it('rejects a broken percent escape', () => {
    const parsed = parseCallbackQuery('/webhooks/wecom?echostr=%E4%B8');
    expect(parsed).toMatchObject({ ok: false, status: 400 });
  });
});

describe('parseWecomXml', () => {
  it('reads repeated selections as lists', () => {
    const root = parseWecomXml(
      '<xml><SelectedItems><SelectedItem><QuestionKey><![CDATA[reason]]></QuestionKey><OptionIds><OptionId><![CDATA[travel]]></OptionId></OptionIds></SelectedItem></SelectedItems><MsgId>4561255354251345929</MsgId></xml>',
    );
    const [item] = xmlObjects(root.SelectedItems as never, 'SelectedItem');
    expect(xmlTexts(item?.OptionIds as never, 'OptionId')).toEqual(['travel']);
    expect(root.MsgId).toBe('4561255354251345929');
  });

  it('rejects entity declarations and malformed XML', () => {
    expect(() => parseWecomXml('<!DOCTYPE a [<!ENTITY b "c">]><xml>&b;</xml>')).toThrow(/DOCTYPE/);
    expect(() => parseWecomXml('<xml><a></xml>')).toThrow(/malformed/);
    expect(() => parseWecomXml('<other><a>1</a></other>')).toThrow(/root element/);
  });
});

describe('extractEncrypt', () => {
  it('reads the ciphertext with or without CDATA', () => {
    expect(extractEncrypt('<xml><Encrypt><![CDATA[ab+/cd==]]></Encrypt></xml>')).toBe('ab+/cd==');
    expect(extractEncrypt('<xml>\n  <Encrypt>\n ab+/cd== \n</Encrypt>\n</xml>')).toBe('ab+/cd==');
  });

  it('finds nothing without base64 text in Encrypt', () => {
    expect(extractEncrypt('<xml><Encrypt></Encrypt></xml>')).toBeUndefined();
    expect(extractEncrypt('<xml><Encrypt>&big;</Encrypt></xml>')).toBeUndefined();
    expect(extractEncrypt('{"encrypt":"abc"}')).toBeUndefined();
  });
});
