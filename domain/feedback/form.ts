/**
 * The structured feedback form: three required text fields and an optional quick assessment.
 *
 * The maximum fits every platform that shows the form: a Feishu card input allows up to 1000
 * characters, and the mini-app form has no lower limit of its own.
 */
export const FEEDBACK_FIELDS = [
  { name: 'fact', minLength: 10, maxLength: 500 },
  { name: 'impact', minLength: 10, maxLength: 500 },
  { name: 'suggestion', minLength: 10, maxLength: 500 },
] as const;
export type FeedbackFieldName = (typeof FEEDBACK_FIELDS)[number]['name'];

/** Quick options that a platform without text inputs (WeCom) can still offer. */
export const ASSESSMENTS = ['recognise', 'improve', 'discuss'] as const;
export type Assessment = (typeof ASSESSMENTS)[number];

export interface FeedbackAnswers {
  fact: string;
  impact: string;
  suggestion: string;
  assessment: Assessment | null;
}

/** Checks a quick assessment; returns it, or undefined when it is not one of ASSESSMENTS. */
export function parseAssessment(value: unknown): Assessment | undefined {
  return typeof value === 'string' && (ASSESSMENTS as readonly string[]).includes(value)
    ? (value as Assessment)
    : undefined;
}

/** The rule a rejected value broke, with its limit, so a client can word the error itself. */
export interface FormViolation {
  rule: 'required' | 'text' | 'min_length' | 'max_length' | 'choice';
  limit?: number;
  length?: number;
}

export type FormCheck =
  | { ok: true; answers: FeedbackAnswers }
  | { ok: false; field: string; message: string; violation: FormViolation };

/** Length in characters as a reader counts them (code points), so 中文 counts 2. */
export function textLength(text: string): number {
  return [...text].length;
}

/**
 * Validates submitted values. Text is trimmed; the first invalid field is returned with what to
 * send instead, named as `values.<field>` like the card inputs.
 */
export function checkFeedbackAnswers(values: Record<string, unknown>): FormCheck {
  const texts: Partial<Record<FeedbackFieldName, string>> = {};
  for (const field of FEEDBACK_FIELDS) {
    const raw = values[field.name];
    const name = `values.${field.name}`;
    if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) {
      return {
        ok: false,
        field: name,
        message: 'is required; describe it in a few sentences',
        violation: { rule: 'required', limit: field.minLength },
      };
    }
    if (typeof raw !== 'string') {
      return { ok: false, field: name, message: 'must be text', violation: { rule: 'text' } };
    }
    const text = raw.trim();
    const length = textLength(text);
    if (length < field.minLength) {
      return {
        ok: false,
        field: name,
        message: `must be at least ${field.minLength} characters (has ${length})`,
        violation: { rule: 'min_length', limit: field.minLength, length },
      };
    }
    if (length > field.maxLength) {
      return {
        ok: false,
        field: name,
        message: `must be at most ${field.maxLength} characters (has ${length})`,
        violation: { rule: 'max_length', limit: field.maxLength, length },
      };
    }
    texts[field.name] = text;
  }
  const assessment = values.assessment;
  if (assessment !== undefined && assessment !== null && assessment !== '') {
    if (!parseAssessment(assessment)) {
      return {
        ok: false,
        field: 'values.assessment',
        message: `must be one of ${ASSESSMENTS.join(', ')}, or left out`,
        violation: { rule: 'choice' },
      };
    }
  }
  return {
    ok: true,
    answers: {
      fact: texts.fact as string,
      impact: texts.impact as string,
      suggestion: texts.suggestion as string,
      assessment: (assessment || null) as Assessment | null,
    },
  };
}
