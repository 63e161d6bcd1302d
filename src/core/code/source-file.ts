/**
 * A parsed file as the rules see it: its syntax tree and the modules it imports (a rule for a
 * library runs only where the library is imported, so a local function that happens to be called
 * `create_engine` is left alone).
 */
import type { CodeLanguage, Node, QueryMatch } from './syntax';

export interface SourceFile {
  path: string;
  language: CodeLanguage;
  root: Node;
  /** Top-level module names: `sqlalchemy` for `from sqlalchemy.orm import Session`, `pg` for `require('pg')`. */
  imports: Set<string>;
  /** Runs a tree-sitter query (.scm pattern, compiled once per language) over the file. */
  matches(pattern: string): QueryMatch[];
}

export function importedModules(language: CodeLanguage, root: Node): Set<string> {
  const modules = new Set<string>();
  const top = (name: string) => modules.add(name.replace(/^\.+/, '').split(/[./]/)[0] ?? name);
  if (language === 'python') {
    for (const node of root.descendantsOfType(['import_statement', 'import_from_statement'])) {
      if (!node) continue;
      const names = node.type === 'import_from_statement' ? [node.childForFieldName('module_name')] : node.childrenForFieldName('name');
      for (const name of names) {
        const dotted = name?.type === 'aliased_import' ? name.childForFieldName('name') : name;
        if (dotted) top(dotted.text);
      }
    }
    return modules;
  }
  for (const node of root.descendantsOfType(['import_statement', 'call_expression'])) {
    if (!node) continue;
    const source =
      node.type === 'import_statement'
        ? node.childForFieldName('source')
        : node.childForFieldName('function')?.text === 'require'
          ? node.childForFieldName('arguments')?.namedChildren[0]
          : undefined;
    const fragment = source?.namedChildren.find((child) => child?.type === 'string_fragment');
    if (fragment) modules.add(fragment.text.startsWith('@') ? fragment.text.split('/').slice(0, 2).join('/') : fragment.text.split('/')[0]);
  }
  return modules;
}

/** `create_engine` for `sqlalchemy.create_engine(...)`: the last name of a call's callee. */
export function calleeName(call: Node): string {
  const callee = call.childForFieldName('function') ?? call.childForFieldName('constructor');
  if (!callee) return '';
  const attribute = callee.childForFieldName('attribute') ?? callee.childForFieldName('property');
  return (attribute ?? callee).text;
}

/** The statement holding a node, for inserting a line after it. */
export function enclosingStatement(node: Node): Node {
  let current: Node = node;
  while (current.parent && !/(_statement|_declaration|^expression_statement)$/.test(current.type)) current = current.parent;
  return current;
}
