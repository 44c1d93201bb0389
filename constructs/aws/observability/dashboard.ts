import { Construct } from 'constructs';
import { CloudwatchDashboard } from '@cdktf/provider-aws/lib/cloudwatch-dashboard/index.js';
import type { TierInputs } from '../../core/inputs.ts';
import type { AlarmModel } from '../../model/observability.ts';
import { dimensions } from './alarms.ts';

export interface EnvironmentDashboardProps {
  readonly name: string;
  readonly region: string;
  readonly alarms: readonly AlarmModel[];
  readonly inputs: TierInputs;
}

/** One graph per alarmed metric, two per row, with the alarm threshold drawn in. */
export class EnvironmentDashboard extends Construct {
  readonly dashboard: CloudwatchDashboard;

  constructor(scope: Construct, id: string, { name, region, alarms, inputs }: EnvironmentDashboardProps) {
    super(scope, id);
    const widgets = alarms.map((a, i) => ({
      type: 'metric',
      x: (i % 2) * 12,
      y: Math.floor(i / 2) * 6,
      width: 12,
      height: 6,
      properties: {
        title: a.description,
        region: a.global ? 'us-east-1' : region,
        stat: a.statistic,
        period: a.periodSeconds,
        metrics: graphed(a, inputs),
        annotations: { horizontal: [{ label: 'alarm', value: a.threshold }] },
      },
    }));
    this.dashboard = new CloudwatchDashboard(this, 'dashboard', { dashboardName: name, dashboardBody: JSON.stringify({ widgets }) });
  }
}

/** The alarm's metric, or its expression and the metrics it reads (hidden). */
function graphed(a: AlarmModel, inputs: TierInputs): unknown[][] {
  const dims = Object.entries(dimensions(a, inputs)).flat();
  if (!a.math) return [[a.namespace, a.metricName, ...dims]];
  return [
    [{ expression: a.math.expression, label: a.metricName, id: 'e1' }],
    ...Object.entries(a.math.metrics).map(([id, metricName]) => [a.namespace, metricName, ...dims, { id, visible: false }]),
  ];
}
