import { CarveCloudPropsError } from './errors';
import { DEFAULT_PROPS, resolveProps } from './props';
import { GPU_INSTANCE_SIZES, instanceSize, jobMemoryMiB } from './instance-types';
import { synth } from './testing/synth';

const problems = (props: Parameters<typeof resolveProps>[0]): readonly string[] => {
  try {
    resolveProps(props);
  } catch (e) {
    if (e instanceof CarveCloudPropsError) return e.issues;
    throw e;
  }
  throw new Error('the props were accepted');
};

describe('resolveProps', () => {
  test('fills in every default', () => {
    expect(resolveProps({})).toEqual({ ...DEFAULT_PROPS, instanceTypes: [...DEFAULT_PROPS.instanceTypes] });
    expect(resolveProps({ spot: true, imageTag: 'v1' })).toMatchObject({ spot: true, imageTag: 'v1', maxvCpus: 32 });
  });

  test('the default job fits the smallest default instance, a g5.xlarge', () => {
    expect(jobMemoryMiB(instanceSize('g5.xlarge')!)).toBeGreaterThanOrEqual(DEFAULT_PROPS.memoryMiB);
    expect(instanceSize('g5.xlarge')!.vcpus).toBeGreaterThanOrEqual(DEFAULT_PROPS.vcpus);
  });

  test('lists every bad prop, by name, in one error', () => {
    const bad = { maxvCpus: 2, instanceTypes: ['g5.xlarge', 't3.micro'], spot: 'yes', logRetentionDays: 10, retryAttempts: 0, removalPolicy: 'keep', bucketName: 'Bad_Name', jobTimeout: 400 } as never;
    expect(() => resolveProps(bad)).toThrow(CarveCloudPropsError);
    expect(() => resolveProps(bad)).toThrow(/^CarveCloudStack props: /);
    expect(problems(bad)).toEqual([
      "instanceTypes.1: 't3.micro' is not a GPU instance (g4dn, g5, g6, g6e, p3, p4d, p5 families)",
      'maxvCpus: must be ≥ 4 (one GPU instance has 4 vCPUs)',
      'spot: must be true or false',
      'jobTimeout: must be ≤ 336 hours (Batch stops jobs after 14 days)',
      'retryAttempts: must be ≥ 1 (Batch allows 1 to 10 attempts)',
      "logRetentionDays: must be one of CloudWatch's retention periods: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653",
      'bucketName: must be a valid S3 bucket name: 3 to 63 lower-case letters, digits, dots and hyphens',
      "removalPolicy: must be 'retain' or 'destroy'",
    ]);
  });

  test('names a prop it does not know', () => {
    expect(problems({ maxVcpus: 8 } as never)).toEqual([expect.stringMatching(/^maxVcpus: not a prop of CarveCloudStack \(known: instanceTypes, maxvCpus, /)]);
  });

  test('rejects a job that no instance type can hold', () => {
    expect(problems({ memoryMiB: 20_000, instanceTypes: ['g5.xlarge', 'g6.xlarge'] })).toEqual([
      'memoryMiB: 20000 fits none of instanceTypes (g5.xlarge: about 15564 MiB for jobs, g6.xlarge: about 15564 MiB for jobs); ask for less or add a larger type',
    ]);
    expect(problems({ vcpus: 16, maxvCpus: 8 })).toEqual(['vcpus: 16 is more than maxvCpus (8); a job could never start', 'vcpus: 16 is more than any of instanceTypes has (g5.xlarge: 4, g5.2xlarge: 8, g6.xlarge: 4, g6.2xlarge: 8)']);
    // 32 vCPUs (g5.8xlarge) and 200 GiB (p5.4xlarge) are there, but not on one instance.
    expect(problems({ vcpus: 32, maxvCpus: 64, memoryMiB: 200 * 1024, instanceTypes: ['g5.8xlarge', 'p5.4xlarge'] })).toEqual(['vcpus, memoryMiB: no one of instanceTypes has both 32 vCPUs and 204800 MiB']);
    // A size it does not know may fit, so it is not judged.
    expect(resolveProps({ memoryMiB: 500_000, instanceTypes: ['g6.metal'] }).memoryMiB).toBe(500_000);
    expect(resolveProps({ memoryMiB: 60 * 1024, instanceTypes: ['g5.xlarge', 'g5.8xlarge'] }).memoryMiB).toBe(61_440);
  });

  test('every known instance size has more memory per vCPU than a job of the default shape needs', () => {
    for (const [family, sizes] of Object.entries(GPU_INSTANCE_SIZES)) {
      for (const [size, { vcpus, memoryGiB }] of Object.entries(sizes)) expect([`${family}.${size}`, memoryGiB / vcpus >= 4]).toEqual([`${family}.${size}`, true]);
    }
  });

  test('the stack checks its props before it builds anything', () => {
    expect(() => synth({ maxvCpus: 0, imageTag: 'not a tag' })).toThrow(
      'CarveCloudStack props: maxvCpus: must be ≥ 4 (one GPU instance has 4 vCPUs); imageTag: must be a Docker tag: letters, digits, _ . -, at most 128',
    );
  });
});
