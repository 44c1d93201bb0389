const MAX_MESSAGE_BYTES = 2_048;

const SECRET_PATTERNS: [RegExp, string][] = [
  [/AKIA[0-9A-Z]{16}/g, '[REDACTED]'],
  [/\b(aws_secret_access_key|aws_session_token)\b\s*[=:]\s*\S+/gi, '$1=[REDACTED]'],
  [/("?(?:password|passwd|secret|token|auth_token|private_key|api_key)"?\s*[=:]\s*)("[^"]*"|\S+)/gi, '$1[REDACTED]'],
  [/(Authorization:\s*Bearer\s+)\S+/gi, '$1[REDACTED]'],
  [/(-----BEGIN [A-Z ]*PRIVATE KEY-----)[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----)/g, '$1[REDACTED]$2'],
];

/** Masks secret-looking values so terraform's own words can go into status and events. */
export function redact(text: string): string {
  return SECRET_PATTERNS.reduce((acc, [re, to]) => acc.replace(re, to), text);
}

/** The first lines of an error, redacted and capped at about 2 KB. */
export function errorMessage(text: string): string {
  const clean = redact(text.replace(/\u001b\[[0-9;]*m/g, '')).trim();
  if (Buffer.byteLength(clean) <= MAX_MESSAGE_BYTES) return clean;
  return `${Buffer.from(clean).subarray(0, MAX_MESSAGE_BYTES - 3).toString().replace(/\uFFFD$/, '')}...`;
}
