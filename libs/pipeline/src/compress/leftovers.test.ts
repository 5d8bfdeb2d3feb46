import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { removeLeftovers } from './leftovers';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'carve-leftovers-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test("the temporaries of killed processes are removed from the run folder, at any depth; a running process's and the run's files stay", async () => {
  const dead = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => dead.on('exit', resolve));
  const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  try {
    const folder = path.join(tmp, 'run');
    const d = dead.pid!;
    // What a kill leaves, one of each writer: writeFileAtomic, replaceFolderAtomically (its
    // new folder, and between its renames the old one), createRunFolder, the local catalog, fetchRun.
    const abandoned = [`stages/.data.json.${d}.1796598840133.tmp`, `train/checkpoints/step-000002/.optimizer.safetensors.${d}.1796598840133.tmp`, `.models.tmp-${d}-0a1b2c3d/t1/config.json`, `.models.tmp-${d}-0a1b2c3d.old/index.json`, `.train.tmp-${d}/run.json`, `.manifest.json.${d}-0a1b2c3d.carve-tmp`, `front.json.${d}.fetch`];
    const kept = [`stages/.data.json.${live.pid}.1796598840133.tmp`, 'stages/data.json', 'train/checkpoints/step-000002/optimizer.safetensors', 'models/t1/config.json', 'front.json', 'run.lock', '.notes'];
    for (const file of [...abandoned, ...kept]) {
      fs.mkdirSync(path.dirname(path.join(folder, file)), { recursive: true });
      fs.writeFileSync(path.join(folder, file), 'x');
    }
    expect(removeLeftovers(folder)).toEqual([`.manifest.json.${d}-0a1b2c3d.carve-tmp`, `.models.tmp-${d}-0a1b2c3d`, `.models.tmp-${d}-0a1b2c3d.old`, `.train.tmp-${d}`, `front.json.${d}.fetch`, `stages/.data.json.${d}.1796598840133.tmp`, `train/checkpoints/step-000002/.optimizer.safetensors.${d}.1796598840133.tmp`]);
    const left = (fs.readdirSync(folder, { recursive: true, withFileTypes: true }) as fs.Dirent[]).filter((e) => e.isFile()).map((e) => path.relative(folder, path.join(e.parentPath, e.name)));
    expect(left.sort()).toEqual([...kept].sort());
  } finally {
    live.kill('SIGKILL');
  }
});
