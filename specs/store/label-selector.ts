import { ValidationError } from '../validate.ts';

type Requirement = { key: string; op: '=' | '!=' | 'exists' | '!exists'; value?: string };

/** Kubernetes equality-based selectors: `app=chat,stage!=prod,tier,!legacy`. */
export function parseLabelSelector(selector: string | undefined): (labels: Record<string, string> | undefined) => boolean {
  if (!selector?.trim()) return () => true;
  const reqs: Requirement[] = selector.split(',').map((part) => {
    const text = part.trim();
    const m = /^([A-Za-z0-9._/-]+)\s*(==|=|!=)\s*([A-Za-z0-9._-]*)$/.exec(text);
    if (m) return { key: m[1], op: m[2] === '!=' ? '!=' : '=', value: m[3] };
    if (/^![A-Za-z0-9._/-]+$/.test(text)) return { key: text.slice(1), op: '!exists' };
    if (/^[A-Za-z0-9._/-]+$/.test(text)) return { key: text, op: 'exists' };
    throw new ValidationError([{ path: 'labelSelector', message: `cannot parse ${JSON.stringify(text)}: use key=value, key!=value, key or !key` }]);
  });
  return (labels = {}) =>
    reqs.every((r) => {
      const has = Object.hasOwn(labels, r.key);
      if (r.op === 'exists') return has;
      if (r.op === '!exists') return !has;
      if (r.op === '=') return has && labels[r.key] === r.value;
      return labels[r.key] !== r.value;
    });
}
