// The API token lives in this tab's session storage only. `terrace dashboard` hands it over in the URL fragment
// (`/#token=...`), which browsers never send to the server; the page moves it to storage and out of the address bar.

const KEY = 'terrace.token';

export interface TokenPlace {
  location: Pick<Location, 'hash' | 'pathname' | 'search'>;
  history: Pick<History, 'replaceState'>;
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
}

/**
 * Moves `#token=...` into storage and rewrites the URL without it (no history entry keeps it). Runs at load and on
 * each hashchange: a URL pasted into an open tab changes only the fragment. True when a token was taken; a
 * malformed one is dropped from the URL all the same (it may still be most of a secret).
 */
export function adoptFragmentToken(place: TokenPlace): boolean {
  const match = /^#token=([^&]+)(?:&(.*))?$/.exec(place.location.hash);
  if (!match) return false;
  let token: string | undefined;
  try {
    token = decodeURIComponent(match[1]).trim();
  } catch {
    token = undefined; // a cut or mangled %-escape: ask for the token instead of failing to start
  }
  if (token) place.storage.setItem(KEY, token);
  const rest = match[2] ? `#${match[2]}` : '';
  place.history.replaceState(null, '', `${place.location.pathname}${place.location.search}${rest}`);
  return !!token;
}

export const readToken = (place: Pick<TokenPlace, 'storage'>) => place.storage.getItem(KEY) ?? undefined;
export const saveToken = (place: Pick<TokenPlace, 'storage'>, token: string) => place.storage.setItem(KEY, token.trim());
export const forgetToken = (place: Pick<TokenPlace, 'storage'>) => place.storage.removeItem(KEY);
