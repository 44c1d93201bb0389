import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page, type Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { devEnvironment } from '../constructs/testing/fixtures.ts';
import type { ControlPlane } from '../server/main.ts';
import type { StoredEnvironment } from '../specs/store/types.ts';
import { runTerrace } from './support/cli.ts';
import { startTestControlPlane } from './support/control-plane.ts';
import { tempDir } from './support/store.ts';

// The dashboard in Debian's Chromium against the real control plane on loopback (embedded store, local target,
// real terraform). One browser and one control plane for the whole file.

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const SHOTS = join(ROOT, 'test-results', 'dashboard');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let dir: ReturnType<typeof tempDir>;
let plane: ControlPlane;
let admin: Record<string, string>;
let adminToken: string;
let browser: Browser;
const tokens: Record<'read' | 'operate', string> = { read: '', operate: '' };

/** `npm test` builds first; a run of this file alone rebuilds when web/ is newer than the build. */
async function ensureBuilt(): Promise<void> {
  const built = join(ROOT, 'dist/web/main.js');
  const newest = Math.max(...readdirSync(join(ROOT, 'web')).map((f) => statSync(join(ROOT, 'web', f)).mtimeMs));
  if (existsSync(built) && statSync(built).mtimeMs >= newest) return;
  const { buildAll } = (await import('../cli/build.mjs' as string)) as { buildAll(o: { quiet: boolean }): Promise<void> };
  await buildAll({ quiet: true });
}

