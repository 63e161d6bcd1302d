/**
 * Walking libpg-query's parse trees, whose node types are the capitalised keys ("SelectStmt",
 * "FuncCall"). The walk keeps its own stack: a statement can nest deeper than the call stack allows.
 */

/** Calls `visit` for every node of a parse tree, depth first, each node before its children, in source order. */
export function visitNodes(root: unknown, visit: (nodeType: string, node: Record<string, unknown>) => void): void {
  const pending: Array<[key: string, value: unknown]> = [['', root]];
  while (pending.length > 0) {
    const [key, value] = pending.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) pending.push(['', value[i]]);
      continue;
    }
    if (/^[A-Z]/.test(key)) visit(key, value as Record<string, unknown>);
    const entries = Object.entries(value);
    for (let i = entries.length - 1; i >= 0; i--) pending.push(entries[i]);
  }
}
