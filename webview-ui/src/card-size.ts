/**
 * Card geometry, and card widths from canvas-measured character widths: asking the DOM for the
 * size of thousands of cards (getBBox, offsetWidth) would force a layout for each.
 * The numbers here and in styles/tree.css describe the same card; keep them together.
 */
import type { AnalyzedPlan } from '../../src/core/plan/model';
import type { FindingBadge } from './advice-index';
import type { CardContent, Heat } from './card-content';
import type { HighlightMetric } from '../../src/protocol';
import { REMOTE_TEXT, describeGroup, describeNode, highlightOf } from './card-content';
import { formatCompact } from '../../src/core/format';
import type { TreeItem } from './visible-tree';

export const CARD = {
  paddingX: 12,
  /** The heat stripe on the card's left edge. */
  stripe: 4,
  paddingY: 8,
  lineHeight: 18,
  lines: 4,
  minWidth: 200,
  maxWidth: 340,
  /** The time bar on the third line. */
  barWidth: 56,
  gap: 8,
  /** Space around a badge's or button's text, its border included. */
  badgePadding: 14,
  /** The severity icon of a finding badge, and the space after it. */
  badgeIcon: 12,
  badgeIconGap: 3,
  /** The smallest text on a card (body, badges, buttons): what the zoom must keep readable. */
  smallestFont: 12,
} as const;

/**
 * The most measuring done in one idle callback: an idle period can last 50 ms, and input that
 * arrives during it waits for the callback to return.
 */
const IDLE_BUDGET_MS = 5;
/** Nodes measured between looks at the clock. */
const IDLE_SLICE = 100;

export const CARD_HEIGHT = CARD.paddingY * 2 + CARD.lineHeight * CARD.lines;

export interface TextMeasurer {
  title(text: string): number;
  body(text: string): number;
  /** Badges and the buttons on cards. */
  badge(text: string): number;
}

/**
 * Widths in CSS pixels, in the fonts styles/tree.css gives cards: each character measured once on
 * an offscreen canvas, a string then the sum of its characters. Ignoring kerning costs a pixel or
 * two; measuring every string instead costs most of the time of laying out thousands of cards.
 */
export function canvasTextMeasurer(fontFamily: string): TextMeasurer {
  const context = document.createElement('canvas').getContext('2d')!;
  const inFont = (font: string) => {
    // Plan text is almost all Latin-1 (digits, letters, "·", "×"), so those widths sit in an array
    // indexed by code: expanding a family of thousands of cards looks up millions of characters,
    // and a Map lookup for each was most of the time of sizing them.
    const latin1 = new Float64Array(256).fill(NaN);
    const others = new Map<number, number>();
    const measureChar = (text: string, i: number) => {
      context.font = font;
      return context.measureText(text[i]).width;
    };
    return (text: string) => {
      let width = 0;
      for (let i = 0; i < text.length; i++) {
        const code = text.charCodeAt(i);
        if (code < 256) {
          let charWidth = latin1[code];
          if (Number.isNaN(charWidth)) {
            charWidth = latin1[code] = measureChar(text, i);
          }
          width += charWidth;
        } else {
          let charWidth = others.get(code);
          if (charWidth === undefined) {
            charWidth = measureChar(text, i);
            others.set(code, charWidth);
          }
          width += charWidth;
        }
      }
      return width;
    };
  };
  return {
    title: inFont(`600 13px ${fontFamily}`),
    body: inFont(`12px ${fontFamily}`),
    badge: inFont(`600 12px ${fontFamily}`),
  };
}

/** The text on a card's toggle: "▾" open, "▸ +12" with the number of nodes it hides. */
export function toggleText(hiddenCount: number): string {
  return hiddenCount > 0 ? `▸ +${formatCompact(hiddenCount)}` : '▾';
}

export const SHOW_ALL_TEXT = 'Show all';
export const REGROUP_TEXT = 'Group';

