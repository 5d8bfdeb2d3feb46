// Bundles the compiled handler and everything it imports (the AWS SDK clients, zod, yaml,
// the run spec) into one file, dist/bundle/index.js: the Lambda's whole code, with no
// node_modules beside it. Numerical code (ONNX Runtime) must never get in; the build fails if it does.
const esbuild = require('esbuild');
const path = require('node:path');

async function main() {
  const outfile = path.join(__dirname, 'dist', 'bundle', 'index.js');
  const result = await esbuild.build({
    entryPoints: [path.join(__dirname, 'dist', 'index.js')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    metafile: true,
    logLevel: 'warning',
    legalComments: 'linked',
    minify: true,
    keepNames: true,
  });
  const inputs = Object.keys(result.metafile.inputs);
  const forbidden = inputs.filter((file) => /onnxruntime|libs\/(engine|model|pipeline)\//.test(file));
  if (forbidden.length > 0) throw new Error(`the trigger bundle must not include numerical code, but it has: ${forbidden.slice(0, 5).join(', ')}`);
  const bytes = result.metafile.outputs[path.relative(process.cwd(), outfile)]?.bytes ?? 0;
  process.stdout.write(`trigger bundle: ${path.relative(process.cwd(), outfile)} (${(bytes / 1024).toFixed(0)} KiB, ${inputs.length} modules)\n`);
}

main().catch((e) => {
  process.stderr.write(`${e.message}\n`);
  process.exit(1);
});
