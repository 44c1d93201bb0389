import { servicePort, type ServiceSpec } from '../../specs/environment.ts';
import { logRetentionDays, partitionOf, ref, type ModelContext, type OutputRef, type Part } from './context.ts';
import { dataModel } from './data.ts';
import { fitName, resourceName } from './names.ts';

export const TLS_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';
/** Long enough for WebSocket clients to notice a draining task and reconnect elsewhere. */
export const WEBSOCKET_DEREGISTRATION_DELAY = 120;
const HTTP_DEREGISTRATION_DELAY = 30;
/** Fargate's longest stop timeout: WebSocket servers get time to close connections cleanly. */
const WEBSOCKET_STOP_TIMEOUT = 120;
const HTTP_STOP_TIMEOUT = 30;
const DEFAULT_IDLE_TIMEOUT = 60;
export const XRAY_IMAGE = 'public.ecr.aws/xray/aws-xray-daemon:3.3.14';
/** Seconds resolvers may cache a service's A records: short, so a replaced task's address goes out of use soon. */
export const DISCOVERY_TTL = 10;

/** The Cloud Map private DNS namespace every service of an environment is registered in: `<environment>.internal`. */
export function discoveryNamespace(env: string): string {
  return `${env}.internal`;
}

/** A service's stable private DNS name (A records of its running tasks): `<service>.<environment>.internal`. */
export function privateDnsName(env: string, service: string): string {
  return `${service}.${discoveryNamespace(env)}`;
}

/** An environment variable or secret whose value another tier produces. */
export interface InjectedVar {
  readonly name: string;
  readonly value: readonly Part[];
  /** For secrets: the ARN the execution role must be allowed to read. */
  readonly secretArn?: OutputRef;
}

/** Secrets Manager's GetRandomPassword settings for generated secrets: long, and safe in URLs and shells. */
export const GENERATED_SECRET_LENGTH = 48;

/** A secret that terrace creates for a service: `terrace/<environment>/<service>/<NAME>`, injected as NAME. */
export interface GeneratedSecretModel {
  /** The env var the container gets it as. */
  readonly name: string;
  /** The Secrets Manager secret's name. */
  readonly secretName: string;
  readonly length: number;
  readonly excludePunctuation: boolean;
}

export interface ServiceModel {
  readonly name: string;
  readonly serviceName: string;
  readonly family: string;
  readonly image: string;
  readonly command?: readonly string[];
  /** Absent for workers: no port mapping, target group or ingress. */
  readonly port?: number;
  readonly cpu: number;
  readonly memory: number;
  readonly desiredCount: number;
  readonly autoscaling?: ScalingModel;
  /** ECS deployment bounds: 100/200 starts new tasks first; a singleton's 0/100 stops the old task first. */
  readonly deployment: { readonly minimumHealthyPercent: number; readonly maximumPercent: number };
  readonly public: boolean;
  readonly healthCheckPath: string;
  /** Between SIGTERM and SIGKILL. */
  readonly stopTimeoutSeconds: number;
  readonly logGroupName: string;
  readonly executionRoleName: string;
  readonly taskRoleName: string;
  /** The user's env, as written. */
  readonly env: Readonly<Record<string, string>>;
  /** The user's secrets: Secrets Manager names or ARNs, as written; the AWS target resolves each to its exact ARN. */
  readonly secrets: Readonly<Record<string, string>>;
  /** Secrets terrace creates, one per name in `generatedSecrets`, with a value AWS generates once. */
  readonly generatedSecrets: readonly GeneratedSecretModel[];
  /** ECR repositories the images come from, for a pull policy that names them. */
  readonly ecrRepositoryArns: readonly string[];
  readonly injectedEnv: readonly InjectedVar[];
  readonly injectedSecrets: readonly InjectedVar[];
  /** Cloud Map: the service's name in the namespace, and the DNS name other services reach it by on its port. */
  readonly discovery: { readonly name: string; readonly dnsName: string };
  /** Present for public services. */
  readonly target?: {
    readonly groupName: string;
    readonly deregistrationDelay: number;
    readonly stickinessSeconds?: number;
    /** Listener rule for services with paths; the default service has none. */
    readonly rule?: { readonly priority: number; readonly paths: readonly string[] };
  };
}

/** Application Auto Scaling of a service's desired count: target tracking on each metric set. */
export interface ScalingModel {
  readonly min: number;
  readonly max: number;
  readonly cpuTarget: number;
  readonly requestsPerTarget?: number;
  /** ALB ActiveConnectionCount per healthy target (WebSockets hold connections, not requests). */
  readonly connectionsPerTarget?: number;
  /** SQS ApproximateNumberOfMessagesVisible per running task, for a service that consumes a declared queue. */
  readonly queue?: { readonly key: string; readonly index: number; readonly messagesPerTask: number };
  readonly resourceId: string;
}

