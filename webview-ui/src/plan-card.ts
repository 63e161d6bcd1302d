/** The DOM of one card: a plan node, or a group of folded siblings. */
import type { FindingBadge } from './advice-index';
import { describeBadge } from './advice-text';
import { REMOTE_TEXT, type CardContent } from './card-content';
import { REGROUP_TEXT, SHOW_ALL_TEXT, badgeText, toggleText } from './card-size';
import { button, el } from './dom';
import { statusIcon } from './status-icon';
import type { TreeItem } from './visible-tree';

export function cardElementId(key: string): string {
  return `card-${key}`;
}

/** The count and highest severity of the findings a card draws, coloured by that severity. */
function findingBadge(badge: FindingBadge): HTMLSpanElement {
  const element = el('span', `finding-badge ${badge.highest}`);
  element.dataset.severity = badge.highest;
  element.dataset.count = String(badge.count);
  element.classList.toggle('hidden-findings', badge.hidden === badge.count);
  const description = describeBadge(badge);
  element.title = description;
  element.setAttribute('role', 'img');
  element.setAttribute('aria-label', description);
  element.append(statusIcon(badge.highest, 'badge-icon'), el('span', 'badge-count', badgeText(badge)));
  return element;
}

/** The mark of a node that ran on another server; `where` says which. */
export function remoteBadge(where: string): HTMLSpanElement {
  const badge = el('span', 'remote-badge', REMOTE_TEXT);
  badge.title = where;
  badge.setAttribute('aria-label', `${REMOTE_TEXT}: ${where}`);
  return badge;
}

export function createCard(item: TreeItem, content: CardContent, hasChildren: boolean, badge?: FindingBadge): HTMLDivElement {
  const card = el('div', `card heat-${content.heat}`);
  card.id = cardElementId(item.key);
  card.setAttribute('role', 'treeitem');
  card.setAttribute('aria-level', String(item.depth + 1));
  card.style.transform = `translate(${item.x}px, ${item.y}px)`;
  card.style.width = `${item.width}px`;
  card.style.height = `${item.height}px`;

  const head = el('div', 'card-head');
  head.append(el('span', 'card-title', content.title));
  if (badge) {
    head.append(findingBadge(badge));
  }
  if (item.kind === 'group') {
    card.classList.add('group');
    card.dataset.groupId = String(item.parentId);
    head.append(button('card-show-all', SHOW_ALL_TEXT, `Show all ${item.memberIds.length} folded nodes`));
  } else {
    card.dataset.nodeId = String(item.nodeId);
    if (item.family === 'expanded' && !item.collapsed) {
      head.append(button('card-regroup', REGROUP_TEXT, 'Fold these children into a group again'));
    }
    if (hasChildren) {
      head.append(button('card-toggle', toggleText(item.hiddenCount), item.collapsed ? 'Expand' : 'Collapse'));
      card.setAttribute('aria-expanded', String(!item.collapsed));
      card.classList.toggle('collapsed', item.collapsed);
    }
  }
  // The tree takes the keyboard as a whole; its buttons are for the mouse.
  for (const control of head.querySelectorAll('button')) {
    control.tabIndex = -1;
  }
  const sub = el('div', 'card-sub', content.subtitle);
  if (content.remote) {
    sub.prepend(remoteBadge(content.remote));
  }
  card.append(head, sub);

  if (content.time) {
    const line = el('div', 'card-time');
    const bar = el('span', 'bar');
    const fill = el('span', 'bar-fill');
    fill.style.width = `${Math.min(100, content.time.share * 100)}%`;
    bar.append(fill);
    line.append(bar, el('span', 'time-text', content.time.text));
    card.append(line);
  } else {
    card.append(el('div', 'card-cost', content.cost ?? ''));
  }

  const rows = el('div', 'card-rows');
  rows.append(el('span', content.neverExecuted ? 'never-executed' : 'rows-text', content.rows));
  if (content.misestimate) {
    rows.append(el('span', `misestimate ${content.misestimate.direction}`, content.misestimate.text));
  }
  for (const note of content.notes) {
    rows.append(el('span', 'note', `· ${note}`));
  }
  card.append(rows);
  card.classList.toggle('never', content.neverExecuted);
  return card;
}
