import { describe, expect, it } from 'vitest';
import { findUnstorableText, replaceUnstorableText } from '../../lib/storable-text.js';

describe('findUnstorableText', () => {
  it('finds NUL in a nested string', () => {
    expect(findUnstorableText({ data: { items: ['ok', 'a\u0000b'] } })).toBe('data.items[1]');
  });

  it('finds an unpaired surrogate in a key', () => {
    expect(findUnstorableText({ data: { 'x\udc00': 1 } })).toBe('data.x\udc00');
  });

  it('accepts paired surrogates and Chinese text', () => {
    expect(
      findUnstorableText({ note: '工单 😀 完成', n: 1, ok: true, none: null }),
    ).toBeUndefined();
  });

  it('names the body for a bare string', () => {
    expect(findUnstorableText('\ud800')).toBe('(body)');
  });
});

describe('replaceUnstorableText', () => {
  it('replaces each bad character and keeps the rest', () => {
    expect(replaceUnstorableText({ text: 'a\u0000b\ud800c😀', list: [1, '\udc00'] })).toEqual({
      text: 'a\ufffdb\ufffdc😀',
      list: [1, '\ufffd'],
    });
  });
});