/** Visible messages per task a queue-scaled worker holds when the spec says nothing. */
export const DEFAULT_MESSAGES_PER_TASK = 100;

export interface AlbModel {
  readonly name: string;
  readonly idleTimeoutSeconds: number;
  readonly certificateArn: string;
  readonly domainName: string;
  readonly sslPolicy: string;
  readonly defaultService: string;
}

/** A run of a service's task definition on a schedule (EventBridge Scheduler -> ECS RunTask). */
export interface ScheduleModel {
  readonly name: string;
  /** EventBridge Scheduler's name (64 characters). */
  readonly scheduleName: string;
  readonly expression: string;
  /** The service whose task definition and roles the run uses; its container has the service's name. */
  readonly service: string;
  readonly command?: readonly string[];
  /** The role the scheduler assumes to start the task. */
  readonly roleName: string;
}

/** Every service registers its tasks' addresses here (ECS service registries, A records of awsvpc tasks). */
export interface DiscoveryModel {
  readonly namespaceName: string;
  readonly description: string;
  readonly ttl: number;
}

export interface ComputeModel {
  readonly clusterName: string;
  readonly discovery: DiscoveryModel;
  readonly services: readonly ServiceModel[];
  readonly schedules: readonly ScheduleModel[];
  readonly alb?: AlbModel;
  readonly logRetentionDays: number;
  readonly xray: boolean;
}

export function computeModel(ctx: ModelContext): ComputeModel {
  const { env, spec } = ctx;
  const compute = spec.compute;
  if (!compute) throw new Error(`${env} declares no compute tier`);
  const clusterName = resourceName(env, 'compute');
  let ruleIndex = 0;
  const services = compute.services.map((s) => serviceModel(ctx, clusterName, s, s.paths ? ++ruleIndex : 0));
  const publicServices = compute.services.filter((s) => s.public);
  const alb: AlbModel | undefined =
    publicServices.length > 0 && compute.domain
      ? {
          name: fitName(resourceName(env, 'compute'), 32),
          // One ALB setting for every service: the longest WebSocket wins.
          idleTimeoutSeconds: Math.max(DEFAULT_IDLE_TIMEOUT, ...publicServices.map((s) => s.websocket?.idleTimeoutSeconds ?? 0)),
          certificateArn: compute.domain.certificateArn,
          domainName: compute.domain.name,
          sslPolicy: TLS_POLICY,
          defaultService: publicServices.find((s) => !s.paths)!.name,
        }
      : undefined;
  const schedules = (compute.schedules ?? []).map((s): ScheduleModel => {
    const scheduleName = fitName(resourceName(env, 'compute', s.name), 64);
    return { name: s.name, scheduleName, expression: s.schedule, service: s.service, command: s.command, roleName: fitName(scheduleName, 64, '-sched') };
  });
  const discovery: DiscoveryModel = { namespaceName: discoveryNamespace(env), description: `terrace ${env}: services by name`, ttl: DISCOVERY_TTL };
  return { clusterName, discovery, services, schedules, alb, logRetentionDays: logRetentionDays(spec), xray: spec.observability?.xray ?? false };
}

