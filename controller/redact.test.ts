import { describe, expect, it } from 'vitest';
import { errorMessage, redact } from './redact.ts';

describe('redact', () => {
  it.each([
    ['password = "hunter2"', 'hunter2'],
    ['auth_token: s3cr3t-value', 's3cr3t-value'],
    ['key AKIAABCDEFGHIJKLMNOP used', 'AKIAABCDEFGHIJKLMNOP'],
    ['Authorization: Bearer trc_abcdef', 'trc_abcdef'],
    ['aws_secret_access_key=wJalrXUtnFEMI/K7MDENG', 'wJalrXUtnFEMI/K7MDENG'],
  ])('masks %s', (text, secret) => {
    expect(redact(text)).not.toContain(secret);
    expect(redact(text)).toContain('[REDACTED]');
  });

  it('keeps ordinary terraform errors readable', () => {
    expect(redact('Error: Invalid reference on cdk.tf.json line 4')).toBe('Error: Invalid reference on cdk.tf.json line 4');
  });

  it('caps a long message near 2 KB', () => {
    const msg = errorMessage(`Error: boom\n${'x'.repeat(10_000)}`);
    expect(Buffer.byteLength(msg)).toBeLessThanOrEqual(2_048);
    expect(msg.startsWith('Error: boom')).toBe(true);
  });
});
