#!/usr/bin/env node
/**
 * The CDK app: one CarveCloudStack (named by the `stackName` context, default 'Carve'),
 * its props from CDK context (`npx cdk deploy -c maxvCpus=64 -c spot=true`; every key and
 * default is in docs/cloud.md), checked by cdk-nag's AwsSolutions rules:
 * an unacknowledged finding stops the synthesis.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CarveCloudError, CarveCloudStack, propsFromContext, stackNameFromContext } from '../src';

const app = new App();
const context = (key: string): unknown => app.node.tryGetContext(key);
try {
  new CarveCloudStack(app, stackNameFromContext(context), propsFromContext(context));
} catch (e) {
  // A bad prop or a missing build is the user's to fix: one line saying what, without a stack trace.
  if (!(e instanceof CarveCloudError)) throw e;
  process.stderr.write(`${e.message}\n`);
  process.exit(1);
}
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
