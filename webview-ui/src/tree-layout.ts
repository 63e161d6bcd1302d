/**
 * Positions the visible items: d3's tidy tree, one row per depth so cards line up, and the edges
 * as a few long paths. Runs once per expand or collapse; zooming and panning never come back here.
 *
 * Cards differ in width, which d3.tree handles through `separation`: it is asked only about
 * neighbours in a row, so half of each one's width plus a gap keeps them apart. (d3-flextree does
 * the same for cards of any height; with rows of one height it gives the same layout, five times
 * slower.)
 */
import { hierarchy, tree as tidyTree } from 'd3-hierarchy';
import { linkVertical } from 'd3-shape';
import type { AnalyzedPlan } from '../../src/core/plan/model';
import type { Heat } from './card-content';
import { CARD_HEIGHT, type CardSizer } from './card-size';
import type { NodeItem, TreeItem, VisibleTree } from './visible-tree';

/** Between sibling cards. */
const SIBLING_GAP = 24;
/** Extra space between cards of different parents, so families read as families. */
const COUSIN_GAP = 24;
/** Between rows: room for the edges to show their width. */
const ROW_GAP = 52;
export const ROW_STEP = CARD_HEIGHT + ROW_GAP;

export const MIN_EDGE_WIDTH = 2;
export const MAX_EDGE_WIDTH = 14;

/**
 * Paths are cut into vertical strips at least this wide (world pixels), and at most
 * MAX_STRIPS of them: the browser skips painting a path whose bounds are out of view, so a
 * zoomed-in view of a plan thousands of cards wide paints one or two strips, not all of it.
 */
const MIN_STRIP_WIDTH = 4096;
const MAX_STRIPS = 64;

export interface StrokedPath {
  width: number;
  path: string;
}

export interface FilledPath {
  heat: Heat;
  path: string;
}

export interface Bounds {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

export interface TreeLayout {
  tree: VisibleTree;
  /** All edges as a handful of paths per strip, whatever the number of cards. */
  edges: StrokedPath[];
  /** Items of each depth, left to right: what the left and right arrow keys walk. */
  rows: TreeItem[][];
  bounds: Bounds;
  /** Width of the strips paths are cut into. */
  stripWidth: number;
}

/** Rows flowing into a parent: actual rows when the plan ran, else the planner's estimate. */
export function rowsOf(item: TreeItem, plan: AnalyzedPlan): number {
  if (item.kind === 'node') {
    return nodeRows(plan, item.nodeId);
  }
  let rows = 0;
  for (const id of item.memberIds) {
    rows += nodeRows(plan, id);
  }
  return rows;
}

// Apart from rowsOf, so that the edges of thousands of cards do not each create a function.
function nodeRows(plan: AnalyzedPlan, id: number): number {
  const node = plan.nodes[id];
  return plan.analyzed ? (node.actualRowsTotal ?? 0) : node.planRowsTotal;
}

/**
 * Log scale from the plan's maxima: plans span one row to billions, and a linear or square-root
 * scale would leave all but the largest flow a hairline. Whole pixels, so edges bundle into few paths.
 */
export function edgeWidth(rows: number, maxRows: number): number {
  if (maxRows <= 0 || rows <= 0) {
    return MIN_EDGE_WIDTH;
  }
  const t = Math.min(1, Math.log1p(rows) / Math.log1p(maxRows));
  return Math.round(MIN_EDGE_WIDTH + (MAX_EDGE_WIDTH - MIN_EDGE_WIDTH) * t);
}

/** Path segments gathered by a key (stroke width, heat) and by strip, joined into one path each. */
class StripedPaths<K> {
  /** In the order they were started, which is the order the paths come out in. */
  private readonly parts: Array<{ key: K; segments: string[] }> = [];
  // By key, then by strip index: no lookup string is built for each of thousands of segments.
  private readonly byKey = new Map<K, Map<number, string[]>>();

  constructor(private readonly stripWidth: number) {}

  add(key: K, x: number, segment: string): void {
    let strips = this.byKey.get(key);
    if (!strips) {
      strips = new Map();
      this.byKey.set(key, strips);
    }
    const strip = Math.floor(x / this.stripWidth);
    let segments = strips.get(strip);
    if (!segments) {
      segments = [];
      strips.set(strip, segments);
      this.parts.push({ key, segments });
    }
    segments.push(segment);
  }

