// The API token lives in this tab's session storage only. `terrace dashboard` hands it over in the URL fragment
// (`/#token=...`), which browsers never send to the server; the page moves it to storage and out of the address bar.

const KEY = 'terrace.token';

export interface TokenPlace {
  location: Pick<Location, 'hash' | 'pathname' | 'search'>;
  history: Pick<History, 'replaceState'>;
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
}

/** Moves `#token=...` into storage and rewrites the URL without it (no history entry keeps it). */
export function adoptFragmentToken(place: TokenPlace): void {
  const match = /^#token=([^&]+)(?:&(.*))?$/.exec(place.location.hash);
  if (!match) return;
  place.storage.setItem(KEY, decodeURIComponent(match[1]));
  const rest = match[2] ? `#${match[2]}` : '';
  place.history.replaceState(null, '', `${place.location.pathname}${place.location.search}${rest}`);
}

export const readToken = (place: Pick<TokenPlace, 'storage'>) => place.storage.getItem(KEY) ?? undefined;
export const saveToken = (place: Pick<TokenPlace, 'storage'>, token: string) => place.storage.setItem(KEY, token.trim());
export const forgetToken = (place: Pick<TokenPlace, 'storage'>) => place.storage.removeItem(KEY);
