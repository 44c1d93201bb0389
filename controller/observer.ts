/** What the controller reports as it works; the API's metrics implement it. */
export interface ControllerObserver {
  tierReconciled(event: { environment: string; tier: string; outcome: string; seconds: number }): void;
  queueDepth(depth: number): void;
  /** One run of spec.verify: its duration and one reason per failed check. */
  verified?(event: { environment: string; seconds: number; failures: string[] }): void;
}
