import type { Condition } from '../specs/conditions.ts';
import type { EnvironmentStatus } from '../specs/status.ts';
import type { EnvironmentEvent, Page, StoredEnvironment } from '../specs/store/types.ts';
import { Api, canOperate, type Whoami } from './api.ts';
import { cellView } from './cell-view.ts';
import { fill, h } from './dom.ts';
import { follow } from './sse.ts';
import { declaredTiers, environmentCell, plansAwaitingApproval, tierCell, TIERS, verifiedCell } from './state.ts';

// One environment: spec summary, conditions per tier, outputs, last plans, verification, events, and the operate
// buttons for tokens allowed to use them. Live from the environment's own watch stream.

export interface EnvPageDeps {
  api: Api;
  who: Whoami | undefined;
  token: () => string | undefined;
  onRefused: () => void;
  setLive: (live: boolean, retryInMs?: number) => void;
}

const path = (name: string) => `/v1/environments/${encodeURIComponent(name)}`;
const when = (iso?: string) => (iso ? new Date(iso).toLocaleString() : '—');
const changes = (p: { add: number; change: number; destroy: number }) => `${p.add} to add, ${p.change} to change, ${p.destroy} to destroy`;

function conditionsTable(conditions: readonly Condition[], caption: string): HTMLElement {
  if (conditions.length === 0) return h('p', {}, 'No conditions yet.');
  return h('div', { class: 'scroll' }, h('table', { class: 'conditions' },
    h('caption', { class: 'visually-hidden' }, caption),
    h('thead', {}, h('tr', {}, ['Type', 'Status', 'Reason', 'Message', 'Since'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, conditions.map((c) => h('tr', {},
      h('th', { scope: 'row' }, c.type), h('td', {}, c.status), h('td', {}, c.reason), h('td', { class: 'message' }, c.message), h('td', {}, when(c.lastTransitionTime)))))));
}

function definitions(entries: [string, Node | string | number | undefined][]): HTMLElement {
  return h('dl', { class: 'facts' }, entries.filter(([, v]) => v !== undefined && v !== '').flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v as Node | string)]));
}

