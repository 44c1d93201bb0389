import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseEnvironment, ValidationError } from './validate.ts';

const dev = parse(readFileSync(new URL('./examples/dev.yaml', import.meta.url), 'utf8'));
const withVerify = (verify: unknown, edit: (spec: any) => void = () => {}) => {
  const doc = structuredClone(dev);
  doc.spec.verify = verify;
  edit(doc.spec);
  return doc;
};
function problems(input: unknown) {
  try {
    parseEnvironment(input);
    return [];
  } catch (err) {
    if (err instanceof ValidationError) return err.problems;
    throw err;
  }
}

describe('spec.verify', () => {
  it('fills the defaults of absent fields only', () => {
    const env = parseEnvironment(withVerify({ http: [{ path: '/health/ready' }], websocket: [{ path: '/ws/echo/' }] }));
    expect(env.spec.verify).toEqual({
      http: [{ path: '/health/ready', expectStatus: 200, timeoutSeconds: 5 }],
      websocket: [{ path: '/ws/echo/', connections: 1, holdSeconds: 5 }],
    });
    expect(parseEnvironment(dev).spec.verify).toBeUndefined();
  });

  const cases: [string, unknown, string, RegExp][] = [
    ['a baseUrl that is not http(s)', { baseUrl: 'ftp://x.example.com', http: [{ path: '/' }] }, 'spec.verify.baseUrl', /http:\/\/ or https:\/\//],
    ['a path without its leading /', { http: [{ path: 'health' }] }, 'spec.verify.http[0].path', /starting with \//],
    ['a wrongly typed list (never replaced by its default)', { http: { path: '/' } }, 'spec.verify.http', /array/],
    ['a wrongly typed status', { http: [{ path: '/', expectStatus: '200' }] }, 'spec.verify.http[0].expectStatus', /integer/],
    ['more than 200 connections', { websocket: [{ path: '/ws', connections: 201 }] }, 'spec.verify.websocket[0].connections', /200/],
    ['a hold over 600 s', { websocket: [{ path: '/ws', holdSeconds: 601 }] }, 'spec.verify.websocket[0].holdSeconds', /600/],
    ['expect without send', { websocket: [{ path: '/ws', expect: 'pong' }] }, 'spec.verify.websocket[0].expect', /needs send/],
    ['an unknown field', { http: [{ path: '/' }], bogus: 1 }, 'spec.verify.bogus', /unknown field/],
  ];
  it.each(cases)('refuses %s at its path', (_name, verify, path, message) => {
    const found = problems(withVerify(verify)).find((p) => p.path === path);
    expect(found?.message).toMatch(message);
  });

  it.each(['baseUrl', 'frontendUrl'])('refuses credentials in %s at its path, never echoing them', (key) => {
    const found = problems(withVerify({ [key]: 'https://admin:s3cret-pw@app.example.com/base', http: [{ path: '/' }] }));
    expect(found).toEqual([{ path: `spec.verify.${key}`, message: expect.stringMatching(/must not carry credentials/) }]);
    expect(JSON.stringify(found)).not.toContain('s3cret-pw');
    expect(problems(withVerify({ [key]: 'https://app.example.com/a@b', http: [{ path: '/' }] }))).toEqual([]);
  });

  it('needs a check, unless the SPA deep-link check has a frontend to run on', () => {
    expect(problems(withVerify({}, (s) => delete s.frontend))).toEqual([{ path: 'spec.verify', message: 'declares no check: add http or websocket checks' }]);
    expect(problems(withVerify({}))).toEqual([]);
  });
});
