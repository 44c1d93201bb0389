import type { StoredEnvironment } from '../specs/store/types.ts';
import { h, fill } from './dom.ts';
import { cellView, updateCell } from './cell-view.ts';
import { follow } from './sse.ts';
import { COUNTED, countStates, environmentCell, LABELS, tierCell, TIERS, verifiedCell } from './state.ts';

// Every environment (rows) by tier (columns) plus Verified, live from GET /v1/watch.

interface Row {
  env: StoredEnvironment;
  tr: HTMLTableRowElement;
  overall: HTMLElement;
  target: HTMLElement;
  cells: HTMLElement[];
}

export interface OverviewDeps {
  token: () => string | undefined;
  onRefused: () => void;
  setLive: (live: boolean, retryInMs?: number) => void;
}

/** `app=chat,stage=dev`: every pair must be among the labels. Malformed pairs match nothing (and are shown so). */
export function parseLabelFilter(text: string): { pairs: [string, string][]; error?: string } {
  const pairs: [string, string][] = [];
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [key, value, extra] = part.split('=').map((s) => s.trim());
    if (!key || value === undefined || extra !== undefined) return { pairs, error: `"${part}" is not key=value` };
    pairs.push([key, value]);
  }
  return { pairs };
}

export function renderOverview(root: HTMLElement, deps: OverviewDeps): () => void {
  const rows = new Map<string, Row>();
  const counts = h('ul', { class: 'counts', 'aria-label': 'Environments by state' });
  const summary = h('p', { class: 'summary', role: 'status' }, 'Loading environments…');
  const labelInput = h('input', { id: 'filter-label', type: 'search', placeholder: 'app=chat,stage=dev', autocomplete: 'off', spellcheck: 'false' });
  const labelError = h('span', { id: 'filter-label-error', class: 'field-error', 'aria-live': 'polite' });
  labelInput.setAttribute('aria-describedby', 'filter-label-error');
  const targetSelect = h('select', { id: 'filter-target' }, h('option', { value: '' }, 'all targets'));
  const tbody = h('tbody');
  const table = h('table', { class: 'grid' },
    h('caption', { class: 'visually-hidden' }, 'Environments by tier; focus a state for its reason'),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'Environment'),
      h('th', { scope: 'col' }, 'Target'),
      ...TIERS.map((t) => h('th', { scope: 'col' }, t)),
      h('th', { scope: 'col' }, 'Verified'))),
    tbody);

  fill(root,
    h('h1', { tabindex: -1 }, 'Environments'),
    counts,
    h('form', { class: 'filters', role: 'search', onsubmit: (e: Event) => e.preventDefault() },
      h('label', { for: 'filter-label' }, 'Labels'), labelInput, labelError,
      h('label', { for: 'filter-target' }, 'Target'), targetSelect),
    summary,
    // No scrolling box around it (it would clip the reasons' tooltips): narrow screens get cards instead.
    table);

  const matches = (env: StoredEnvironment, pairs: [string, string][], target: string) =>
    (!target || env.spec.target === target) && pairs.every(([k, v]) => env.metadata.labels?.[k] === v);

  function refresh(): void {
    const { pairs, error } = parseLabelFilter(labelInput.value);
    labelError.textContent = error ?? '';
    labelInput.setAttribute('aria-invalid', error ? 'true' : 'false');
    const target = targetSelect.value;
    const shown: StoredEnvironment[] = [];
    for (const row of rows.values()) {
      const visible = !error && matches(row.env, pairs, target);
      row.tr.hidden = !visible;
      if (visible) shown.push(row.env);
    }
    const n = countStates(shown);
    fill(counts, COUNTED.filter((s) => n[s] > 0 || s === 'ready' || s === 'failed').map((s) =>
      h('li', { class: `count state-${s}`, 'data-state': s }, h('strong', {}, n[s]), ` ${LABELS[s]}`)));
    summary.textContent = rows.size === 0 ? 'No environments yet.' : `${shown.length} of ${rows.size} environments shown.`;
    // Targets seen so far, keeping the choice.
    const targets = [...new Set([...rows.values()].map((r) => r.env.spec.target))].sort();
    const have = [...targetSelect.options].slice(1).map((o) => o.value);
    if (targets.join() !== have.join()) {
      fill(targetSelect, h('option', { value: '' }, 'all targets'), targets.map((t) => h('option', { value: t }, t)));
      targetSelect.value = targets.includes(target) ? target : '';
    }
  }

  function upsert(env: StoredEnvironment): void {
    const name = env.metadata.name;
    let row = rows.get(name);
    if (!row) {
      const overall = cellView(environmentCell(env), `${name} overall`);
      const target = h('td', { class: 'target', 'data-label': 'target' });
      const cells = [...TIERS.map((t) => cellView(tierCell(env, t), `${name} ${t}`)), cellView(verifiedCell(env), `${name} verified`)];
      const tr = h('tr', { 'data-env': name },
        h('th', { scope: 'row' }, h('a', { href: `#/env/${encodeURIComponent(name)}` }, name), ' ', overall),
        target,
        cells.map((c, i) => {
          const column = i < TIERS.length ? TIERS[i] : 'verified';
          return h('td', { 'data-tier': column, 'data-label': column }, c);
        }));
      row = { env, tr, overall, target, cells };
      rows.set(name, row);
      const after = [...rows.keys()].sort().find((n) => n > name);
      tbody.insertBefore(tr, after ? rows.get(after)!.tr : null);
    }
    row.env = env;
    row.target.textContent = env.spec.target;
    updateCell(row.overall, environmentCell(env), `${name} overall`);
    TIERS.forEach((t, i) => updateCell(row.cells[i], tierCell(env, t), `${name} ${t}`));
    updateCell(row.cells[TIERS.length], verifiedCell(env), `${name} verified`);
  }

  function remove(name: string): void {
    rows.get(name)?.tr.remove();
    rows.delete(name);
  }

  labelInput.addEventListener('input', refresh);
  targetSelect.addEventListener('change', refresh);

  let synced = new Set<string>();
  let syncing = false;
  const stop = follow({
    url: '/v1/watch',
    token: deps.token,
    onRefused: deps.onRefused,
    onConnection: (live, retry) => {
      // A reconnect sends everything again: rows it does not mention were removed meanwhile.
      if (live) (syncing = true), (synced = new Set());
      deps.setLive(live, retry);
    },
    onMessage: ({ event, data }) => {
      const body = JSON.parse(data) as StoredEnvironment & { name?: string; count?: number };
      if (event === 'environment') {
        upsert(body);
        if (syncing) synced.add(body.metadata.name);
      } else if (event === 'deleted' && body.name) remove(body.name);
      else if (event === 'synced') {
        for (const name of [...rows.keys()]) if (!synced.has(name)) remove(name);
        syncing = false;
      }
      refresh();
    },
  });
  return stop;
}
