/** IAM policy JSON, built as plain objects: tokens inside strings resolve in place. */
export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource?: string | string[];
  Principal?: Record<string, string | string[]> | '*';
  Condition?: Record<string, Record<string, string | string[] | boolean>>;
}

export function policyDocument(...statements: Statement[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

/** Trust policy for a role an AWS service assumes. */
export function assumedBy(service: string): string {
  return policyDocument({ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' });
}

/** Bucket policy statement refusing plain HTTP. */
export function denyInsecureTransport(bucketArn: string): Statement {
  return {
    Sid: 'DenyInsecureTransport',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };
}
