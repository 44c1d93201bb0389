import { h } from './dom.ts';
import type { Cell } from './state.ts';

let next = 0;

/**
 * A state as a focusable badge: its text says the state, its colour repeats it, and the reason shows on hover and
 * on keyboard focus (a tooltip the badge names with aria-describedby, so screen readers read it too).
 */
export function cellView(cell: Cell, name: string): HTMLElement {
  const el = h('span', { class: 'cell', tabindex: 0 });
  updateCell(el, cell, name);
  return el;
}

export function updateCell(el: HTMLElement, cell: Cell, name: string): void {
  const id = el.dataset.tip ?? `tip-${++next}`;
  el.dataset.tip = id;
  el.dataset.state = cell.state;
  el.className = `cell state-${cell.state}`;
  el.setAttribute('aria-describedby', id);
  el.setAttribute('aria-label', `${name}: ${cell.label}`);
  el.replaceChildren(h('span', { class: 'label', 'aria-hidden': 'true' }, cell.label), h('span', { class: 'tip', role: 'tooltip', id }, cell.detail));
}
