/**
 * Card geometry, and card widths from canvas-measured character widths: asking the DOM for the
 * size of thousands of cards (getBBox, offsetWidth) would force a layout for each.
 * The numbers here and in styles/tree.css describe the same card; keep them together.
 */
import type { AnalyzedPlan } from '../../src/core/plan/model';
import type { FindingBadge } from './advice-index';
import type { CardContent } from './card-content';
import { describeGroup, describeNode } from './card-content';
import { formatCompact } from './format';
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
} as const;

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
    const widths = new Map<number, number>();
    return (text: string) => {
      let width = 0;
      for (let i = 0; i < text.length; i++) {
        const code = text.charCodeAt(i);
        let charWidth = widths.get(code);
        if (charWidth === undefined) {
          context.font = font;
          charWidth = context.measureText(text[i]).width;
          widths.set(code, charWidth);
        }
        width += charWidth;
      }
      return width;
    };
  };
  return {
    title: inFont(`600 13px ${fontFamily}`),
    body: inFont(`12px ${fontFamily}`),
    badge: inFont(`600 11px ${fontFamily}`),
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
  private readonly contents = new Map<number, CardContent>();
  private readonly bodyWidths = new Map<number, number>();
  private badges: ReadonlyMap<string, FindingBadge> = new Map();

  constructor(
    private readonly plan: AnalyzedPlan,
    private readonly measure: TextMeasurer,
  ) {}

  content(item: TreeItem): CardContent {
    if (item.kind === 'group') {
      return describeGroup(item.memberIds, this.plan);
    }
    let content = this.contents.get(item.nodeId);
    if (!content) {
      content = describeNode(this.plan.nodes[item.nodeId], this.plan);
      this.contents.set(item.nodeId, content);
    }
    return content;
  }

  /** The finding badges of the items about to be laid out, by item key. */
  setBadges(badges: ReadonlyMap<string, FindingBadge>): void {
    this.badges = badges;
  }

  badge(item: TreeItem): FindingBadge | undefined {
    return this.badges.get(item.key);
  }

  width(item: TreeItem): number {
    const content = this.content(item);
    let bodyWidth = item.kind === 'node' ? this.bodyWidths.get(item.nodeId) : undefined;
    if (bodyWidth === undefined) {
      bodyWidth = this.bodyWidth(content);
      if (item.kind === 'node') {
        this.bodyWidths.set(item.nodeId, bodyWidth);
      }
    }
    // The head changes with collapsing (the toggle shows what it hides), so it is measured each time.
    const headWidth = this.measure.title(content.title) + this.controlsWidth(item);
    const width = Math.max(bodyWidth, headWidth) + CARD.stripe + CARD.paddingX * 2;
    return Math.ceil(Math.min(CARD.maxWidth, Math.max(CARD.minWidth, width)));
  }

  /** The finding badge and the buttons beside the title: toggle, Group, Show all. */
  private controlsWidth(item: TreeItem): number {
    const control = (text: string) => CARD.gap + this.measure.badge(text) + CARD.badgePadding;
    const badge = this.badges.get(item.key);
    const badgeWidth = badge ? control(badgeText(badge)) + CARD.badgeIcon + CARD.badgeIconGap : 0;
    if (item.kind === 'group') {
      return badgeWidth + control(SHOW_ALL_TEXT);
    }
    let width = badgeWidth + (this.plan.nodes[item.nodeId].childIds.length > 0 ? control(toggleText(item.hiddenCount)) : 0);
    if (item.family === 'expanded' && !item.collapsed) {
      width += control(REGROUP_TEXT);
    }
    return width;
  }

  /** The widest of the lines below the title. */
  private bodyWidth(content: CardContent): number {
    return Math.max(
      this.measure.body(content.subtitle),
      content.time ? CARD.barWidth + CARD.gap + this.measure.body(content.time.text) : this.measure.body(content.cost ?? ''),
      this.measure.body(content.rows) +
        (content.misestimate ? CARD.gap + this.measure.badge(content.misestimate.text) + CARD.badgePadding : 0) +
        content.notes.reduce((sum, note) => sum + CARD.gap + this.measure.body(`· ${note}`), 0),
    );
  }
}
