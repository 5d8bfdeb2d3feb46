/**
 * @module testing/setup
 * Run before each test file (jest `setupFiles`). The AWS SDK warns once per process that
 * its 2027 releases need Node 22; this machine has Node 20, and the warning is noise here.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
