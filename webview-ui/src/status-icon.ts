/**
 * Severity icons (and a check for an index created), drawn as SVG in the page's own colours
 * after the outline icons of VS Code's Problems view: circle with a cross, triangle with "!",
 * circle with "i". Built as DOM: the page loads no icon font and allows no inline markup.
 */
import type { Severity } from '../../src/core/advice/advice-model';

const SVG_NS = 'http://www.w3.org/2000/svg';

function shape<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string | number>): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) {
    element.setAttribute(name, String(value));
  }
  return element;
}

const STROKE = { fill: 'none', stroke: 'currentColor', 'stroke-width': 1.5, 'stroke-linecap': 'round', 'stroke-linejoin': 'round' };

export type IconKind = Severity | 'done';

const SHAPES: Record<IconKind, () => SVGElement[]> = {
  critical: () => [
    shape('circle', { cx: 8, cy: 8, r: 6.25, ...STROKE }),
    shape('path', { d: 'M5.9 5.9l4.2 4.2M10.1 5.9l-4.2 4.2', ...STROKE }),
  ],
  warning: () => [
    shape('path', { d: 'M8 1.9l6.4 11.4H1.6z', ...STROKE }),
    shape('path', { d: 'M8 6.2v3.3', ...STROKE }),
    shape('circle', { cx: 8, cy: 11.4, r: 0.9, fill: 'currentColor' }),
  ],
  info: () => [
    shape('circle', { cx: 8, cy: 8, r: 6.25, ...STROKE }),
    shape('path', { d: 'M8 7.3v4', ...STROKE }),
    shape('circle', { cx: 8, cy: 4.9, r: 0.9, fill: 'currentColor' }),
  ],
  done: () => [shape('circle', { cx: 8, cy: 8, r: 6.25, ...STROKE }), shape('path', { d: 'M5.2 8.2l2 2 3.8-4.2', ...STROKE })],
};

/** A 16×16 icon that takes the colour of its text; decorative, so hidden from screen readers (the text says it). */
export function statusIcon(kind: IconKind, className = 'status-icon'): SVGSVGElement {
  const svg = shape('svg', { viewBox: '0 0 16 16', width: 16, height: 16, 'aria-hidden': 'true', focusable: 'false' });
  svg.classList.add(...className.split(' '), kind);
  svg.append(...SHAPES[kind]());
  return svg;
}
