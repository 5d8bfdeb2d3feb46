/**
 * @module context
 * The stack's props as CDK context: `npx cdk deploy -c maxvCpus=64 -c spot=true`, or the
 * `context` of cdk.json. Each key is a prop's name; `-c` gives strings, so numbers, booleans
 * and lists are read from their text here, and a value that reads as nothing sensible is
 * passed on as given for the props check to report by name.
 */
import type { CarveCloudProps } from './props';

/** The context key of the stack's name. */
export const STACK_NAME_KEY = 'stackName';
/** The stack's name when the context does not give one. */
export const DEFAULT_STACK_NAME = 'Carve';

const NUMBERS = ['maxvCpus', 'memoryMiB', 'vcpus', 'jobTimeout', 'retryAttempts', 'logRetentionDays', 'scratchExpirationDays'] as const;
const STRINGS = ['imageUri', 'imageTag', 'bucketName', 'removalPolicy', 'triggerBundleDir'] as const;

const asNumber = (v: unknown): unknown => (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v);
const asBoolean = (v: unknown): unknown => (v === 'true' ? true : v === 'false' ? false : v);
// A list is JSON (`["g5.xlarge"]`, as cdk.json holds it) or comma-separated text (as `-c` takes it).
const asList = (v: unknown): unknown => {
  if (typeof v !== 'string') return v;
  if (v.trim().startsWith('[')) {
    try {
      return JSON.parse(v) as unknown;
    } catch {
      return v;
    }
  }
  return v.split(',').map((s) => s.trim()).filter((s) => s !== '');
};

/** The props that the context given by `get` sets (keys it does not set are left out). */
export function propsFromContext(get: (key: string) => unknown): CarveCloudProps {
  const props: Record<string, unknown> = {};
  const set = (key: string, read: (v: unknown) => unknown) => {
    const value = get(key);
    if (value !== undefined) props[key] = read(value);
  };
  set('instanceTypes', asList);
  set('spot', asBoolean);
  for (const key of NUMBERS) set(key, asNumber);
  for (const key of STRINGS) set(key, (v) => v);
  return props as CarveCloudProps;
}

/** The stack name the context given by `get` asks for. */
export function stackNameFromContext(get: (key: string) => unknown): string {
  const name = get(STACK_NAME_KEY);
  return typeof name === 'string' && name !== '' ? name : DEFAULT_STACK_NAME;
}
