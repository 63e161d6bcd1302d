/**
 * Which nodes of a plan are on screen: the user's collapsed subtrees, large families of siblings
 * folded into one group item, and the defaults that keep a plan of thousands of nodes small when
 * it first opens. Pure: no DOM, so it is tested in Node.
 */
import type { AnalyzedPlan, PlanNode } from '../../src/core/plan/model';

/** A parent with more children than this shows only a few of them and a group for the rest. */
export const GROUP_MIN_CHILDREN = 50;
/** How many children of a grouped family stay visible: the ones with the most time (or cost). */
export const GROUP_SHOWN_CHILDREN = 10;
/** Subtrees deeper than this below what was just opened start collapsed. */
export const AUTO_COLLAPSE_DEPTH = 12;
/** Roughly how many nodes opening a plan (or a subtree) reveals before further subtrees start collapsed. */
export const REVEAL_BUDGET = 300;

export interface NodeItem {
  kind: 'node';
  key: string;
  nodeId: number;
  depth: number;
  parent: TreeItem | null;
  children: TreeItem[];
  collapsed: boolean;
  /** Descendants hidden by collapsing this node (0 when expanded). */
  hiddenCount: number;
  /** 'grouped' or 'expanded' when its children are many enough to fold into a group. */
  family: 'plain' | 'grouped' | 'expanded';
  /** The layout writes these: top-left corner and size, in world pixels. */
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface GroupItem {
  kind: 'group';
  key: string;
  /** The node whose children the group stands for. */
  parentId: number;
  /** The children folded into the group, in plan order. */
  memberIds: number[];
  depth: number;
  parent: TreeItem;
  children: TreeItem[];
  x: number;
  y: number;
  width: number;
  height: number;
}

export type TreeItem = NodeItem | GroupItem;

export interface VisibleTree {
  root: NodeItem;
  /** Every item in preorder. */
  items: TreeItem[];
  nodeItems: Map<number, NodeItem>;
  groupItems: Map<number, GroupItem>;
}

interface Family {
  shown: number[];
  grouped: number[];
}

/** Per-plan facts the visibility rules need, computed once. */
export class PlanIndex {
  /** Nodes in each subtree, the node included. */
  readonly subtreeSize: Uint32Array;
  private readonly families = new Map<number, Family>();

  constructor(readonly plan: AnalyzedPlan) {
    const nodes = plan.nodes;
    this.subtreeSize = new Uint32Array(nodes.length).fill(1);
    // Preorder puts every child after its parent, so one backward pass sums the subtrees.
    for (let id = nodes.length - 1; id > 0; id--) {
      const parentId = nodes[id].parentId;
      if (parentId !== null) {
        this.subtreeSize[parentId] += this.subtreeSize[id];
      }
    }
  }

  node(id: number): PlanNode {
    return this.plan.nodes[id];
  }

  isGroupable(id: number): boolean {
    return this.plan.nodes[id].childIds.length > GROUP_MIN_CHILDREN;
  }

  /**
   * A large family keeps its heaviest children in view, in plan order, so a hot partition is
   * never hidden behind a count.
   */
  family(id: number): Family {
    let family = this.families.get(id);
    if (!family) {
      const childIds = this.plan.nodes[id].childIds;
      const weight = (childId: number) => {
        const child = this.plan.nodes[childId];
        return this.plan.analyzed ? (child.inclusiveMs ?? 0) : child.totalCost;
      };
      const heaviest = new Set([...childIds].sort((a, b) => weight(b) - weight(a) || a - b).slice(0, GROUP_SHOWN_CHILDREN));
      family = {
        shown: childIds.filter((childId) => heaviest.has(childId)),
        grouped: childIds.filter((childId) => !heaviest.has(childId)),
      };
      this.families.set(id, family);
    }
    return family;
  }
}

/** The collapse state of one plan, with the rules that open and close parts of it. */
export class TreeVisibility {
  readonly collapsed: Set<number>;
  readonly expandedGroups: Set<number>;
  /** Nodes whose state the user or the budget already chose: reopening a parent restores them as they were. */
  private readonly decided = new Set<number>();

  constructor(
    readonly index: PlanIndex,
    collapsed: Iterable<number> = [],
    expandedGroups: Iterable<number> = [],
  ) {
    const count = index.plan.nodes.length;
    const valid = (id: number) => id < count;
    this.collapsed = new Set([...collapsed].filter(valid));
    this.expandedGroups = new Set([...expandedGroups].filter(valid));
  }

  /** How a plan first opens: everything near the root, large families grouped, the rest collapsed. */
  static initial(index: PlanIndex): TreeVisibility {
    const visibility = new TreeVisibility(index);
    visibility.collapseBeyondBudget([0]);
    return visibility;
  }

  /** The children of an expanded node that are on screen (a grouped family shows only some). */
  shownChildren(id: number): number[] {
    return this.isGrouped(id) ? this.index.family(id).shown : this.index.node(id).childIds;
  }

  isGrouped(id: number): boolean {
    return this.index.isGroupable(id) && !this.expandedGroups.has(id);
  }

  toggle(id: number): void {
    if (this.collapsed.has(id)) {
      this.expand(id);
    } else if (this.index.node(id).childIds.length > 0) {
      this.collapsed.add(id);
      this.decided.add(id);
    }
  }

