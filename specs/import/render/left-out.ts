// Blueprint fields terrace does not carry over, each with the way to get the same on AWS. The import warns
// once per field it meets; a field in neither this table nor the converters' own lists is warned as unknown.

export const LEFT_OUT: Record<string, string> = {
  disk: 'Fargate tasks have no persistent disk: keep files in S3, or mount an EFS file system in the task definition',
  preDeployCommand: 'run it before each deploy as a one-off task in CI (aws ecs run-task with a command override on the service\'s task definition)',
  buildFilter: 'put the path filters on the CI job that builds and pushes the image',
  autoDeploy: 'CI deploys: build and push the image, then PUT the Environment (terrace apply -f) with the new tag',
  autoDeployTrigger: 'CI deploys: build and push the image, then PUT the Environment (terrace apply -f) with the new tag',
  branch: 'CI decides which branch builds the image and updates the Environment',
  repo: 'CI builds the image from this repository',
  pullRequestPreviewsEnabled: 'previews: CI runs terrace preview create <environment> --name pr-<number> per pull request and terrace preview delete when it closes (README: Preview environments)',
  previews: 'previews: CI runs terrace preview create <environment> --name pr-<number> per pull request and terrace preview delete when it closes (README: Preview environments)',
  previewPlan: 'previews: a preview keeps one Redis node without replicas; size it with terrace preview create --set',
  previewDiskSizeGB: 'previews: Aurora storage grows on its own',
  ipAllowList: 'the data tier is reachable only from the services\' security group inside the VPC; for a public service, restrict clients with AWS WAF on the ALB',
  initialDeployHook: 'run it once as a one-off ECS task (aws ecs run-task with a command override) after the first apply',
  renderSubdomainPolicy: 'the ALB answers on its own DNS name and compute.domain; there is no onrender.com subdomain',
  registryCredential: 'store the registry credentials in Secrets Manager and give the task definition repositoryCredentials, or mirror the image into ECR',
  rootDir: 'the image build runs in CI from this directory',
  buildCommand: 'the image build runs in CI',
  dockerfilePath: 'the image build runs in CI',
  dockerContext: 'the image build runs in CI',
  networkIsolationEnabled: 'each Environment has its own VPC: services of different Environments cannot reach each other',
  protectionsEnabled: 'use spec.approval: manual so every change waits for an approved plan',
  previewsEnabled: 'previews: CI runs terrace preview create <environment> --name pr-<number> per pull request and terrace preview delete when it closes (README: Preview environments)',
  previewsExpireAfterDays: 'previews: terrace preview create --ttl <days>d; the controller deletes an expired preview',
};

/** Top-level keys that only carry metadata: never warned. */
export const IGNORED_TOP_LEVEL = new Set(['version']);