/** The number on a card's finding badge. */
export function badgeText(badge: FindingBadge): string {
  return formatCompact(badge.count);
}

/** Sizes cards and remembers their content, so re-laying out after a click measures only new cards. */
export class CardSizer {
  // By node id, and arrays rather than Maps: a family of thousands of cards looks them all up.
  private readonly contents: Array<CardContent | undefined>;
  /** Widths of the text that never changes on a node's card: its title, and the lines below it (NaN until measured). */
  private readonly titleWidths: Float64Array;
  private readonly bodyWidths: Float64Array;
  /** Widths of badge and button texts, which repeat across cards ("Group", "Show all"). */
  private readonly controlWidths = new Map<string, number>();
  /** Widths of the toggle by the number of nodes it hides: most cards of a large family share a few. */
  private readonly toggleWidths = new Map<number, number>();
  private badges: ReadonlyMap<string, FindingBadge> = new Map();
  private highlight = highlightOf('exclusive');
  /** Nodes to measure while idle, and how far into the first list that has got. */
  private readonly idleQueue: Array<readonly number[]> = [];
  private idleCursor = 0;
  private idleHandle?: number;

  constructor(
    private readonly plan: AnalyzedPlan,
    private readonly measure: TextMeasurer,
  ) {
    const count = plan.nodes.length;
    this.contents = new Array<CardContent | undefined>(count);
    this.titleWidths = new Float64Array(count).fill(NaN);
    this.bodyWidths = new Float64Array(count).fill(NaN);
  }

  content(item: TreeItem): CardContent {
    if (item.kind === 'group') {
      return describeGroup(item.memberIds, this.plan);
    }
    return (this.contents[item.nodeId] ??= describeNode(this.plan.nodes[item.nodeId], this.plan));
  }

  /** What the heat of cards measures. */
  setHighlight(metric: HighlightMetric): void {
    this.highlight = highlightOf(metric);
  }

  /** The card's heat, without formatting the rest of its text (outlines need it for every item). */
  heat(item: TreeItem): Heat {
    const { metric, heat } = this.highlight;
    if (item.kind === 'node') {
      return heat(this.plan.nodes[item.nodeId], this.plan);
    }
    // A group's time is its members' together; by any other measure it is as hot as its hottest member.
    if (metric === 'exclusive') {
      return this.content(item).heat;
    }
    let hottest: Heat = 0;
    for (const id of item.memberIds) {
      hottest = Math.max(hottest, heat(this.plan.nodes[id], this.plan)) as Heat;
    }
    return hottest;
  }

  /**
   * Measures the text of these nodes' cards while the page is idle, a slice at a time, so that
   * showing them later (a group of thousands expanded) finds their widths ready instead of
   * formatting and measuring them all before the next frame. Their content is not kept: most
   * of them are never in view.
   */
  measureWhenIdle(nodeIds: readonly number[]): void {
    if (!this.idleQueue.includes(nodeIds)) {
      this.idleQueue.push(nodeIds);
    }
    if (this.idleHandle === undefined) {
      this.idleHandle = requestIdleCallback((deadline) => this.measureQueued(deadline));
    }
  }

  /** Drops measuring still queued: the plan is being replaced. */
  stopMeasuring(): void {
    if (this.idleHandle !== undefined) {
      cancelIdleCallback(this.idleHandle);
      this.idleHandle = undefined;
    }
    this.idleQueue.length = 0;
    this.idleCursor = 0;
  }

  private measureQueued(deadline: IdleDeadline): void {
    this.idleHandle = undefined;
    const until = performance.now() + Math.min(IDLE_BUDGET_MS, deadline.timeRemaining());
    while (this.idleQueue.length > 0 && performance.now() < until) {
      const ids = this.idleQueue[0];
      // A slice between looks at the clock: reading it for each node would cost more than measuring it.
      const end = Math.min(ids.length, this.idleCursor + IDLE_SLICE);
      for (; this.idleCursor < end; this.idleCursor++) {
        const id = ids[this.idleCursor];
        if (Number.isNaN(this.bodyWidths[id])) {
          this.measureText(id, this.contents[id] ?? describeNode(this.plan.nodes[id], this.plan));
        }
      }
      if (this.idleCursor === ids.length) {
        this.idleQueue.shift();
        this.idleCursor = 0;
      }
    }
    if (this.idleQueue.length > 0) {
      this.idleHandle = requestIdleCallback((next) => this.measureQueued(next));
    }
  }

