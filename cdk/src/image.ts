/**
 * @module image
 * The worker's container image: built from the repository with apps/worker/Dockerfile
 * (CDK builds and pushes it at deploy time; the root .dockerignore keeps node_modules,
 * build outputs and run folders out of the build context), or a prebuilt image by URI.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct } from 'constructs';
import { CarveCloudError } from './errors';

/** The name in the repository root's package.json, which is how the root is recognised. */
export const WORKSPACE_NAME = 'carve-workspace';
/** The worker's Dockerfile, relative to the repository root. */
export const WORKER_DOCKERFILE = 'apps/worker/Dockerfile';

/**
 * The repository root: the nearest folder at or above `from` whose package.json is the
 * workspace's (the compiled stack sits in cdk/dist/src, its source in cdk/src).
 */
export function findRepoRoot(from: string = __dirname): string {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === WORKSPACE_NAME) return dir;
    if (path.dirname(dir) === dir) throw new CarveCloudError(`no folder at or above ${from} has the package.json of '${WORKSPACE_NAME}': the CDK app must run inside the carve repository`);
  }
}

// registry/repository[:tag|@digest] of a private ECR repository.
const ECR_IMAGE = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?\/([^:@]+)(?::([\w.-]+)|@(sha256:[0-9a-f]{64}))?$/;

/** Whether the image is pulled from ECR (the asset, or an ECR `imageUri`), which needs a registry login. */
export const pullsFromEcr = (imageUri: string | undefined): boolean => imageUri === undefined || ECR_IMAGE.test(imageUri);

/**
 * The worker image. `imageUri` of an ECR repository is pulled with the execution role (so
 * CDK grants it the pull); other registries must be public. `imageTag` changes the asset's
 * hash, so a new tag rebuilds the image.
 */
export function workerImage(scope: Construct, options: { imageUri?: string; imageTag?: string }): ecs.ContainerImage {
  const { imageUri, imageTag } = options;
  if (imageUri === undefined) {
    return ecs.ContainerImage.fromAsset(findRepoRoot(), {
      file: WORKER_DOCKERFILE,
      // The GPU instances are x86_64; a build on an ARM laptop must still target them.
      platform: Platform.LINUX_AMD64,
      extraHash: imageTag,
      displayName: 'carve worker image',
    });
  }
  const ecrImage = ECR_IMAGE.exec(imageUri);
  if (ecrImage === null) return ecs.ContainerImage.fromRegistry(imageUri);
  const [, account, region, china, name, tag, digest] = ecrImage;
  const repository = ecr.Repository.fromRepositoryAttributes(scope, 'WorkerRepository', {
    repositoryArn: `arn:${china ? 'aws-cn' : 'aws'}:ecr:${region}:${account}:repository/${name}`,
    repositoryName: name,
  });
  return ecs.ContainerImage.fromEcrRepository(repository, digest ?? tag ?? 'latest');
}
