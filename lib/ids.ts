import { v7 as uuidv7 } from 'uuid';

/** Creates a time-ordered UUID (version 7), so new rows sort after older ones in indexes. */
export function newId(): string {
  return uuidv7();
}