function specSummary(env: StoredEnvironment): HTMLElement {
  const { spec, metadata } = env;
  const labels = Object.entries(metadata.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(', ');
  return h('section', { 'aria-labelledby': 'spec-h' }, h('h2', { id: 'spec-h' }, 'Spec'), definitions([
    ['Target', spec.target],
    ['Approval', spec.approval ?? 'auto'],
    ['Suspended', spec.suspend ? 'yes' : 'no'],
    ['Labels', labels || 'none'],
    ['Tiers', declaredTiers(env).join(', ') || 'none'],
    ['Generation', `${metadata.generation ?? 0} (observed ${env.status.observedGeneration ?? '—'})`],
    ['Drift detection', spec.driftDetection ? `${spec.driftDetection.enabled ? 'every' : 'off,'} ${spec.driftDetection.interval ?? ''}`.trim() : undefined],
    ['Verification', spec.verify ? (spec.verify.baseUrl ?? 'from the tier outputs') : 'none'],
    ['Deleting since', metadata.deletionTimestamp ? when(metadata.deletionTimestamp) : undefined],
  ]));
}

function tiersSection(env: StoredEnvironment): HTMLElement {
  const tiers = TIERS.filter((t) => env.spec[t] !== undefined || env.status.tiers[t]);
  return h('section', { 'aria-labelledby': 'tiers-h' }, h('h2', { id: 'tiers-h' }, 'Tiers'), tiers.map((tier) => {
    const s = env.status.tiers[tier];
    const outputs = Object.entries(s?.outputs ?? {});
    return h('article', { class: 'tier', 'data-tier': tier },
      h('h3', {}, tier, ' ', cellView(tierCell(env, tier), tier)),
      definitions([
        ['Last plan', s?.lastPlan ? `${s.lastPlan.id}: ${changes(s.lastPlan)}` : 'none'],
        ['Last applied', when(s?.lastAppliedAt)],
        ['Last checked', s?.lastCheckedAt ? when(s.lastCheckedAt) : undefined],
      ]),
      conditionsTable(s?.conditions ?? [], `${tier} conditions`),
      outputs.length > 0 && h('details', {}, h('summary', {}, `Outputs (${outputs.length})`),
        definitions(outputs.map(([k, v]) => [k, h('code', {}, typeof v === 'string' ? v : JSON.stringify(v))]))));
  }));
}

function verificationSection(env: StoredEnvironment): HTMLElement {
  const v = env.status.verification;
  const ms = (m?: { p50: number; p99: number }) => (m ? `${Math.round(m.p50)} / ${Math.round(m.p99)} ms` : '—');
  return h('section', { 'aria-labelledby': 'verify-h' }, h('h2', { id: 'verify-h' }, 'Verification ', cellView(verifiedCell(env), 'verified')),
    !v ? h('p', {}, env.spec.verify ? 'Not run yet.' : 'No spec.verify: nothing is checked.') : [
      definitions([['Ran', when(v.ranAt)], ['Took', `${Math.round(v.durationMs)} ms`], ['Result', v.passed ? 'passed' : 'failed'], ['Generation', v.observedGeneration]]),
      h('div', { class: 'scroll' }, h('table', {},
        h('caption', { class: 'visually-hidden' }, 'Checks of the last verification'),
        h('thead', {}, h('tr', {}, ['Check', 'Result', 'HTTP', 'Connections', 'Connect p50 / p99', 'Round trip p50 / p99', 'Took', 'Message'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, v.checks.map((c) => h('tr', {},
          h('th', { scope: 'row' }, `${c.kind} ${c.url}`),
          h('td', {}, c.passed ? 'passed' : `failed (${c.reason ?? 'no reason'})`),
          h('td', {}, c.httpStatus ?? '—'),
          h('td', {}, c.connections !== undefined ? `${c.connectionsHeld ?? c.connections} of ${c.connections}` : '—'),
          h('td', {}, ms(c.connectMs)), h('td', {}, ms(c.roundTripMs)),
          h('td', {}, `${Math.round(c.durationMs)} ms`), h('td', { class: 'message' }, c.message)))))),
    ]);
}

function eventsSection(events: EnvironmentEvent[]): HTMLElement {
  return h('section', { 'aria-labelledby': 'events-h' }, h('h2', { id: 'events-h' }, 'Events'),
    events.length === 0 ? h('p', {}, 'No events yet.') : h('div', { class: 'scroll' }, h('table', { class: 'events' },
      h('caption', { class: 'visually-hidden' }, 'Run history, newest first'),
      h('thead', {}, h('tr', {}, ['Time', 'Tier', 'Action', 'Outcome', 'Changes', 'Took', 'Message'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, events.map((e) => h('tr', {},
        h('td', {}, when(e.time)), h('td', {}, e.tier ?? '—'), h('td', {}, e.action), h('td', {}, e.outcome),
        h('td', {}, e.changes ? `+${e.changes.add} ~${e.changes.change} −${e.changes.destroy}` : '—'),
        h('td', {}, e.durationMs !== undefined ? `${(e.durationMs / 1000).toFixed(1)} s` : '—'),
        h('td', { class: 'message' }, e.message ?? '')))))));
}

export function renderEnvironment(root: HTMLElement, name: string, deps: EnvPageDeps): () => void {
  const { api } = deps;
  let env: StoredEnvironment | undefined;
  let events: EnvironmentEvent[] = [];
  let actionsKey = '';
  const heading = h('h1', { tabindex: -1 }, name);
  const badge = h('span', { class: 'badge' });
  const notice = h('p', { class: 'notice', role: 'status', 'aria-live': 'polite' });
  const actions = h('div', { class: 'actions', role: 'group', 'aria-label': 'Operations' });
  const body = h('div');
  const dialog = h('dialog', { 'aria-labelledby': 'approve-h' });
  fill(root, h('p', {}, h('a', { href: '#/' }, '← All environments')), h('header', { class: 'env-head' }, heading, badge), notice, actions, body, dialog);

  const act = async (label: string, run: () => Promise<unknown>) => {
    notice.textContent = `${label}…`;
    try {
      await run();
      notice.textContent = `${label}: accepted; the controller acts on it now.`;
    } catch (err) {
      notice.textContent = `${label} failed: ${(err as Error).message}`;
    }
  };

  function confirmApproval(plan: ReturnType<typeof plansAwaitingApproval>[number]): void {
    fill(dialog,
      h('h2', { id: 'approve-h' }, `Approve the ${plan.tier} plan?`),
      definitions([['Plan', h('code', { class: 'plan-id' }, plan.id)], ['Add', plan.add], ['Change', plan.change], ['Destroy', plan.destroy]]),
      h('p', {}, `Terraform applies exactly this plan: ${changes(plan)}.`),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'primary', onclick: () => {
          dialog.close();
          void act(`Approve plan ${plan.id}`, () => api.post(`${path(name)}/approve`, { planId: plan.id }));
        } }, 'Approve and apply'),
        h('button', { type: 'button', onclick: () => dialog.close() }, 'Cancel')));
    dialog.showModal();
  }

  function renderActions(current: StoredEnvironment): void {
    if (!canOperate(deps.who)) return void (actions.hidden = true);
    const plans = plansAwaitingApproval(current);
    const key = JSON.stringify([current.spec.suspend, plans, !!current.metadata.deletionTimestamp]);
    if (key === actionsKey) return; // rebuilding would take the keyboard focus away from a button
    actionsKey = key;
    fill(actions,
      plans.map((plan) => h('button', { type: 'button', class: 'primary', 'data-plan': plan.id, onclick: () => confirmApproval(plan) }, `Review plan ${plan.id} (${plan.tier})…`)),
      h('button', { type: 'button', onclick: () => void act('Reconcile', () => api.post(`${path(name)}/reconcile`)) }, 'Reconcile now'),
      current.spec.suspend
        ? h('button', { type: 'button', onclick: () => void act('Resume', () => api.post(`${path(name)}/resume`)) }, 'Resume')
        : h('button', { type: 'button', onclick: () => void act('Suspend', () => api.post(`${path(name)}/suspend`)) }, 'Suspend'));
  }

  function render(): void {
    if (!env) return;
    const overall = environmentCell(env);
    fill(badge, cellView(overall, `${name} overall`));
    renderActions(env);
    // Every live update rebuilds the body: keep what the reader had open and where the keyboard was, by position.
    const focusables = () => [...body.querySelectorAll<HTMLElement>('[tabindex="0"], summary, a, button')];
    const focused = focusables().indexOf(document.activeElement as HTMLElement);
    const open = [...body.querySelectorAll('details')].map((d) => d.open);
    fill(body,
      specSummary(env),
      h('section', { 'aria-labelledby': 'conds-h' }, h('h2', { id: 'conds-h' }, 'Conditions'), conditionsTable(env.status.conditions, 'Environment conditions')),
      tiersSection(env),
      verificationSection(env),
      eventsSection(events));
    body.querySelectorAll('details').forEach((d, i) => void (open[i] && (d.open = true)));
    if (focused >= 0) focusables()[focused]?.focus();
  }

  // Status changes arrive on the stream; the spec and events are read again with each (they change with it).
  let loading: Promise<void> | undefined;
  let again = false;
  const load = async (): Promise<void> => {
    if (loading) return void (again = true);
    loading = (async () => {
      try {
        const [doc, page] = await Promise.all([api.get<StoredEnvironment>(path(name)), api.get<Page<EnvironmentEvent>>(`${path(name)}/events?limit=50`)]);
        env = doc;
        events = page.items;
        render();
      } catch (err) {
        notice.textContent = `Could not read environment ${name}: ${(err as Error).message}`;
      }
    })();
    await loading;
    loading = undefined;
    if (again) (again = false), await load();
  };

  const stop = follow({
    url: `${path(name)}/watch`,
    token: deps.token,
    onRefused: deps.onRefused,
    onConnection: deps.setLive,
    onGone: () => {
      notice.textContent = `There is no environment named ${name}.`;
      env = undefined;
      fill(body);
      actions.hidden = true;
    },
    onMessage: ({ event, data }) => {
      if (event === 'deleted') {
        notice.textContent = `Environment ${name} was deleted.`;
        env = undefined;
        fill(body);
        actions.hidden = true;
        return;
      }
      if (event === 'status' && env) {
        env = { ...env, status: JSON.parse(data) as EnvironmentStatus };
        render();
      }
      void load();
    },
  });
  return () => {
    stop();
    if (dialog.open) dialog.close();
  };
}
