/**
 * Hovers over pool settings: what the setting under the cursor means and its default; over the
 * call itself (`create_engine`, `new Pool`), every setting of that library with the value given
 * or the default that applies.
 */
import { javascriptOptionsArguments, pythonCallArguments } from './call-arguments';
import { settingDoc, settingNames, type PoolLibrary } from './pool-settings';
import { calleeName, type SourceFile } from './source-file';
import type { Node } from './syntax';

const LIBRARY_CALLS: Array<{ library: PoolLibrary; module: string; python: boolean; callees: ReadonlySet<string>; label: string }> = [
  {
    library: 'sqlalchemy',
    module: 'sqlalchemy',
    python: true,
    callees: new Set(['create_engine', 'create_async_engine']),
    label: 'SQLAlchemy engine',
  },
  {
    library: 'redis',
    module: 'redis',
    python: true,
    callees: new Set(['ConnectionPool', 'BlockingConnectionPool', 'Redis', 'StrictRedis', 'from_url']),
    label: 'redis-py pool',
  },
  { library: 'pymongo', module: 'pymongo', python: true, callees: new Set(['MongoClient', 'AsyncMongoClient']), label: 'PyMongo client' },
  { library: 'node-postgres', module: 'pg', python: false, callees: new Set(['Pool']), label: 'node-postgres Pool' },
];

export interface CodeHover {
  markdown: string;
  /** The node the hover is about, for the editor's highlight. */
  node: Node;
}

export function poolSettingHover(file: Pick<SourceFile, 'root' | 'imports'>, line: number, column: number): CodeHover | undefined {
  let node: Node | null = file.root.descendantForPosition({ row: line, column });
  let settingNode: Node | undefined;
  while (node) {
    if (node.type === 'keyword_argument' || node.type === 'pair') settingNode ??= node;
    if (node.type === 'call' || node.type === 'new_expression') break;
    node = node.parent;
  }
  if (!node) return undefined;
  const python = node.type === 'call';
  const entry = LIBRARY_CALLS.find((e) => e.python === python && file.imports.has(e.module) && e.callees.has(calleeName(node!)));
  if (!entry) return undefined;
  const args = python ? pythonCallArguments(node) : javascriptOptionsArguments(node);
  if (settingNode) {
    const name = (settingNode.childForFieldName('name') ?? settingNode.childForFieldName('key'))?.text.replace(/^['"]|['"]$/g, '');
    const doc = name ? settingDoc(entry.library, name) : undefined;
    if (!name || !doc) return undefined;
    return { markdown: `**${name}** (${entry.label})\n\n${doc.meaning}\n\nDefault: \`${doc.default}\``, node: settingNode };
  }
  const rows = settingNames(entry.library).map((name) => {
    const given = args?.settings.get(name);
    return `| \`${name}\` | ${given ? `\`${given.value.text}\`` : `default: \`${settingDoc(entry.library, name)!.default}\``} |`;
  });
  return { markdown: `**${entry.label}** pool settings\n\n| setting | value |\n| --- | --- |\n${rows.join('\n')}`, node };
}
