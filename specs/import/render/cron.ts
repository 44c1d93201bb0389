/**
 * Render's cron schedule (five fields, UTC, day of week 0-6 from Sunday) as an EventBridge Scheduler expression
 * (six fields with a year, day of week 1-7 from Sunday, and `?` in one of the two day fields). Undefined when
 * EventBridge cannot say the same thing (both a day of month and a day of week, or not five fields).
 */
export function eventBridgeCron(schedule: string): string | undefined {
  const fields = schedule.trim().split(/\s+/);
  if (fields.length !== 5) return undefined;
  const [minute, hour, dom, month, dow] = fields;
  if (dow === '*' || dow === '?') return `cron(${minute} ${hour} ${dom} ${month} ? *)`;
  if (dom !== '*' && dom !== '?') return undefined;
  return `cron(${minute} ${hour} ? ${month} ${weekdays(dow)} *)`;
}

/** `1-5` -> `2-6`, `0,6` -> `1,7`, `*\/2` kept; names (MON-FRI) are the same in both. */
function weekdays(field: string): string {
  return field
    .split(',')
    .map((part) => {
      const [range, step] = part.split('/');
      const days = range.replace(/[0-7]/g, (d) => String((Number(d) % 7) + 1));
      return step === undefined ? days : `${days}/${step}`;
    })
    .join(',');
}
