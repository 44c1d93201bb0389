import { Api, type Whoami } from './api.ts';
import { fill, h } from './dom.ts';
import { renderEnvironment } from './env-page.ts';
import { renderOverview } from './overview.ts';
import { adoptFragmentToken, forgetToken, readToken, saveToken, type TokenPlace } from './token.ts';

// The page's shell: sign-in, the live indicator, and the hash routes `#/` (overview) and `#/env/<name>`.

const place: TokenPlace = { location: window.location, history: window.history, storage: window.sessionStorage };
adoptFragmentToken(place);

const token = () => readToken(place);
const main = document.getElementById('main')!;
const live = document.getElementById('live')!;
const signOut = document.getElementById('sign-out') as HTMLButtonElement;
const whoEl = document.getElementById('who')!;
let who: Whoami | undefined;
let cleanup: (() => void) | undefined;
/** Counts route() calls: one whose whoami answer comes after a newer call's start must not draw its view. */
let routes = 0;

const api = new Api(token, () => refused());

function setLive(on: boolean, retryInMs?: number): void {
  live.dataset.live = String(on);
  live.textContent = on ? 'live' : `reconnecting${retryInMs ? ` in ${Math.ceil(retryInMs / 1000)} s` : ''}`;
}

function refused(): void {
  forgetToken(place);
  who = undefined;
  void route('That token was refused (unknown, revoked or without the read scope). Enter another.');
}

function signIn(message?: string): void {
  whoEl.textContent = '';
  signOut.hidden = true;
  live.textContent = '';
  const input = h('input', { id: 'token', type: 'password', autocomplete: 'off', spellcheck: 'false', required: true, 'aria-describedby': 'token-help' });
  fill(main,
    h('h1', { tabindex: -1 }, 'Sign in'),
    message && h('p', { class: 'notice error', role: 'alert' }, message),
    h('form', { class: 'sign-in', onsubmit: (e: Event) => {
      e.preventDefault();
      saveToken(place, (input as HTMLInputElement).value);
      void route();
    } },
      h('label', { for: 'token' }, 'API token'), input,
      h('p', { id: 'token-help', class: 'help' }, 'Kept in this tab only (session storage). `npx terrace dashboard` opens this page signed in.'),
      h('button', { type: 'submit', class: 'primary' }, 'Sign in')));
  input.focus();
}

/** A hand-edited `#/env/%E0` must not throw (the page would keep a stale view): such a name is taken as typed. */
function decodeName(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

async function route(message?: string): Promise<void> {
  const turn = ++routes;
  cleanup?.();
  cleanup = undefined;
  if (!token()) return signIn(message);
  if (!who) {
    try {
      const answer = await api.get<Whoami>('/v1/whoami');
      if (turn !== routes) return; // a newer route (another hash, another token) draws the page
      who = answer;
    } catch (err) {
      if (turn !== routes || !token()) return; // refused() already showed the sign-in
      fill(main, h('h1', {}, 'Cannot reach the control plane'), h('p', { role: 'alert' }, (err as Error).message));
      return;
    }
  }
  whoEl.textContent = `${who.name} (${who.scopes.join(', ')})`;
  signOut.hidden = false;
  const match = /^#\/env\/([^/]+)$/.exec(window.location.hash);
  const deps = { token, onRefused: refused, setLive };
  const name = match && decodeName(match[1]);
  cleanup = name ? renderEnvironment(main, name, { ...deps, api, who }) : renderOverview(main, deps);
  document.title = name ? `${name} · terrace` : 'Environments · terrace';
  // A new view: move focus to its heading, so keyboard and screen reader users start there.
  main.querySelector<HTMLElement>('h1')?.focus();
}

signOut.addEventListener('click', () => {
  forgetToken(place);
  who = undefined;
  void route();
});
window.addEventListener('hashchange', () => {
  // `terrace dashboard`'s URL pasted into this tab: take the token out of the address bar, and ask who it is.
  if (adoptFragmentToken(place)) who = undefined;
  void route();
});
void route();