  expand(id: number): void {
    this.decided.add(id);
    if (this.collapsed.delete(id)) {
      this.collapseBeyondBudget(this.shownChildren(id));
    }
  }

  expandGroup(parentId: number): void {
    if (this.isGrouped(parentId)) {
      const revealed = this.index.family(parentId).grouped;
      this.expandedGroups.add(parentId);
      this.collapseBeyondBudget(revealed);
    }
  }

  regroup(parentId: number): void {
    this.expandedGroups.delete(parentId);
  }

  /** Opens whatever hides `id`: collapsed ancestors and groups, from the root down. */
  reveal(id: number): void {
    const path: number[] = [];
    for (let at: number | null = id; at !== null; at = this.index.node(at).parentId) {
      path.push(at);
    }
    path.reverse();
    for (let i = 0; i < path.length - 1; i++) {
      const ancestor = path[i];
      this.expand(ancestor);
      if (this.isGrouped(ancestor) && !this.index.family(ancestor).shown.includes(path[i + 1])) {
        this.expandGroup(ancestor);
      }
    }
  }

  /**
   * Walks down from nodes that just became visible, breadth first, revealing children while the
   * budget lasts and collapsing the nodes whose children would exceed it or sit too deep. Nodes
   * decided before keep their state (and their open children count against the budget).
   */
  private collapseBeyondBudget(revealed: readonly number[]): void {
    let shown = 0;
    let level = revealed.filter((id) => !this.collapsed.has(id));
    for (let depth = 0; level.length > 0; depth++) {
      const next: number[] = [];
      for (const id of level) {
        const children = this.shownChildren(id);
        if (children.length === 0) {
          continue;
        }
        const cost = children.length + (this.isGrouped(id) ? 1 : 0);
        if (!this.decided.has(id)) {
          this.decided.add(id);
          if (depth >= AUTO_COLLAPSE_DEPTH || shown + cost > REVEAL_BUDGET) {
            this.collapsed.add(id);
            continue;
          }
        }
        shown += cost;
        for (const child of children) {
          if (!this.collapsed.has(child)) {
            next.push(child);
          }
        }
      }
      level = next;
    }
  }

  /** The item tree to lay out, built without recursion (plans can be deep). */
  build(): VisibleTree {
    const items: TreeItem[] = [];
    const nodeItems = new Map<number, NodeItem>();
    const groupItems = new Map<number, GroupItem>();
    const makeNode = (nodeId: number, parent: TreeItem | null): NodeItem => {
      const collapsed = this.collapsed.has(nodeId) && this.index.node(nodeId).childIds.length > 0;
      const item: NodeItem = {
        kind: 'node',
        key: `n${nodeId}`,
        nodeId,
        depth: parent ? parent.depth + 1 : 0,
        parent,
        children: [],
        collapsed,
        hiddenCount: collapsed ? this.index.subtreeSize[nodeId] - 1 : 0,
        family: !this.index.isGroupable(nodeId) ? 'plain' : this.expandedGroups.has(nodeId) ? 'expanded' : 'grouped',
        x: 0,
        y: 0,
        width: 0,
        height: 0,
      };
      nodeItems.set(nodeId, item);
      return item;
    };
    const root = makeNode(0, null);
    // Children are pushed in reverse so that popping yields preorder.
    const stack: TreeItem[] = [root];
    while (stack.length > 0) {
      const item = stack.pop()!;
      items.push(item);
      if (item.kind === 'group' || item.collapsed) {
        continue;
      }
      for (const childId of this.shownChildren(item.nodeId)) {
        item.children.push(makeNode(childId, item));
      }
      if (this.isGrouped(item.nodeId)) {
        const group: GroupItem = {
          kind: 'group',
          key: `g${item.nodeId}`,
          parentId: item.nodeId,
          memberIds: this.index.family(item.nodeId).grouped,
          depth: item.depth + 1,
          parent: item,
          children: [],
          x: 0,
          y: 0,
          width: 0,
          height: 0,
        };
        groupItems.set(item.nodeId, group);
        item.children.push(group);
      }
      for (let i = item.children.length - 1; i >= 0; i--) {
        stack.push(item.children[i]);
      }
    }
    return { root, items, nodeItems, groupItems };
  }
}

/** Items are keyed `n<nodeId>` and `g<parentId>`, which stay the same across layouts. */
export function itemByKey(tree: VisibleTree, key: string): TreeItem | undefined {
  const id = Number(key.slice(1));
  return key.startsWith('g') ? tree.groupItems.get(id) : tree.nodeItems.get(id);
}

/** The node id of an item key, or undefined for a group. */
export function nodeIdOfKey(key: string | undefined): number | undefined {
  return key?.startsWith('n') ? Number(key.slice(1)) : undefined;
}

/**
 * The item a node is drawn in: itself when visible, else the group or collapsed ancestor hiding
 * it. Search uses it to mark where hidden matches are.
 */
export function holderOf(tree: VisibleTree, index: PlanIndex, nodeId: number): TreeItem {
  for (let at = nodeId; ;) {
    const item = tree.nodeItems.get(at);
    if (item) {
      return item;
    }
    const parentId = index.node(at).parentId!;
    const group = tree.groupItems.get(parentId);
    // A group exists only under a visible, expanded parent, so not being shown means being in it.
    if (group && !index.family(parentId).shown.includes(at)) {
      return group;
    }
    at = parentId;
  }
}
