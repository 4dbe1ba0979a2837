/**
 * Checks a card JSON 2.0 the way the fake Feishu server accepts it: the documented structure
 * rules that Pulse's cards must meet. Written apart from the renderer on purpose, so a renderer
 * bug fails here instead of being mirrored.
 */

const MAX_BYTES = 30 * 1024;
const MAX_COMPONENTS = 200;
const TEXT_TAGS = new Set(['plain_text', 'lark_md', 'standard_icon']);
const INTERACTIVE_TAGS = new Set([
  'button',
  'input',
  'select_static',
  'multi_select_static',
  'checker',
  'date_picker',
  'picker_time',
  'picker_datetime',
  'select_person',
]);
const TEMPLATES = new Set([
  'blue',
  'wathet',
  'turquoise',
  'green',
  'yellow',
  'orange',
  'red',
  'carmine',
  'violet',
  'purple',
  'indigo',
  'grey',
  'default',
]);

type Node = Record<string, unknown>;

function childLists(node: Node): Node[][] {
  const lists: Node[][] = [];
  for (const key of ['elements', 'columns']) {
    const value = node[key];
    if (Array.isArray(value)) lists.push(value as Node[]);
  }
  return lists;
}

function walk(nodes: Node[], visit: (node: Node, insideForm: boolean) => void, insideForm = false) {
  for (const node of nodes) {
    visit(node, insideForm);
    const nested = insideForm || node.tag === 'form';
    for (const list of childLists(node)) walk(list, visit, nested);
  }
}

function countComponents(value: unknown): number {
  if (Array.isArray(value)) return value.reduce<number>((n, item) => n + countComponents(item), 0);
  if (!value || typeof value !== 'object') return 0;
  const node = value as Node;
  const own = typeof node.tag === 'string' && !TEXT_TAGS.has(node.tag) ? 1 : 0;
  return own + Object.values(node).reduce<number>((n, item) => n + countComponents(item), 0);
}

/** Returns the first problem of a card, or undefined when the fake accepts it. */
export function cardProblem(card: unknown): string | undefined {
  if (!card || typeof card !== 'object' || Array.isArray(card)) return 'card must be an object';
  const root = card as Node;
  const bytes = Buffer.byteLength(JSON.stringify(card), 'utf8');
  if (bytes > MAX_BYTES) return `card is ${bytes} bytes, over ${MAX_BYTES}`;
  if (root.schema !== '2.0') return 'schema must be "2.0"';
  const config = (root.config ?? {}) as Node;
  if (config.update_multi === false) return 'config.update_multi must be true for card JSON 2.0';
  const header = root.header as Node | undefined;
  if (header) {
    const title = header.title as Node | undefined;
    if (!title || typeof title.content !== 'string') return 'header.title.content is missing';
    if (header.template !== undefined && !TEMPLATES.has(String(header.template))) {
      return `header.template ${String(header.template)} is not a card colour`;
    }
  }
  const body = root.body as Node | undefined;
  if (!body || !Array.isArray(body.elements)) return 'body.elements must be an array';
  const components = countComponents(body.elements);
  if (components > MAX_COMPONENTS)
    return `card has ${components} components, over ${MAX_COMPONENTS}`;

  const names = new Set<string>();
  let problem: string | undefined;
  const rootForms = new Set((body.elements as Node[]).filter((node) => node.tag === 'form'));
  walk(body.elements as Node[], (node, insideForm) => {
    if (problem) return;
    const tag = String(node.tag);
    if (tag === 'action') problem = 'tag "action" is not allowed in card JSON 2.0';
    else if (tag === 'form' && !rootForms.has(node)) problem = 'a form must sit at the body root';
    else if (tag === 'form' && typeof node.name !== 'string') problem = 'a form needs a name';
    else if (insideForm && INTERACTIVE_TAGS.has(tag) && typeof node.name !== 'string') {
      problem = `${tag} inside a form needs a name`;
    }
    if (problem) return;
    if (typeof node.name === 'string') {
      if (names.has(node.name)) problem = `name ${node.name} is used twice`;
      names.add(node.name);
    }
    for (const behavior of (node.behaviors as Node[] | undefined) ?? []) {
      if (behavior.type === 'callback' && (typeof behavior.value !== 'object' || !behavior.value)) {
        problem = 'a callback behavior needs an object value';
      }
      if (behavior.type === 'open_url' && typeof behavior.default_url !== 'string') {
        problem = 'an open_url behavior needs default_url';
      }
    }
  });
  if (problem) return problem;
  for (const form of rootForms) {
    let submits = 0;
    walk([form], (node) => {
      if (node.tag === 'button' && node.form_action_type === 'submit') submits += 1;
    });
    if (submits === 0) return `form ${String(form.name)} has no submit button`;
  }
  return undefined;
}

/** Returns every button of a card with a callback value, and whether it submits a form. */
export function cardButtons(card: unknown): { button: Node; value: Node; submits: boolean }[] {
  const found: { button: Node; value: Node; submits: boolean }[] = [];
  const body = ((card as Node | undefined)?.body ?? {}) as Node;
  walk((body.elements as Node[] | undefined) ?? [], (node) => {
    if (node.tag !== 'button') return;
    const callback = ((node.behaviors as Node[] | undefined) ?? []).find(
      (behavior) => behavior.type === 'callback',
    );
    if (callback) {
      found.push({
        button: node,
        value: callback.value as Node,
        submits: node.form_action_type === 'submit',
      });
    }
  });
  return found;
}

/** Returns every select of a card, by name, with its option values. */
export function cardSelects(card: unknown): Record<string, string[]> {
  const selects: Record<string, string[]> = {};
  const body = ((card as Node | undefined)?.body ?? {}) as Node;
  walk((body.elements as Node[] | undefined) ?? [], (node) => {
    if (node.tag !== 'select_static' || typeof node.name !== 'string') return;
    selects[node.name] = ((node.options as Node[] | undefined) ?? []).map((o) => String(o.value));
  });
  return selects;
}
