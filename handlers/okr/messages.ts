import type { MetricDefinition } from '../../domain/okr/metrics.js';
import { type Locale, translate } from '../../lib/i18n.js';

const zh: Record<string, string> = {
  'done.title': '工单完成 · {code}',
  'done.intro': '这单推动了你的关键结果：',
  'done.none': '这单没有计入你当前周期的关键结果。',
  'done.strategy': '支撑战略：{strategies}',
  'dispatch.moves': '接下这单将推动：{title}',
  'checkin.title': '每周 OKR 签到 · {title}',
  'error.notOwner': '只有关键结果的负责人可以签到。',
  'error.alreadyCheckedIn': '本周已经签到过了；如需补充，请在小程序中再签到一次。',
  'error.checkinClosed': '{week} 这一周的签到已关闭；请在本周的卡片或小程序中签到。',
  'checkin.ask': '本周你对按期达成这个关键结果有多大信心？',
  'checkin.confidence': '信心',
  'checkin.comment': '进展与阻碍（选填）',
  'checkin.submit': '提交签到',
  'checkin.done': '已签到：信心 {confidence}/5',
  'checkin.recorded': '签到已记录。',
  'link.okr': '在 Pulse 中查看',
  'confidence.1': '1 · 很可能达不成',
  'confidence.2': '2 · 有较大风险',
  'confidence.3': '3 · 五五开',
  'confidence.4': '4 · 大概率达成',
  'confidence.5': '5 · 一定达成',
  'unit.hours': '{value} 小时',
  'unit.count': '{value}',
  'unit.percent': '{value}%',
  'unit.score': '{value} 分',
  'unit.intent': '{value}/10',
  'unit.value': '{value}',
  'value.none': '暂无数据',
};

const en: Record<string, string> = {
  'done.title': 'Order resolved · {code}',
  'done.intro': 'This order moved your key results:',
  'done.none': 'This order counts towards none of your key results this period.',
  'done.strategy': 'Supports: {strategies}',
  'dispatch.moves': 'Taking this order moves: {title}',
  'checkin.title': 'Weekly OKR check-in · {title}',
  'error.notOwner': 'Only the owner of a key result can check in on it.',
  'error.alreadyCheckedIn':
    'This week’s check-in was already made; add another one in the mini-app.',
  'error.checkinClosed':
    'The check-in of the week of {week} is closed; check in on this week’s card or in the mini-app.',
  'checkin.ask': 'How confident are you of meeting this key result on time?',
  'checkin.confidence': 'Confidence',
  'checkin.comment': 'Progress and blockers (optional)',
  'checkin.submit': 'Check in',
  'checkin.done': 'Checked in: confidence {confidence}/5',
  'checkin.recorded': 'Check-in recorded.',
  'link.okr': 'Open in Pulse',
  'confidence.1': '1 · Likely to miss',
  'confidence.2': '2 · At risk',
  'confidence.3': '3 · Even odds',
  'confidence.4': '4 · Likely to meet',
  'confidence.5': '5 · Certain to meet',
  'unit.hours': '{value} h',
  'unit.count': '{value}',
  'unit.percent': '{value}%',
  'unit.score': '{value} / 5',
  'unit.intent': '{value}/10',
  'unit.value': '{value}',
  'value.none': 'no data yet',
};

/** Translates an OKR card text. */
export function okrText(
  locale: Locale,
  key: string,
  values: Record<string, string | number> = {},
): string {
  return translate({ 'zh-CN': zh, en }, locale, key, values);
}

/** Formats a metric value with its unit, such as 86.5% or 12.3 小时. */
export function formatMetricValue(
  locale: Locale,
  value: number | null,
  unit: MetricDefinition['unit'],
): string {
  if (value === null) return okrText(locale, 'value.none');
  const rounded = Math.round(value * 100) / 100;
  return okrText(locale, `unit.${unit}`, { value: String(rounded) });
}
