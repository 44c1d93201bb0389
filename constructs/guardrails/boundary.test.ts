import { describe, expect, it } from 'vitest';
import { checkGuardrails } from './index.ts';

const doc = (Action: string | string[], Resource: string | string[]) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'S', Effect: 'Allow', Action, Resource }] });

/** A role whose boundary is `aws_iam_policy.ceiling`, and a role policy with the same document. */
function stack(Action: string | string[], Resource: string | string[]) {
  return {
    resource: {
      aws_iam_policy: { ceiling: { policy: doc(Action, Resource) } },
      aws_iam_role: { r: { assume_role_policy: '{}', permissions_boundary: '${aws_iam_policy.ceiling.arn}' } },
      aws_iam_role_policy: { grant: { role: 'r', policy: doc(Action, Resource) } },
    },
  };
}

describe('iam-least-privilege on permissions boundaries', () => {
  it("lets a boundary name all of a service's resources in one account and region, but not a grant", () => {
    const violations = checkGuardrails(stack('ec2:Create*', 'arn:aws:ec2:eu-west-1:111111111111:*'));
    expect(violations.map((v) => v.address)).toEqual(['aws_iam_role_policy.grant']);
    // Every service's resources, still in one account and region.
    expect(checkGuardrails(stack('ec2:Create*', 'arn:aws:*:eu-west-1:111111111111:*')).map((v) => v.address)).toEqual(['aws_iam_role_policy.grant']);
  });

  it('holds a boundary to one account and region, and to named actions', () => {
    expect(checkGuardrails(stack('ec2:Create*', 'arn:aws:ec2:*:111111111111:*')).map((v) => v.address).sort()).toEqual(['aws_iam_policy.ceiling', 'aws_iam_role_policy.grant']);
    expect(checkGuardrails(stack('ec2:Create*', 'arn:aws:*:eu-west-1:*:*')).map((v) => v.address).sort()).toEqual(['aws_iam_policy.ceiling', 'aws_iam_role_policy.grant']);
    expect(checkGuardrails(stack('ec2:Create*', '*')).map((v) => v.address).sort()).toEqual(['aws_iam_policy.ceiling', 'aws_iam_role_policy.grant']);
    expect(checkGuardrails(stack('ec2:*', 'arn:aws:ec2:eu-west-1:111111111111:vpc/*')).map((v) => v.address).sort()).toEqual(['aws_iam_policy.ceiling', 'aws_iam_role_policy.grant']);
  });

  it('allows kms:CreateKey on every resource: it names no key yet', () => {
    expect(checkGuardrails(stack('kms:CreateKey', '*'))).toEqual([]);
    expect(checkGuardrails(stack('kms:CreateAlias', '*')).length).toBe(2);
  });
});
