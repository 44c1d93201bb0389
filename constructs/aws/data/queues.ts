import { Construct } from 'constructs';
import { SqsQueueRedriveAllowPolicy } from '@cdktf/provider-aws/lib/sqs-queue-redrive-allow-policy/index.js';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue/index.js';
import type { QueueModel } from '../../model/data.ts';

export interface QueueWithDlqProps {
  readonly model: QueueModel;
}

/** An SQS queue (SSE on) whose messages move to a dead-letter queue after maxReceiveCount receives. */
export class QueueWithDlq extends Construct {
  readonly queue: SqsQueue;
  readonly dlq: SqsQueue;

  constructor(scope: Construct, id: string, { model }: QueueWithDlqProps) {
    super(scope, id);
    this.dlq = new SqsQueue(this, 'dlq', {
      name: model.dlqName,
      fifoQueue: model.fifo || undefined,
      messageRetentionSeconds: model.dlqRetentionSeconds,
      sqsManagedSseEnabled: true,
    });
    this.queue = new SqsQueue(this, 'queue', {
      name: model.name,
      fifoQueue: model.fifo || undefined,
      visibilityTimeoutSeconds: model.visibilityTimeoutSeconds,
      sqsManagedSseEnabled: true,
      redrivePolicy: JSON.stringify({ deadLetterTargetArn: this.dlq.arn, maxReceiveCount: model.maxReceiveCount }),
    });
    // Only this queue may send its dead letters here (and redrive them back).
    new SqsQueueRedriveAllowPolicy(this, 'redrive_allow', {
      queueUrl: this.dlq.url,
      redriveAllowPolicy: JSON.stringify({ redrivePermission: 'byQueue', sourceQueueArns: [this.queue.arn] }),
    });
  }
}
