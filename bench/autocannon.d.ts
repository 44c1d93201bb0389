// The part of autocannon's API the benches use (the package ships no types).
declare module 'autocannon' {
  interface Options {
    url: string;
    connections?: number;
    duration?: number;
    overallRate?: number;
    headers?: Record<string, string>;
    setupClient?: (client: { setHeaders(headers: Record<string, string>): void }) => void;
  }
  interface Histogram { average: number; p50: number; p90: number; p99: number; max: number }
  interface Result { requests: Histogram; latency: Histogram; throughput: Histogram; non2xx: number; errors: number; timeouts: number }
  function autocannon(options: Options): Promise<Result>;
  export default autocannon;
}
