/**
 * @module commands/export
 * `carve export RUN --member N --format hf,onnx,gguf`: searched sub-networks of a run as
 * standalone models for other runtimes, after the run, without touching its files (holding
 * the run folder's lock meanwhile, as compress does).
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { checkRunId } from '@carve/catalog';
import { EXPORT_FORMATS, exportedFile, ExportFormat, exportRun } from '@carve/pipeline';
import { Command, InvalidArgumentError } from 'commander';
import { CliError } from '../errors';
import { CliIO } from '../io';
import { nonNegativeInt } from '../options';

interface ExportArgs {
  member: number[];
  format: ExportFormat[];
  ggufType: 'f16' | 'f32';
  catalog: string;
  out?: string;
}

/** A comma-separated list of formats, each one of EXPORT_FORMATS. */
function formatList(value: string): ExportFormat[] {
  const formats = value.split(',').map((f) => f.trim());
  const unknown = formats.filter((f) => !(EXPORT_FORMATS as readonly string[]).includes(f));
  if (unknown.length || formats.length === 0) throw new InvalidArgumentError(`unknown format ${unknown.join(', ') || "''"}: give a comma-separated list of ${EXPORT_FORMATS.join(', ')}`);
  return [...new Set(formats)] as ExportFormat[];
}

export function exportCommand(io: CliIO): Command {
  return new Command('export')
    .description("write searched sub-networks of a run as standalone models: 'hf' (safetensors, Python transformers), 'onnx' (transformers.js), 'gguf' (llama.cpp)")
    .argument('<run>', 'the run id, in the local catalog')
    .requiredOption('--member <n>', 'trial index of a front member (as front.json and the report number them); repeat for several', (v: string, all: number[] = []) => [...all, nonNegativeInt(v)])
    .option('--format <list>', `comma-separated formats: ${EXPORT_FORMATS.join(', ')}`, formatList, ['hf', 'onnx'] as ExportFormat[])
    .option('--gguf-type <type>', 'element type of the GGUF weights: f16 or f32 (norms stay f32)', (v: string) => {
      if (v !== 'f16' && v !== 'f32') throw new InvalidArgumentError('must be f16 or f32');
      return v;
    }, 'f16')
    .option('--catalog <dir>', 'the local catalog folder', 'carve-runs')
    .option('--out <dir>', 'where to write (replaced whole): a folder per member and index.json', undefined)
    .action(async (id: string, args: ExportArgs) => {
      checkRunId(id);
      const folder = nodePath.join(args.catalog, 'runs', id);
      if (!fs.existsSync(folder)) throw new CliError(`run ${id}: no folder ${folder}; \`carve runs list --catalog ${args.catalog}\` lists the runs`);
      const out = args.out ?? nodePath.join(folder, 'exports', args.member.map((m) => `t${m}`).join('-'));
      const index = await exportRun(folder, { members: args.member, formats: args.format, ggufType: args.ggufType, out, onNote: (line) => io.stderr(`${line}\n`) });
      for (const m of index.models) {
        const files = args.format.map((f) => nodePath.join(out, m.name, exportedFile(f, args.ggufType)));
        io.stdout(`${m.name}: ${m.params} parameters\n${files.map((f) => `  ${f}\n`).join('')}`);
      }
    });
}