function serviceModel(ctx: ModelContext, clusterName: string, s: ServiceSpec, ruleIndex: number): ServiceModel {
  const { env } = ctx;
  const serviceName = resourceName(env, 'compute', s.name);
  const injected = injectedVars(ctx);
  // The SDKs find the X-Ray daemon sidecar here.
  if (ctx.spec.observability?.xray) injected.env.push({ name: 'AWS_XRAY_DAEMON_ADDRESS', value: ['127.0.0.1:2000'] });
  const generated = s.generatedSecrets ?? [];
  const taken = new Set([...Object.keys(s.env), ...Object.keys(s.secrets), ...generated]);
  return {
    name: s.name,
    serviceName,
    family: serviceName,
    image: s.image,
    command: s.command,
    port: servicePort(s),
    cpu: s.cpu,
    memory: s.memory,
    desiredCount: s.desiredCount,
    autoscaling: s.autoscaling && scalingModel(ctx, s.autoscaling, `service/${clusterName}/${serviceName}`),
    deployment: s.singleton ? { minimumHealthyPercent: 0, maximumPercent: 100 } : { minimumHealthyPercent: 100, maximumPercent: 200 },
    public: s.public,
    healthCheckPath: s.healthCheckPath,
    stopTimeoutSeconds: s.stopTimeoutSeconds ?? (s.websocket ? WEBSOCKET_STOP_TIMEOUT : HTTP_STOP_TIMEOUT),
    logGroupName: `/terrace/${env}/${s.name}`,
    executionRoleName: fitName(serviceName, 64, '-exec'),
    taskRoleName: fitName(serviceName, 64, '-task'),
    env: s.env,
    secrets: s.secrets,
    generatedSecrets: [...generated].sort().map((name) => ({
      name,
      secretName: `terrace/${env}/${s.name}/${name}`,
      length: GENERATED_SECRET_LENGTH,
      excludePunctuation: true,
    })),
    ecrRepositoryArns: ecrRepositoryArn(ctx, s.image),
    // The user's own env and secrets win over what terrace injects.
    injectedEnv: injected.env.filter((v) => !taken.has(v.name)),
    injectedSecrets: injected.secrets.filter((v) => !taken.has(v.name)),
    discovery: { name: s.name, dnsName: privateDnsName(env, s.name) },
    target: s.public
      ? {
          groupName: fitName(serviceName, 32),
          // A longer stop timeout asks for as long a drain: connections end before SIGTERM, not at it.
          deregistrationDelay: s.stopTimeoutSeconds ?? (s.websocket ? WEBSOCKET_DEREGISTRATION_DELAY : HTTP_DEREGISTRATION_DELAY),
          stickinessSeconds: s.websocket?.stickinessSeconds,
          rule: s.paths ? { priority: 100 + 10 * ruleIndex, paths: s.paths } : undefined,
        }
      : undefined,
  };
}

function scalingModel(ctx: ModelContext, a: NonNullable<ServiceSpec['autoscaling']>, resourceId: string): ScalingModel {
  const { queue: key, messagesPerTask, ...rest } = a;
  const index = key === undefined ? -1 : (ctx.spec.data?.queues ?? []).findIndex((q) => q.name === key);
  return {
    ...rest,
    resourceId,
    ...(key !== undefined && index >= 0 ? { queue: { key, index, messagesPerTask: messagesPerTask ?? DEFAULT_MESSAGES_PER_TASK } } : {}),
  };
}

/** Endpoints of the data tier, as env vars and secrets every service gets. */
export function injectedVars(ctx: ModelContext): { env: InjectedVar[]; secrets: InjectedVar[] } {
  const env: InjectedVar[] = [];
  const secrets: InjectedVar[] = [];
  if (!ctx.spec.data) return { env, secrets };
  const data = dataModel(ctx);
  if (data.postgres) {
    env.push({ name: 'DATABASE_HOST', value: [ref('data', 'postgresEndpoint')] });
    env.push({ name: 'DATABASE_PORT', value: [String(data.postgres.port)] });
    env.push({ name: 'DATABASE_NAME', value: [data.postgres.databaseName] });
    // Only with readers: without them the reader endpoint is the writer, and a new variable would roll every service.
    if (data.postgres.readers.length > 0) env.push({ name: 'DATABASE_READ_HOST', value: [ref('data', 'postgresReaderEndpoint')] });
    // Apps connect as their own user with IAM tokens, never as the master user: RDS rotates the master secret,
    // while ECS reads secrets only when a task starts (see docs/architecture.md, "Data and compute").
    env.push({ name: 'DATABASE_USER', value: [data.postgres.appUsername] });
    env.push({ name: 'DATABASE_IAM_AUTH', value: ['true'] });
    env.push({ name: 'DATABASE_SSLMODE', value: ['require'] });
  }
  if (data.redis) {
    env.push({ name: 'REDIS_HOST', value: [ref('data', 'redisEndpoint')] });
    env.push({ name: 'REDIS_PORT', value: [String(data.redis.port)] });
    env.push({ name: 'REDIS_URL', value: ['rediss://', ref('data', 'redisEndpoint'), `:${data.redis.port}/0`] });
    const redisSecret = ref('data', 'redisAuthSecretArn');
    secrets.push({ name: 'REDIS_AUTH_TOKEN', value: [redisSecret], secretArn: redisSecret });
  }
  data.queues.forEach((q, i) => env.push({ name: q.urlEnvVar, value: [ref('data', 'queueUrls', i)] }));
  return { env, secrets };
}

const ECR_IMAGE = /^([0-9]{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^:@]+)/;

function ecrRepositoryArn({ target }: ModelContext, image: string): string[] {
  const m = ECR_IMAGE.exec(image);
  return m ? [`arn:${partitionOf(target)}:ecr:${m[2]}:${m[1]}:repository/${m[3]}`] : [];
}