  /** The finding badges of the items about to be laid out, by item key. */
  setBadges(badges: ReadonlyMap<string, FindingBadge>): void {
    this.badges = badges;
  }

  badge(item: TreeItem): FindingBadge | undefined {
    return this.badges.get(item.key);
  }

  width(item: TreeItem): number {
    let titleWidth: number;
    let bodyWidth: number;
    if (item.kind === 'node') {
      if (Number.isNaN(this.bodyWidths[item.nodeId])) {
        this.measureText(item.nodeId, this.content(item));
      }
      titleWidth = this.titleWidths[item.nodeId];
      bodyWidth = this.bodyWidths[item.nodeId];
    } else {
      const content = this.content(item);
      titleWidth = this.measure.title(content.title);
      bodyWidth = this.bodyWidth(content);
    }
    // The controls change with collapsing (the toggle shows what it hides), so they are measured each time.
    const headWidth = titleWidth + this.controlsWidth(item);
    const width = Math.max(bodyWidth, headWidth) + CARD.stripe + CARD.paddingX * 2;
    return Math.ceil(Math.min(CARD.maxWidth, Math.max(CARD.minWidth, width)));
  }

  /** The finding badge and the buttons beside the title: toggle, Group, Show all. */
  private controlsWidth(item: TreeItem): number {
    // Most plans have a few badges or none: no need to look up thousands of keys in an empty map.
    const badge = this.badges.size > 0 ? this.badges.get(item.key) : undefined;
    const badgeWidth = badge ? this.controlWidth(badgeText(badge)) + CARD.badgeIcon + CARD.badgeIconGap : 0;
    if (item.kind === 'group') {
      return badgeWidth + this.controlWidth(SHOW_ALL_TEXT);
    }
    let width = badgeWidth + (this.plan.nodes[item.nodeId].childIds.length > 0 ? this.toggleWidth(item.hiddenCount) : 0);
    if (item.family === 'expanded' && !item.collapsed) {
      width += this.controlWidth(REGROUP_TEXT);
    }
    return width;
  }

  private measureText(nodeId: number, content: CardContent): void {
    this.titleWidths[nodeId] = this.measure.title(content.title);
    this.bodyWidths[nodeId] = this.bodyWidth(content);
  }

  private toggleWidth(hiddenCount: number): number {
    let width = this.toggleWidths.get(hiddenCount);
    if (width === undefined) {
      width = this.controlWidth(toggleText(hiddenCount));
      this.toggleWidths.set(hiddenCount, width);
    }
    return width;
  }

  private controlWidth(text: string): number {
    let width = this.controlWidths.get(text);
    if (width === undefined) {
      width = CARD.gap + this.measure.badge(text) + CARD.badgePadding;
      this.controlWidths.set(text, width);
    }
    return width;
  }

  /** The widest of the lines below the title. */
  private bodyWidth(content: CardContent): number {
    return Math.max(
      this.measure.body(content.subtitle) + (content.remote ? this.controlWidth(REMOTE_TEXT) : 0),
      content.time ? CARD.barWidth + CARD.gap + this.measure.body(content.time.text) : this.measure.body(content.cost ?? ''),
      this.measure.body(content.rows) +
        (content.misestimate ? CARD.gap + this.measure.badge(content.misestimate.text) + CARD.badgePadding : 0) +
        content.notes.reduce((sum, note) => sum + CARD.gap + this.measure.body(`· ${note}`), 0),
    );
  }
}
