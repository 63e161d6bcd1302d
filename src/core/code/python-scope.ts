/**
 * Following a loop's iterable back to the query that produced it, inside one function: `for p in
 * products` -> `products = db.scalars(stmt).all()` -> `stmt = select(Product).options(...)`. The
 * expressions along the way are where eager loads and joins are written.
 */
import { calleeName } from './source-file';
import type { Node } from './syntax';

/** A loop over rows: a `for` statement or a comprehension's `for` clause, with a plain loop variable. */
export interface PythonLoop {
  loop: Node;
  variable: Node;
  iterable: Node;
  /** Where the loop variable is read: the statement's block, or the comprehension's element. */
  body: Node;
}

/** Every loop under `root` with a single-name variable, outer loops first. */
export function pythonLoops(root: Node): PythonLoop[] {
  const loops: PythonLoop[] = [];
  for (const loop of root.descendantsOfType(['for_statement', 'for_in_clause'])) {
    const variable = loop?.childForFieldName('left');
    const iterable = loop?.childForFieldName('right');
    // A comprehension reads the loop variable in its body, beside the for clause.
    const body = loop?.type === 'for_in_clause' ? loop.parent?.childForFieldName('body') : loop?.childForFieldName('body');
    if (loop && variable?.type === 'identifier' && iterable && body) loops.push({ loop, variable, iterable, body });
  }
  return loops;
}

/** Assignments followed from a loop back to its query; more is a pipeline we do not guess through. */
const MAX_HOPS = 4;

export function enclosingScope(node: Node): Node {
  let current = node.parent;
  while (current && current.type !== 'function_definition' && current.type !== 'module') current = current.parent;
  return current ?? node;
}

/** The value last assigned to `name` before `before` in its scope. */
function assignedValue(name: string, before: Node): Node | undefined {
  let found: Node | undefined;
  for (const assignment of enclosingScope(before).descendantsOfType('assignment')) {
    if (!assignment || assignment.startIndex >= before.startIndex) continue;
    if (assignment.childForFieldName('left')?.text !== name) continue;
    const right = assignment.childForFieldName('right');
    if (right) found = right;
  }
  return found;
}

/** The iterable and every expression it was built from, nearest first. */
export function expressionChain(expression: Node): Node[] {
  const chain: Node[] = [expression];
  const seen = new Set<string>();
  for (let hop = 0, index = 0; hop < MAX_HOPS && index < chain.length; index++) {
    const names =
      chain[index].type === 'identifier'
        ? [chain[index]]
        : chain[index].descendantsOfType('identifier').filter((n): n is Node => n !== null);
    for (const name of names) {
      if (seen.has(name.text)) continue;
      seen.add(name.text);
      const value = assignedValue(name.text, chain[index]);
      if (value) {
        chain.push(value);
        hop++;
      }
    }
  }
  return chain;
}

export function callsIn(nodes: Node[], names: ReadonlySet<string>): Node[] {
  const calls: Node[] = [];
  for (const node of nodes) {
    for (const call of node.descendantsOfType('call')) if (call && names.has(calleeName(call))) calls.push(call);
  }
  return calls;
}
