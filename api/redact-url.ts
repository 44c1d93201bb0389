/**
 * Query parameters whose values are safe to log. Any other value is redacted: clients put tokens in
 * `?token=`, `?access_token=`, `?api_key=`... and a list of bad names is never complete.
 */
const SAFE_QUERY = new Set(['limit', 'continue', 'labelSelector', 'dryRun', 'fresh']);
export const REDACTED = '[redacted]';

/** The path of a request URL, without its query string. */
export function urlPath(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** The URL with every query value not on the safe list replaced; a bare parameter is redacted whole. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q === -1) return url;
  const parts = url.slice(q + 1).split('&').map((part) => {
    const eq = part.indexOf('=');
    const key = eq === -1 ? part : part.slice(0, eq);
    if (SAFE_QUERY.has(safeDecode(key))) return part;
    return eq === -1 ? (part === '' ? part : REDACTED) : `${key}=${REDACTED}`;
  });
  return `${url.slice(0, q)}?${parts.join('&')}`;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}
