import { describe, expect, it } from 'vitest';
import { adoptFragmentToken, readToken, type TokenPlace } from './token.ts';

function place(hash: string) {
  const stored = new Map<string, string>();
  const urls: string[] = [];
  const p: TokenPlace = {
    location: { hash, pathname: '/', search: '' },
    history: { replaceState: (_s, _t, url) => void urls.push(String(url)) },
    storage: { getItem: (k) => stored.get(k) ?? null, setItem: (k, v) => void stored.set(k, v), removeItem: (k) => void stored.delete(k) },
  };
  return { p, urls };
}

describe('adoptFragmentToken', () => {
  it('moves the token to session storage and rewrites the URL without it', () => {
    const { p, urls } = place('#token=trc_abc%2Fdef');
    adoptFragmentToken(p);
    expect(readToken(p)).toBe('trc_abc/def');
    expect(urls).toEqual(['/']);
  });

  it('keeps a route after the token, and leaves other fragments alone', () => {
    const { p, urls } = place('#token=trc_x&/env/chat-dev');
    adoptFragmentToken(p);
    expect(urls).toEqual(['/#/env/chat-dev']);
    const other = place('#/env/chat-dev');
    adoptFragmentToken(other.p);
    expect(other.urls).toEqual([]);
    expect(readToken(other.p)).toBeUndefined();
  });

  it('drops a malformed token from the URL instead of throwing (the page would not start)', () => {
    const { p, urls } = place('#token=trc_abc%E0%A4%A&/env/chat-dev');
    expect(adoptFragmentToken(p)).toBe(false);
    expect(urls).toEqual(['/#/env/chat-dev']);
    expect(readToken(p)).toBeUndefined();
  });
});
