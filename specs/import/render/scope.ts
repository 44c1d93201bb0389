import type { Raw } from './notes.ts';

export const SERVICE_TYPES = ['web', 'pserv', 'worker', 'cron', 'keyvalue', 'redis'] as const;
/** What a Render service becomes; `static` is a web service with `runtime: static`, `keyvalue` also the older `redis`. */
export type ServiceKind = 'web' | 'static' | 'pserv' | 'worker' | 'cron' | 'keyvalue';

export interface BlueprintService {
  /** Blueprint path: `services[2]` or `projects[0].environments[1].services[2]`. */
  readonly path: string;
  readonly raw: Raw;
  /** As written in the Blueprint (references use it). */
  readonly renderName: string;
  /** As a terrace name. */
  readonly name: string;
  readonly kind: ServiceKind;
}

export interface BlueprintDatabase {
  readonly path: string;
  readonly raw: Raw;
  readonly renderName: string;
}

export interface BlueprintGroup {
  readonly path: string;
  readonly raw: Raw;
  readonly renderName: string;
  readonly name: string;
}

/** One Render environment (the whole flat file, or one `projects[].environments[]` entry) being converted. */
export interface Scope {
  /** The Environment's name; secret names start with it. */
  readonly env: string;
  readonly services: readonly BlueprintService[];
  readonly databases: readonly BlueprintDatabase[];
  readonly groups: readonly BlueprintGroup[];
  /** The database that becomes data.postgres (the first). */
  readonly postgres?: BlueprintDatabase;
  /** The Key Value service that becomes data.redis (the first). */
  readonly redis?: BlueprintService;
  /** The port of each web and pserv service, by Blueprint name (others reach a pserv on it by its private name). */
  readonly ports: ReadonlyMap<string, number>;
}
