const segmenter = new Intl.Segmenter('zh', { granularity: 'grapheme' });
const ELLIPSIS = '…';

export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * Cuts `text` to at most `maxBytes` UTF-8 bytes on a grapheme boundary, so that no Chinese
 * character, emoji or combining mark is split, and ends a cut text with "…" (3 bytes).
 */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (utf8Bytes(text) <= maxBytes) return text;
  const budget = maxBytes - utf8Bytes(ELLIPSIS);
  if (budget <= 0) return '';
  let used = 0;
  let kept = '';
  for (const { segment } of segmenter.segment(text)) {
    const size = utf8Bytes(segment);
    if (used + size > budget) break;
    used += size;
    kept += segment;
  }
  return kept + ELLIPSIS;
}
