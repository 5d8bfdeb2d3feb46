/**
 * @module instance-types
 * The GPU instance types the compute environment may launch, with their sizes, so that the
 * props check can tell a job that fits no instance (it would wait in RUNNABLE forever)
 * before anything is deployed. Sizes are AWS's published figures.
 */

/** The instance families with NVIDIA GPUs that the worker's CUDA 12 image runs on. */
export const GPU_FAMILIES = ['g4dn', 'g5', 'g6', 'g6e', 'p3', 'p4d', 'p5'] as const;

/** vCPUs and memory (GiB) of an instance type. */
export interface InstanceSize {
  vcpus: number;
  memoryGiB: number;
}

const sizes = (table: Record<string, [number, number]>): Record<string, InstanceSize> =>
  Object.fromEntries(Object.entries(table).map(([size, [vcpus, memoryGiB]]) => [size, { vcpus, memoryGiB }]));

// g4dn, g5 and g6 have the same vCPUs and memory (4 GiB per vCPU) for each size.
const gSizes = { xlarge: [4, 16], '2xlarge': [8, 32], '4xlarge': [16, 64], '8xlarge': [32, 128], '12xlarge': [48, 192], '16xlarge': [64, 256] } as Record<string, [number, number]>;

/** Known sizes per family; a size missing here is still accepted, only not checked for fit. */
export const GPU_INSTANCE_SIZES: Record<(typeof GPU_FAMILIES)[number], Record<string, InstanceSize>> = {
  g4dn: sizes({ ...gSizes, metal: [96, 384] }),
  g5: sizes({ ...gSizes, '24xlarge': [96, 384], '48xlarge': [192, 768] }),
  g6: sizes({ ...gSizes, '24xlarge': [96, 384], '48xlarge': [192, 768] }),
  g6e: sizes({ xlarge: [4, 32], '2xlarge': [8, 64], '4xlarge': [16, 128], '8xlarge': [32, 256], '12xlarge': [48, 384], '16xlarge': [64, 512], '24xlarge': [96, 768], '48xlarge': [192, 1536] }),
  p3: sizes({ '2xlarge': [8, 61], '8xlarge': [32, 244], '16xlarge': [64, 488] }),
  p4d: sizes({ '24xlarge': [96, 1152] }),
  p5: sizes({ '4xlarge': [16, 256], '48xlarge': [192, 2048] }),
};

/**
 * The share of an instance's nominal memory that ECS offers to jobs (the kernel and the ECS
 * agent keep the rest): about 95%, so a 16 GiB g5.xlarge takes a 15 GiB job. Approximate.
 */
export const JOB_MEMORY_SHARE = 0.95;

const INSTANCE_TYPE = /^([a-z0-9]+)\.([a-z0-9]+)$/;

/** The family of `type` when it is a GPU instance type of a known family, else undefined. */
export function gpuFamilyOf(type: string): (typeof GPU_FAMILIES)[number] | undefined {
  const family = INSTANCE_TYPE.exec(type)?.[1];
  return GPU_FAMILIES.find((f) => f === family);
}

/** The size of `type` when it is known. */
export function instanceSize(type: string): InstanceSize | undefined {
  const family = gpuFamilyOf(type);
  return family === undefined ? undefined : GPU_INSTANCE_SIZES[family][type.split('.')[1]];
}

/** The memory (MiB) a job can ask for on an instance of `size`. */
export const jobMemoryMiB = (size: InstanceSize): number => Math.floor(size.memoryGiB * 1024 * JOB_MEMORY_SHARE);
