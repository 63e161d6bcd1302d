import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzePlan, parseExplainJson } from '../../../src/core/plan';
import type { AnalyzedPlan, RawPlanNode } from '../../../src/core/plan';

export const RULE_PLANS_DIR = join(__dirname, '..', '..', 'fixtures', 'plans', 'rules');
export const PLANS_DIR = join(__dirname, '..', '..', 'fixtures', 'plans');

export interface RulePlan {
  /** "seq-scan-large-table/triggers-pg15", for test names. */
  name: string;
  plan: AnalyzedPlan;
  /** The top-level object PostgreSQL returned, for numbers taken straight from it. */
  raw: Record<string, unknown> & { Plan: RawPlanNode };
  /** Every raw node in preorder: the same order as AnalyzedPlan.nodes. */
  rawNodes: RawPlanNode[];
}

export function loadPlan(path: string, name: string): RulePlan {
  const text = readFileSync(path, 'utf8');
  const parsed = JSON.parse(text) as unknown;
  const raw = (Array.isArray(parsed) ? parsed[0] : parsed) as RulePlan['raw'];
  return { name, plan: analyzePlan(parseExplainJson(text)), raw, rawNodes: preorder(raw.Plan) };
}

/** test/fixtures/plans/rules/<rule>/<file>.json */
export function rulePlan(rule: string, file: string): RulePlan {
  return loadPlan(join(RULE_PLANS_DIR, rule, `${file}.json`), `${rule}/${file}`);
}

/** The plan files of a rule's folder whose names start with `kind` ("triggers" or "clean"), without ".json". */
export function ruleFiles(rule: string, kind: 'triggers' | 'clean'): string[] {
  const dir = join(RULE_PLANS_DIR, rule);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.startsWith(`${kind}-`) && f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

/** Every plan fixture of the repository: the rule plans and the plan-core fixtures. */
export function allPlanPaths(): string[] {
  const paths: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.json') && !entry.name.endsWith('.expected.json')) paths.push(path);
    }
  };
  walk(PLANS_DIR);
  return paths.sort();
}

function preorder(root: RawPlanNode): RawPlanNode[] {
  const out: RawPlanNode[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    out.push(node);
    const children = node.Plans ?? [];
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
  return out;
}

/** The one raw node matching `test`; fails when there is none or more than one. */
export function rawNode(plan: RulePlan, test: (node: RawPlanNode) => boolean): { node: RawPlanNode; id: number } {
  const ids = plan.rawNodes.map((node, id) => (test(node) ? id : -1)).filter((id) => id >= 0);
  if (ids.length !== 1) throw new Error(`${plan.name}: expected one matching node, found ${ids.length}`);
  return { node: plan.rawNodes[ids[0]], id: ids[0] };
}

/** A raw number; fails when the key is missing, so a test cannot pass on undefined. */
export function num(node: Record<string, unknown>, key: string): number {
  const value = node[key];
  if (typeof value !== 'number') throw new Error(`"${key}" is not a number in the plan: ${JSON.stringify(value)}`);
  return value;
}

/** A per-loop value of the plan over all loops, rounded as PostgreSQL's totals are. */
export function total(node: RawPlanNode, key: string): number {
  return Math.round(num(node, key) * num(node, 'Actual Loops'));
}

/** The kB a work_mem value like "19MB" or "128kB" stands for. */
export function settingKb(value: string): number {
  const match = /^(\d+)(kB|MB|GB)$/.exec(value);
  if (!match) throw new Error(`not a memory setting: ${value}`);
  const unit = { kB: 1, MB: 1024, GB: 1024 * 1024 }[match[2] as 'kB' | 'MB' | 'GB'];
  return Number(match[1]) * unit;
}

/** The work_mem a fix suggests, in kB. */
export function suggestedWorkMemKb(fix: string): number {
  const match = /SET work_mem = '([^']+)'/.exec(fix);
  if (!match) throw new Error(`no work_mem in the fix: ${fix}`);
  return settingKb(match[1]);
}
