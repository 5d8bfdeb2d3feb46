/**
 * @module testing/synth
 * Stacks for the tests, synthesized once per test file (jest loads this module anew for
 * each file) with asset staging off, so no test copies the repository.
 */
import { App, CfnElement, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { Template } from 'aws-cdk-lib/assertions';
import { CarveCloudStack, CarveCloudStackProps } from '../stack';

/** A stack in an app of its own, and its template. */
export interface Synthesized {
  stack: CarveCloudStack;
  template: Template;
}

/** A new stack with `props`, synthesized. */
export function synth(props: CarveCloudStackProps = {}): Synthesized {
  // Asset metadata (each asset's source path) lets a test check which folder an asset is.
  const app = new App({ context: { 'aws:cdk:disable-asset-staging': true, 'aws:cdk:enable-asset-metadata': true } });
  const stack = new CarveCloudStack(app, 'Carve', props);
  return { stack, template: Template.fromStack(stack) };
}

let defaultStack: Synthesized | undefined;
/** The stack with every default, synthesized on first use. */
export const synthDefault = (): Synthesized => (defaultStack ??= synth());

/** The logical ids and properties of the template's resources of `type`. */
export function resourcesOf(template: Template, type: string): [string, Record<string, unknown>][] {
  return Object.entries(template.findResources(type)).map(([id, r]) => [id, (r as { Properties: Record<string, unknown> }).Properties]);
}

/** The one resource of `type`; fails unless there is exactly one. */
export function onlyResource(template: Template, type: string): [string, Record<string, unknown>] {
  const found = resourcesOf(template, type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}: ${found.map(([id]) => id).join(', ')}`);
  return found[0];
}

/** The template's logical id of an L2 construct's resource. */
export function logicalId(construct: IConstruct): string {
  const resource = construct.node.defaultChild;
  if (!CfnElement.isCfnElement(resource)) throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return Stack.of(construct).getLogicalId(resource);
}
