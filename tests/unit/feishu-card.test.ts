import { describe, expect, it } from 'vitest';
import type { Card } from '../../bot/card.js';
import {
  CardTooLargeError,
  cardBytes,
  countElements,
  decodeActionValue,
  MAX_CARD_BYTES,
  MAX_CARD_ELEMENTS,
  renderFeishuCard,
} from '../../bot/feishu/card.js';
import { cardButtons, cardProblem, cardSelects } from '../fakes/feishu-cards.js';

const KEY = 'feedback:r1:giver:p1';

/** A structured-feedback card: text inputs, a select, a submit and a skip button. */
const feedbackCard: Card = {
  title: 'Feedback for Li Wei',
  subtitle: 'Work order WO-1 was reopened',
  tone: 'warning',
  blocks: [
    { type: 'text', text: 'Describe what happened.' },
    { type: 'fields', fields: [{ label: 'Order', value: 'WO-1' }] },
    { type: 'progress', label: 'First-time fix', value: 7, target: 10, unit: 'orders' },
    { type: 'divider' },
  ],
  inputs: [
    { type: 'text', name: 'fact', label: 'Fact', multiline: true, minLength: 10, maxLength: 500 },
    { type: 'text', name: 'impact', label: 'Impact', placeholder: 'What did it change?' },
    {
      type: 'select',
      name: 'rating',
      label: 'Rating',
      options: [
        { value: 'good', label: 'Good' },
        { value: 'poor', label: 'Poor' },
      ],
    },
  ],
  actions: [
    {
      id: 'feedback.submit',
      label: 'Submit',
      style: 'primary',
      payload: { request: 'r1' },
      requires: ['fact', 'impact'],
    },
    { id: 'feedback.skip', label: 'Skip', payload: { request: 'r1' } },
  ],
  link: { label: 'Open in Pulse', url: 'https://pulse.example/feedback/r1' },
  footer: 'Due in 48 hours',
};

type Node = Record<string, unknown>;
const elementsOf = (json: Node) => (json.body as { elements: Node[] }).elements;

describe('Feishu card rendering', () => {
  it('renders a valid card JSON 2.0', () => {
    const json = renderFeishuCard(feedbackCard, KEY);
    expect(cardProblem(json)).toBeUndefined();
    expect(json.schema).toBe('2.0');
    expect(json.config).toMatchObject({ update_multi: true });
    expect(json.header).toMatchObject({
      title: { content: 'Feedback for Li Wei' },
      subtitle: { content: 'Work order WO-1 was reopened' },
      template: 'orange',
    });
  });

  it('puts inputs and buttons into one form', () => {
    const json = renderFeishuCard(feedbackCard, KEY);
    const forms = elementsOf(json).filter((element) => element.tag === 'form');
    expect(forms).toHaveLength(1);
    const buttons = cardButtons(json);
    expect(buttons.map((b) => b.value.action)).toEqual(['feedback.submit', 'feedback.skip']);
    expect(buttons.every((b) => b.submits)).toBe(true);
    expect(cardSelects(json)).toEqual({ rating: ['good', 'poor'] });
    const form = JSON.stringify(forms[0]);
    expect(form).toContain('"tag":"input","name":"fact"');
    expect(form).toContain('"input_type":"multiline_text"');
    expect(form).toContain('"max_length":500');
  });

  it('marks an input required only when every action needs it', () => {
    const json = renderFeishuCard(feedbackCard, KEY);
    const fact = JSON.stringify(json).match(/"name":"fact","required":(true|false)/);
    expect(fact?.[1]).toBe('false');
    const single = renderFeishuCard(
      { ...feedbackCard, actions: [feedbackCard.actions[0] as never] },
      KEY,
    );
    expect(JSON.stringify(single)).toContain('"name":"fact","required":true');
  });

  it('carries the action, card key and payload in the button value', () => {
    const [submit] = cardButtons(renderFeishuCard(feedbackCard, KEY));
    expect(decodeActionValue(submit?.value)).toEqual({
      actionId: 'feedback.submit',
      cardKey: KEY,
      payload: { request: 'r1' },
    });
    expect(decodeActionValue({ action: 'x' })).toBeUndefined();
    expect(decodeActionValue({ action: 'x', card_key: 'k', payload: { n: 1 } })).toBeUndefined();
  });

  it('renders a card without inputs without a form', () => {
    const card: Card = { ...feedbackCard, inputs: [] };
    const json = renderFeishuCard(card, KEY);
    expect(cardProblem(json)).toBeUndefined();
    expect(elementsOf(json).some((element) => element.tag === 'form')).toBe(false);
    expect(cardButtons(json).every((b) => !b.submits)).toBe(true);
  });

  it('keeps a long card under the byte limit', () => {
    const long = 'Lorem ipsum dolor 维修记录 '.repeat(400);
    const card: Card = {
      ...feedbackCard,
      blocks: Array.from({ length: 12 }, () => ({ type: 'text' as const, text: long })),
    };
    const json = renderFeishuCard(card, KEY);
    expect(cardBytes(json)).toBeLessThanOrEqual(MAX_CARD_BYTES);
    expect(cardProblem(json)).toBeUndefined();
    expect(cardButtons(json)).toHaveLength(2);
    expect(JSON.stringify(json)).toContain('Due in 48 hours');
  });

  it('keeps a card under the component limit', () => {
    const card: Card = {
      ...feedbackCard,
      blocks: Array.from({ length: 300 }, (_, i) => ({ type: 'text' as const, text: `line ${i}` })),
    };
    const json = renderFeishuCard(card, KEY);
    expect(countElements(json.body)).toBeLessThanOrEqual(MAX_CARD_ELEMENTS);
    const texts = elementsOf(json).filter((element) => element.tag === 'div');
    expect(JSON.stringify(texts)).toContain('"content":"…"');
  });

  it('throws when the inputs alone are too large', () => {
    const options = Array.from({ length: 400 }, (_, i) => ({
      value: `engineer-${i}`,
      label: `Engineer number ${i} with a long descriptive label`,
    }));
    const card: Card = {
      ...feedbackCard,
      inputs: [{ type: 'select', name: 'engineer', label: 'Engineer', options }],
    };
    expect(() => renderFeishuCard(card, KEY)).toThrow(CardTooLargeError);
  });
});