  paths(): Array<{ key: K; path: string }> {
    return this.parts.map(({ key, segments }) => ({ key, path: segments.join('') }));
  }
}

type Point = [number, number];
const link = linkVertical<{ source: Point; target: Point }, Point>();

/** A family too large to draw as a fan: its edges run as a bus (stem, bar, one drop per child). */
function drawnAsBus(parent: TreeItem): parent is NodeItem {
  return parent.kind === 'node' && parent.family === 'expanded';
}

export function layoutTree(tree: VisibleTree, plan: AnalyzedPlan, sizer: CardSizer): TreeLayout {
  for (const item of tree.items) {
    item.width = sizer.width(item);
    item.height = CARD_HEIGHT;
  }
  const root = hierarchy<TreeItem>(tree.root, (item) => item.children);
  tidyTree<TreeItem>()
    .nodeSize([1, ROW_STEP])
    .separation((a, b) => (a.data.width + b.data.width) / 2 + SIBLING_GAP + (a.parent === b.parent ? 0 : COUSIN_GAP))(root);
  // d3 gives the centre of each card; the renderer wants the top-left corner.
  root.each((node) => {
    node.data.x = Math.round(node.x! - node.data.width / 2);
    node.data.y = node.y!;
  });

  const rows: TreeItem[][] = [];
  const bounds: Bounds = { minX: Infinity, minY: 0, maxX: -Infinity, maxY: 0 };
  for (const item of tree.items) {
    (rows[item.depth] ??= []).push(item);
    bounds.minX = Math.min(bounds.minX, item.x);
    bounds.maxX = Math.max(bounds.maxX, item.x + item.width);
    bounds.maxY = Math.max(bounds.maxY, item.y + item.height);
  }
  const stripWidth = Math.max(MIN_STRIP_WIDTH, (bounds.maxX - bounds.minX) / MAX_STRIPS);
  return { tree, edges: drawEdges(tree, plan, stripWidth), rows, bounds, stripWidth };
}

function drawEdges(tree: VisibleTree, plan: AnalyzedPlan, stripWidth: number): StrokedPath[] {
  const maxRows = plan.analyzed ? plan.maxima.actualRowsTotal : plan.maxima.planRowsTotal;
  const edges = new StripedPaths<number>(stripWidth);
  for (const item of tree.items) {
    const parent = item.parent;
    if (!parent) {
      continue;
    }
    const x = item.x + item.width / 2;
    const width = edgeWidth(rowsOf(item, plan), maxRows);
    if (drawnAsBus(parent)) {
      edges.add(width, x, `M${x},${item.y - ROW_GAP / 2}V${item.y}`);
    } else {
      edges.add(width, x, link({ source: [parent.x + parent.width / 2, parent.y + parent.height], target: [x, item.y] })!);
    }
  }
  for (const parent of tree.items) {
    if (parent.children.length === 0 || !drawnAsBus(parent)) {
      continue;
    }
    const x = parent.x + parent.width / 2;
    const top = parent.y + parent.height;
    const bar = top + ROW_GAP / 2;
    const first = parent.children[0];
    const last = parent.children[parent.children.length - 1];
    const rows = parent.children.reduce((sum, child) => sum + rowsOf(child, plan), 0);
    // The stem and the bar carry every child's rows, so they are as wide as the sum.
    const width = edgeWidth(rows, maxRows);
    edges.add(width, x, `M${x},${top}V${bar}`);
    for (let from = first.x + first.width / 2, end = last.x + last.width / 2; from < end; from += stripWidth) {
      edges.add(width, from, `M${from},${bar}H${Math.min(end, from + stripWidth)}`);
    }
  }
  return edges
    .paths()
    .map(({ key, path }) => ({ width: key, path }))
    .sort((a, b) => a.width - b.width);
}

/** Card outlines as a few paths per heat: how the tree is drawn when zoomed too far out to read. */
export function silhouettes(layout: TreeLayout, heatOf: (item: TreeItem) => Heat): FilledPath[] {
  const outlines = new StripedPaths<Heat>(layout.stripWidth);
  for (const item of layout.tree.items) {
    outlines.add(heatOf(item), item.x, `M${item.x},${item.y}h${item.width}v${item.height}h${-item.width}z`);
  }
  return outlines.paths().map(({ key, path }) => ({ heat: key, path }));
}
