import type { CardAction } from '../card.js';
import { utf8Bytes } from './text.js';

/** Question key of the select that picks the action, on a card with several actions and inputs. */
export const ACTION_QUESTION_KEY = 'pulse.action';
/** Key of the submit button when the action comes from the action select. */
export const SUBMIT_KEY = 'pulse.submit';
/** Option id of a select's "please choose" entry; a click with it leaves the value unset. */
export const NO_CHOICE = 'pulse.none';
/** Key of the greyed-out button of a closed card that has no link to open. */
export const CLOSED_KEY = 'pulse.closed';

/**
 * Encodes an action as a button key or option id: the action id, then its payload as a query
 * string when the whole fits in `maxBytes`. A payload that does not fit is left out, and the
 * click handler takes it from the card stored for the task instead.
 */
export function encodeActionKey(action: CardAction, maxBytes: number): string {
  const entries = Object.entries(action.payload ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  if (entries.length === 0) return action.id;
  const full = `${action.id}?${new URLSearchParams(entries).toString()}`;
  return utf8Bytes(full) <= maxBytes ? full : action.id;
}

/** Splits a key made by encodeActionKey into the action id and, if it carried one, the payload. */
export function decodeActionKey(key: string): {
  actionId: string;
  payload: Record<string, string> | undefined;
} {
  const query = key.indexOf('?');
  if (query < 0) return { actionId: key, payload: undefined };
  return {
    actionId: key.slice(0, query),
    payload: Object.fromEntries(new URLSearchParams(key.slice(query + 1))),
  };
}
