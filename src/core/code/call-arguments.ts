/**
 * Reading the arguments of a constructor call the way the pool rules need them: each named
 * setting with its value as a literal, a name, or "unknown before run time", plus the setting
 * names a connection URL carries in its query string. Python keyword arguments and JavaScript
 * object literals (`new Pool({...})`) give the same shape.
 */
import { endOf, insertAt, rangeOf, type CodeEdit } from './findings';
import type { Node } from './syntax';

export type SettingValue =
  | { kind: 'number'; value: number; text: string }
  | { kind: 'boolean'; value: boolean; text: string }
  | { kind: 'string'; value: string; text: string }
  | { kind: 'none'; text: string }
  | { kind: 'name'; name: string; text: string }
  | { kind: 'unknown'; text: string };

export interface Setting {
  name: string;
  value: SettingValue;
  /** The whole `name=value` (or `name: value`) for hovers; the value for "change" fixes. */
  node: Node;
  valueNode: Node;
}

export interface CallArguments {
  call: Node;
  /** Where a new setting goes: Python's argument list or the JavaScript options object. */
  container: Node;
  positional: Node[];
  settings: Map<string, Setting>;
  /** `name=value` for Python, `name: value` for JavaScript. */
  style: 'python' | 'javascript';
}

const ARITHMETIC = new Map<string, (a: number, b: number) => number>([
  ['*', (a, b) => a * b],
  ['+', (a, b) => a + b],
  ['-', (a, b) => a - b],
]);

const NUMBER_TYPES = new Set(['integer', 'float', 'number']);

/** Literal values, names and small constant arithmetic (`60 * 30`); anything else is unknown. */
export function readValue(node: Node): SettingValue {
  const text = node.text;
  if (NUMBER_TYPES.has(node.type)) {
    const value = Number(text.replace(/_/g, ''));
    return Number.isFinite(value) ? { kind: 'number', value, text } : { kind: 'unknown', text };
  }
  switch (node.type) {
    case 'true':
    case 'false':
      return { kind: 'boolean', value: node.type === 'true', text };
    case 'none':
    case 'null':
    case 'undefined':
      return { kind: 'none', text };
    case 'string': {
      // A Python f-string or a string with interpolation is not a constant.
      if (node.namedChildren.some((child) => child?.type === 'interpolation' || child?.type === 'template_substitution')) {
        return { kind: 'unknown', text };
      }
      const content = node.namedChildren
        .filter((child): child is Node => child !== null && (child.type === 'string_content' || child.type === 'string_fragment'))
        .map((child) => child.text)
        .join('');
      return { kind: 'string', value: content, text };
    }
    case 'concatenated_string': {
      const parts = node.namedChildren.filter((child): child is Node => child !== null).map(readValue);
      if (parts.some((part) => part.kind !== 'string')) return { kind: 'unknown', text };
      return { kind: 'string', value: parts.map((part) => (part as { value: string }).value).join(''), text };
    }
    case 'identifier':
    case 'attribute':
    case 'member_expression':
      return { kind: 'name', name: text, text };
    case 'parenthesized_expression': {
      const inner = node.namedChildren[0];
      return inner ? readValue(inner) : { kind: 'unknown', text };
    }
    case 'binary_operator':
    case 'binary_expression': {
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      const apply = ARITHMETIC.get(node.childForFieldName('operator')?.text ?? '');
      if (left && right && apply) {
        const a = readValue(left);
        const b = readValue(right);
        if (a.kind === 'number' && b.kind === 'number') return { kind: 'number', value: apply(a.value, b.value), text };
      }
      return { kind: 'unknown', text };
    }
    default:
      return { kind: 'unknown', text };
  }
}

export function pythonCallArguments(call: Node): CallArguments | undefined {
  const list = call.childForFieldName('arguments');
  if (!list || list.type !== 'argument_list') return undefined;
  const positional: Node[] = [];
  const settings = new Map<string, Setting>();
  for (const child of list.namedChildren) {
    if (!child || child.type === 'comment') continue;
    if (child.type === 'keyword_argument') {
      const name = child.childForFieldName('name');
      const value = child.childForFieldName('value');
      if (name && value) settings.set(name.text, { name: name.text, value: readValue(value), node: child, valueNode: value });
    } else {
      positional.push(child);
    }
  }
  return { call, container: list, positional, settings, style: 'python' };
}

/** `new Pool({ max: 10 })`: the first argument when it is an object literal. */
export function javascriptOptionsArguments(call: Node): CallArguments | undefined {
  const list = call.childForFieldName('arguments');
  const options = list?.namedChildren.find((child) => child?.type === 'object');
  if (!list || !options) return undefined;
  const settings = new Map<string, Setting>();
  for (const pair of options.namedChildren) {
    if (!pair) continue;
    if (pair.type === 'pair') {
      const key = pair.childForFieldName('key');
      const value = pair.childForFieldName('value');
      if (!key || !value) continue;
      const name = key.type === 'string' ? key.text.slice(1, -1) : key.text;
      settings.set(name, { name, value: readValue(value), node: pair, valueNode: value });
    } else if (pair.type === 'shorthand_property_identifier') {
      settings.set(pair.text, { name: pair.text, value: { kind: 'unknown', text: pair.text }, node: pair, valueNode: pair });
    }
  }
  return { call, container: options, positional: [], settings, style: 'javascript' };
}

/** The edit adding `name=value` after the last argument (or inside empty brackets). */
export function addSettingEdit(args: CallArguments, name: string, value: string): CodeEdit {
  const entry = args.style === 'python' ? `${name}=${value}` : `${name}: ${value}`;
  const items = args.container.namedChildren.filter((child): child is Node => child !== null && child.type !== 'comment');
  const last = items[items.length - 1];
  if (last) return insertAt(endOf(last), `, ${entry}`);
  const open = args.container.firstChild;
  if (!open) return insertAt(endOf(args.container), entry);
  return insertAt(endOf(open), args.style === 'javascript' ? ` ${entry} ` : entry);
}

export function replaceValueEdit(setting: Setting, value: string): CodeEdit {
  return { range: rangeOf(setting.valueNode), newText: value };
}

/**
 * Query parameters of a connection URL given as a string literal, keyed case-insensitively (PyMongo
 * and redis-py accept `maxPoolSize`, `socket_timeout`... there). Undefined when the URL is not a literal.
 */
export function urlParameters(node: Node | undefined): Map<string, string> | undefined {
  if (!node) return undefined;
  const value = readValue(node);
  if (value.kind !== 'string') return undefined;
  const query = value.value.indexOf('?');
  const parameters = new Map<string, string>();
  if (query < 0) return parameters;
  for (const [key, text] of new URLSearchParams(value.value.slice(query + 1))) parameters.set(key.toLowerCase(), text);
  return parameters;
}

/** A setting given as a keyword or as a URL parameter, the keyword winning as in the libraries. */
export function settingOrUrl(args: CallArguments, url: Map<string, string> | undefined, name: string): SettingValue | undefined {
  const setting = args.settings.get(name);
  if (setting) return setting.value;
  const text = url?.get(name.toLowerCase());
  if (text === undefined) return undefined;
  const number = Number(text);
  if (text !== '' && Number.isFinite(number)) return { kind: 'number', value: number, text };
  if (text === 'true' || text === 'false') return { kind: 'boolean', value: text === 'true', text };
  return { kind: 'string', value: text, text };
}
