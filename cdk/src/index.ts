/**
 * @module @carve/cdk
 * The AWS CDK app of the cloud path: the stack, its props and their check, reading the props
 * from CDK context, and the project's security scan of a synthesized template.
 */
export { CarveCloudStack, STACK_FEATURE_FLAGS } from './stack';
export type { CarveCloudStackProps } from './stack';
export { CarveCloudError, CarveCloudPropsError } from './errors';
export { carveCloudPropsSchema, DEFAULT_PROPS, LOG_RETENTION_DAYS, resolveProps } from './props';
export type { CarveCloudProps, ResolvedCarveCloudProps } from './props';
export { DEFAULT_STACK_NAME, propsFromContext, STACK_NAME_KEY, stackNameFromContext } from './context';
export { GPU_FAMILIES, GPU_INSTANCE_SIZES, instanceSize } from './instance-types';
export { findRepoRoot, WORKER_DOCKERFILE } from './image';
export { triggerBundleDir } from './trigger';
export { workerRetryStrategies } from './batch';
export { RESOURCE_STAR_ACTIONS, scanTemplate } from './security';
export type { ScannedTemplate, SecurityFinding } from './security';