async function api<T = StoredEnvironment>(method: string, path: string, body?: unknown): Promise<T> {
  const headers = body === undefined ? { authorization: admin.authorization } : admin; // no JSON type without a body
  const res = await fetch(`${plane.url}/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  expect(res.status, `${method} ${path}: ${await res.clone().text()}`).toBeLessThan(300);
  return (await res.json()) as T;
}

/** A tab signed in with `token` through the fragment, as `terrace dashboard` opens it. */
async function signedIn(token: string, route = '', viewport = { width: 1280, height: 900 }): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error(`page error: ${err.message}`));
  await page.goto(`${plane.url}/#token=${encodeURIComponent(token)}${route ? `&${route}` : ''}`);
  return { context, page };
}

const cell = (page: Page, env: string, tier: string) => page.locator(`tr[data-env="${env}"] td[data-tier="${tier}"] .cell`);
const waitState = (page: Page, env: string, tier: string, state: string, timeout = 30_000) =>
  page.waitForFunction(([e, t, s]) => document.querySelector(`tr[data-env="${e}"] td[data-tier="${t}"] .cell`)?.getAttribute('data-state') === s, [env, tier, state], { timeout });

beforeAll(async () => {
  await ensureBuilt();
  mkdirSync(SHOTS, { recursive: true });
  dir = tempDir('terrace-dashboard-');
  const started = await startTestControlPlane(dir.path);
  plane = started.plane;
  admin = started.headers;
  adminToken = started.token;
  for (const scope of ['read', 'operate'] as const) {
    tokens[scope] = (await api<{ token: string }>('POST', '/tokens', { name: `dashboard-${scope}`, scopes: [scope] })).token;
  }
  // launch() starts Chromium with a fresh user-data-dir of its own (it refuses --user-data-dir), removed at close.
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
  await plane?.stop();
  dir?.remove();
});

describe('dashboard', () => {
  it('opens signed in from `terrace dashboard`, the token leaves the URL, and a new environment turns Ready tier by tier live', async () => {
    const printed = await runTerrace(['dashboard', '--no-open', '--server', plane.url, '--token', adminToken], { ...process.env, NO_COLOR: '1' }, 20_000);
    expect(printed.code, printed.stderr).toBe(0);
    const url = printed.stdout.trim();
    expect(url).toBe(`${plane.url}/#token=${encodeURIComponent(adminToken)}`);
    expect(printed.stderr).toContain('holds the token of admin');

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    // A CSP violation, a failed load or a script error shows here.
    const consoleErrors: string[] = [];
    page.on('console', (m) => void (m.type() === 'error' && consoleErrors.push(m.text())));
    page.on('pageerror', (err) => consoleErrors.push(err.message));
    await page.goto(url);
    await page.getByRole('heading', { name: 'Environments' }).waitFor();
    expect(page.url()).toBe(`${plane.url}/`);
    expect(await page.evaluate(() => sessionStorage.getItem('terrace.token'))).toBe(adminToken);
    expect(requests.filter((r) => r.includes(encodeURIComponent(adminToken)) || r.includes(adminToken))).toEqual([]);

    // Every state each cell of the new row shows, in order, as the page renders it; `seen` lives as long as the document.
    await page.evaluate(() => {
      const seen: [string, string][] = [];
      (window as unknown as { seen: typeof seen }).seen = seen;
      const last = new Map<string, string>();
      const record = (el: Element) => {
        const tier = el.closest('td')?.getAttribute('data-tier') ?? (el.closest('th') ? 'overall' : undefined);
        const state = el.getAttribute('data-state');
        if (!tier || !state || el.closest('tr')?.getAttribute('data-env') !== 'chat-live' || last.get(tier) === state) return;
        last.set(tier, state);
        seen.push([tier, state]);
      };
      new MutationObserver((list) => {
        for (const m of list) {
          if (m.type === 'attributes') record(m.target as Element);
          for (const n of m.addedNodes) if (n instanceof Element) n.querySelectorAll('.cell').forEach(record);
        }
      }).observe(document.querySelector('tbody')!, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
    });
    await api('POST', '/environments', devEnvironment('chat-live', (s) => {
      delete s.data;
      delete s.observability;
      // A real HTTP check, against the control plane itself (local tiers serve nothing).
      s.verify = { baseUrl: plane.url, http: [{ path: '/healthz' }] };
    }));
    await page.locator('tr[data-env="chat-live"]').waitFor();
    // Mid-way: network Ready while compute, which needs it, is not yet.
    await page.waitForFunction(() => {
      const state = (t: string) => document.querySelector(`tr[data-env="chat-live"] td[data-tier="${t}"] .cell`)?.getAttribute('data-state');
      return state('network') === 'ready' && state('compute') !== 'ready';
    }, undefined, { timeout: 30_000 });
    await page.screenshot({ path: join(SHOTS, 'overview-midway.png'), fullPage: true });
    await waitState(page, 'chat-live', 'compute', 'ready');
    await waitState(page, 'chat-live', 'frontend', 'ready');
    await waitState(page, 'chat-live', 'verified', 'ready');
    await page.waitForFunction(() => document.querySelector('tr[data-env="chat-live"] th .cell')?.getAttribute('data-state') === 'ready', undefined, { timeout: 30_000 });

    const seen = await page.evaluate(() => (window as unknown as { seen: [string, string][] }).seen);
    const order = (tier: string) => seen.filter(([t]) => t === tier).map(([, s]) => s);
    // A tier's own progressing state may last less than a poll; the environment's lasts the whole run.
    expect(order('overall').slice(-2)).toEqual(['progressing', 'ready']);
    for (const tier of ['network', 'compute', 'frontend', 'verified']) {
      expect(order(tier)[0], tier).not.toBe('ready'); // first shown before it was applied
      expect(order(tier).at(-1), tier).toBe('ready');
    }
    const readyAt = (tier: string) => seen.findIndex(([t, s]) => t === tier && s === 'ready');
    expect(readyAt('network')).toBeLessThan(readyAt('compute'));
    expect(await cell(page, 'chat-live', 'data').getAttribute('data-state')).toBe('absent');
    expect(await cell(page, 'chat-live', 'verified').locator('.tip').textContent()).toMatch(/^ChecksPassed: /);
    expect(await page.locator('.counts [data-state="ready"] strong').textContent()).toBe('1');
    expect(await page.evaluate(() => Array.isArray((window as unknown as { seen?: unknown }).seen))).toBe(true); // live: never reloaded
    await page.screenshot({ path: join(SHOTS, 'overview-ready.png'), fullPage: true });
    expect(consoleErrors).toEqual([]);
    expect(requests.every((r) => r.startsWith(`${plane.url}/`))).toBe(true); // nothing from another origin

    // Filters: by label and by target, without a reload.
    await page.getByLabel('Labels').fill('stage=prod');
    expect(await page.locator('tr[data-env="chat-live"]').isHidden()).toBe(true);
    await page.getByLabel('Labels').fill('stage=dev');
    expect(await page.locator('tr[data-env="chat-live"]').isVisible()).toBe(true);
    await page.getByLabel('Labels').fill('');
    await page.getByLabel('Target').selectOption('local');
    expect(await page.locator('tr[data-env="chat-live"]').isVisible()).toBe(true);
    await context.close();
  });

  it('shows a failing tier\'s reason on hover and on keyboard focus', async () => {
    // A corrupt state file in the tier's working directory: terraform itself refuses it.
    const work = join(dir.path, 'work', 'chat-broken', 'network');
    mkdirSync(work, { recursive: true });
    writeFileSync(join(work, 'terraform.tfstate'), '{ this is not a state file');
    const { context, page } = await signedIn(tokens.read);
    await api('POST', '/environments', devEnvironment('chat-broken', (s) => {
      delete s.data;
      delete s.compute;
      delete s.frontend;
      delete s.observability;
    }));
    // The tier retries with backoff (progressing for a moment each time): each check waits for a failed moment.
    const failure = await vi.waitFor(async () => {
      const ready = (await api('GET', '/environments/chat-broken')).status.tiers.network?.conditions.find((c) => c.type === 'Ready');
      expect(ready?.status).toBe('False');
      return `${ready!.reason}: ${ready!.message}`;
    }, { timeout: 30_000, interval: 200 });
    expect(failure).toMatch(/^InitFailed: .*state/);
    const network = cell(page, 'chat-broken', 'network');
    const tip = network.locator('.tip');
    /** Waits for a moment the cell says failed in words and shows exactly the API's reason in a visible tooltip it is described by. */
    const showsFailure = async () => page.waitForFunction(([el, expected]) => {
      const tip = el.querySelector('.tip');
      return el.getAttribute('data-state') === 'failed' && el.querySelector('.label')?.textContent === 'failed' && !!tip
        && getComputedStyle(tip).display !== 'none' && tip.textContent === expected && el.getAttribute('aria-describedby') === tip.id;
    }, [await network.elementHandle(), failure] as const, { timeout: 30_000 });
    await waitState(page, 'chat-broken', 'network', 'failed');
    expect(await tip.isVisible()).toBe(false); // neither hovered nor focused yet
    // Keyboard: the cell takes focus from Tab (tabindex 0), and focus shows the reason.
    expect(await network.getAttribute('tabindex')).toBe('0');
    await network.focus();
    await showsFailure();
    await page.screenshot({ path: join(SHOTS, 'failed-tier-focus.png') });
    await page.locator('h1').focus();
    await network.hover();
    await showsFailure();
    await page.waitForFunction(() => document.querySelector('tr[data-env="chat-broken"] th .cell')?.getAttribute('data-state') === 'failed', undefined, { timeout: 30_000 });
    await api('POST', '/environments/chat-broken/suspend'); // stop its retries for the tests that follow
    await waitState(page, 'chat-broken', 'network', 'suspended');
    await context.close();
  });

  it('approves a manual plan from the environment page after showing its id and counts; a read token sees no buttons', async () => {
    await api('POST', '/environments', devEnvironment('chat-gate', (s) => {
      s.approval = 'manual';
      delete s.data;
      delete s.compute;
      delete s.frontend;
      delete s.observability;
    }));
    const reader = await signedIn(tokens.read, '/env/chat-gate');
    await reader.page.getByRole('heading', { name: 'Spec' }).waitFor();
    await reader.page.locator('article[data-tier="network"] .cell[data-state="awaiting-approval"]').waitFor({ timeout: 30_000 });
    expect(await reader.page.getByRole('button').filter({ hasNotText: 'Sign out' }).count()).toBe(0);
    expect(await reader.page.locator('.actions').isHidden()).toBe(true);
    await reader.context.close();

    const { context, page } = await signedIn(tokens.operate, '/env/chat-gate');
    expect(page.url()).toBe(`${plane.url}/#/env/chat-gate`);
    const plan = (await api('GET', '/environments/chat-gate')).status.tiers.network.lastPlan!;
    const review = page.getByRole('button', { name: `Review plan ${plan.id} (network)…` });
    await review.waitFor();
    for (const name of ['Reconcile now', 'Suspend']) expect(await page.getByRole('button', { name }).isVisible()).toBe(true);
    // By keyboard: focus the button, Enter opens the confirmation with the plan's id and counts.
    await review.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(await dialog.locator('.plan-id').textContent()).toBe(plan.id);
    const facts = await dialog.locator('dd').allTextContents();
    expect(facts).toEqual([plan.id, String(plan.add), String(plan.change), String(plan.destroy)]);
    expect(plan.add).toBeGreaterThan(0);
    await page.screenshot({ path: join(SHOTS, 'approve-dialog.png') });
    await dialog.getByRole('button', { name: 'Approve and apply' }).click();
    await page.locator('article[data-tier="network"] .cell[data-state="ready"]').waitFor({ timeout: 30_000 });
    const after = await api('GET', '/environments/chat-gate');
    expect(after.status.tiers.network.lastPlan?.id).toBe(plan.id); // exactly the plan shown was applied
    expect(after.status.tiers.network.conditions.find((c) => c.type === 'Applied')?.message).toContain(plan.id);
    await page.getByRole('heading', { name: 'Events' }).waitFor();
    await page.locator('table.events td', { hasText: `applied plan ${plan.id}` }).waitFor();
    expect(await page.getByRole('button', { name: /^Review plan/ }).count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'environment-approved.png'), fullPage: true });
    await context.close();
  });

  it('fits a 375 px wide screen, with every state in text at AA contrast', async () => {
    for (const route of ['', '/env/chat-live']) {
      const { context, page } = await signedIn(tokens.read, route, { width: 375, height: 800 });
      await page.locator(route ? 'article[data-tier="network"] .cell' : 'tr[data-env="chat-live"] .cell').first().waitFor();
      // The page itself never scrolls sideways; wide tables scroll in their own box.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
      const failures = await page.evaluate(() => {
        const rgb = (s: string) => (s.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
        const lum = (c: number[]) => {
          const [r, g, b] = c.map((v) => (v / 255 <= 0.03928 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4));
          return 0.2126 * r + 0.7152 * g + 0.0722 * b;
        };
        const bgOf = (el: Element | null): string => {
          for (; el; el = el.parentElement) {
            const bg = getComputedStyle(el).backgroundColor;
            if (bg && !bg.endsWith(', 0)') && bg !== 'transparent') return bg;
          }
          return 'rgb(255, 255, 255)';
        };
        return [...document.querySelectorAll('.cell .label, .count, th, td, a, button')].flatMap((el) => {
          const [a, b] = [lum(rgb(getComputedStyle(el).color)), lum(rgb(bgOf(el)))];
          const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
          return ratio < 4.5 && el.textContent?.trim() ? [`${el.textContent.trim().slice(0, 30)}: ${ratio.toFixed(2)}`] : [];
        });
      });
      expect(failures).toEqual([]);
      if (route) {
        // The verification's figures: the check as it ran against the control plane's /healthz.
        const check = page.locator('section[aria-labelledby="verify-h"] tbody tr').first();
        expect(await check.locator('th').textContent()).toBe(`http ${plane.url}/healthz`);
        expect(await check.locator('td').nth(0).textContent()).toBe('passed');
        expect(await check.locator('td').nth(1).textContent()).toBe('200');
      }
      // Every cell says its state in words.
      const labels = await page.locator('.cell .label').allTextContents();
      expect(labels.length).toBeGreaterThan(0);
      expect(labels.every((l) => /^(ready|progressing|failed|drifted|awaiting approval|suspended|deleting|pending|—)$/.test(l))).toBe(true);
      await page.screenshot({ path: join(SHOTS, `phone${route.replace(/\//g, '-') || '-overview'}.png`), fullPage: true });
      await context.close();
    }
  });

  it('keeps the keyboard focus and the opened outputs of the environment page across a live update', async () => {
    const { context, page } = await signedIn(tokens.read, '/env/chat-live');
    const network = page.locator('article[data-tier="network"]');
    await network.locator('summary').click();
    await network.locator('h3 .cell').focus();
    // Marks this rendering of the body, so the wait below ends when the next one is on screen.
    await page.evaluate(() => document.querySelector<HTMLElement>('section[aria-labelledby="spec-h"]')!.setAttribute('data-old', ''));
    await api('POST', '/environments/chat-live/verify'); // a new verification: a status change on the stream
    await page.locator('section[aria-labelledby="spec-h"]:not([data-old])').waitFor({ timeout: 30_000 });
    expect(await network.locator('details').evaluate((d) => (d as HTMLDetailsElement).open)).toBe(true);
    expect(await network.locator('h3 .cell').evaluate((el) => el === document.activeElement)).toBe(true);
    await context.close();
  });

  it('draws only the newest view when the route changes while the page still asks who the token is', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    // The first GET /v1/whoami (the overview's) is held until the environment page, routed after it, is drawn.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let first = true;
    await page.route('**/v1/whoami', async (route) => {
      if (first) (first = false), await held;
      await route.continue();
    });
    const streams = new Set<Request>();
    page.on('request', (r) => void (r.url().includes('/watch') && streams.add(r)));
    page.on('requestfinished', (r) => void streams.delete(r));
    page.on('requestfailed', (r) => void streams.delete(r));
    const asked = page.waitForRequest('**/v1/whoami');
    await page.goto(`${plane.url}/#token=${encodeURIComponent(tokens.read)}`);
    await asked;
    await page.evaluate(() => void (location.hash = '#/env/chat-live'));
    await page.getByRole('heading', { name: 'Spec' }).waitFor();
    release();
    // Both answers read by the page, then one more turn of its event loop for what follows them.
    await page.waitForFunction(() => performance.getEntriesByType('resource').filter((e) => e.name.endsWith('/v1/whoami')).length === 2);
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 0)));
    expect(await page.getByRole('heading', { name: 'Spec' }).isVisible()).toBe(true);
    expect([...streams].map((r) => new URL(r.url()).pathname)).toEqual(['/v1/environments/chat-live/watch']);
    await context.close();
  });

  it('terrace dashboard opens the signed-in URL with the desktop\'s opener and prints no token then', async () => {
    // A stand-in for xdg-open (no desktop here) that records the URL it was asked to open.
    const bin = join(dir.path, 'bin');
    mkdirSync(bin, { recursive: true });
    const opened = join(dir.path, 'opened.txt');
    writeFileSync(join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s' "$1" > '${opened}.part' && mv '${opened}.part' '${opened}'\n`, { mode: 0o755 });
    const result = await runTerrace(['dashboard', '--server', plane.url, '--token', tokens.read], { ...process.env, PATH: `${bin}:${process.env.PATH}` }, 20_000);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`opened ${plane.url}/ in your browser, signed in as dashboard-read (read)\n`);
    expect(result.stdout + result.stderr).not.toContain(tokens.read);
    await vi.waitFor(() => expect(existsSync(opened)).toBe(true), { timeout: 5000 });
    expect(readFileSync(opened, 'utf8')).toBe(`${plane.url}/#token=${encodeURIComponent(tokens.read)}`);

    const refused = await runTerrace(['dashboard', '--no-open', '--server', plane.url, '--token', 'trc_wrong-token-00000000000000'], process.env, 20_000);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain('did not accept the token');
  });

  it('asks for a token when it has none, and a refused one sends it back there', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${plane.url}/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByLabel('API token').fill('trc_not-a-real-token-000000000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'refused' }).waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('terrace.token'))).toBeNull();
    await page.getByLabel('API token').fill(tokens.read);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Environments' }).waitFor();
    // `terrace dashboard`'s URL pasted into this open tab changes only the fragment (no reload): the token still
    // leaves the address bar, and the page asks again who it is.
    await page.goto(`${plane.url}/#token=${encodeURIComponent(tokens.operate)}`);
    await page.locator('#who', { hasText: 'dashboard-operate (operate)' }).waitFor();
    expect(page.url()).toBe(`${plane.url}/`);
    expect(await page.evaluate(() => sessionStorage.getItem('terrace.token'))).toBe(tokens.operate);
    // A mistyped name says so, rather than "reconnecting" forever.
    await page.goto(`${plane.url}/#/env/no-such-env`);
    await page.getByText('There is no environment named no-such-env.').waitFor();
    await page.goto(`${plane.url}/#/env/chat%E0%A4%A`); // a mangled escape: no URIError, the same answer
    await page.getByText('There is no environment named chat%E0%A4%A.').waitFor();
    await context.close();
  });
});
