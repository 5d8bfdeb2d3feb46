/**
 * @module errors
 * The CDK app's errors that are the user's to fix (a bad prop, a missing build): the app
 * prints their message as one line, without a stack trace.
 */

/** Something to fix before the stack can be synthesized; the message says what. */
export class CarveCloudError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A prop that is not valid, or props that cannot work together; `issues` holds each problem. */
export class CarveCloudPropsError extends CarveCloudError {
  constructor(readonly issues: readonly string[]) {
    super(`CarveCloudStack props: ${issues.join('; ')}`);
  }
}
