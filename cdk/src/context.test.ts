import { DEFAULT_STACK_NAME, propsFromContext, stackNameFromContext } from './context';
import { resolveProps } from './props';

const context = (values: Record<string, unknown>) => (key: string) => values[key];

describe('props from CDK context', () => {
  test('reads `-c key=value` strings as numbers, booleans and lists', () => {
    const props = propsFromContext(context({ maxvCpus: '64', spot: 'true', instanceTypes: 'g5.xlarge, g6e.2xlarge', jobTimeout: '1.5', removalPolicy: 'destroy', imageTag: 'v3' }));
    expect(props).toEqual({ maxvCpus: 64, spot: true, instanceTypes: ['g5.xlarge', 'g6e.2xlarge'], jobTimeout: 1.5, removalPolicy: 'destroy', imageTag: 'v3' });
    expect(resolveProps(props).maxvCpus).toBe(64);
  });

  test("takes cdk.json's typed values as they are, and a JSON list", () => {
    expect(propsFromContext(context({ maxvCpus: 16, spot: false, instanceTypes: ['g5.xlarge'] }))).toEqual({ maxvCpus: 16, spot: false, instanceTypes: ['g5.xlarge'] });
    expect(propsFromContext(context({ instanceTypes: '["g5.xlarge","g6.xlarge"]' }))).toEqual({ instanceTypes: ['g5.xlarge', 'g6.xlarge'] });
  });

  test('passes a value it cannot read on, for the props check to name', () => {
    const props = propsFromContext(context({ maxvCpus: 'lots', spot: 'maybe' }));
    expect(props).toEqual({ maxvCpus: 'lots', spot: 'maybe' });
    expect(() => resolveProps(props)).toThrow('CarveCloudStack props: maxvCpus: must be a number; spot: must be true or false');
  });

  test('sets nothing the context does not', () => {
    expect(propsFromContext(context({}))).toEqual({});
    expect(stackNameFromContext(context({}))).toBe(DEFAULT_STACK_NAME);
    expect(stackNameFromContext(context({ stackName: 'CarveStaging' }))).toBe('CarveStaging');
  });
});
