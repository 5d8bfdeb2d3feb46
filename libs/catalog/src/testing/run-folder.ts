/**
 * @module testing/run-folder
 * Run folders and manifests for the catalog tests: what a finished search leaves on disk.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { RunManifestInput } from '../manifest';

/** A complete run's manifest; `fields` override. */
export function manifest(id: string, fields: Partial<RunManifestInput> = {}): RunManifestInput {
  return {
    format: 1,
    id,
    status: 'complete',
    created: '2026-11-28T20:42:00.000Z',
    updated: '2026-11-28T21:02:00.000Z',
    spec: { model: 'stories260K', objectives: ['val-loss', 'params'] },
    seeds: { search: 1 },
    versions: { '@carve/catalog': '0.1.0', 'onnxruntime-node': '1.30.0' },
    stages: [{ name: 'search', status: 'complete', started: '2026-11-28T20:42:05.000Z', seconds: 1190 }],
    summary: { model: 'stories260K', objectives: ['val-loss', 'params'], trials: 30, frontSize: 2, hypervolume: 4 },
    ...fields,
  };
}

/** A front.json for val-loss and params (both minimized); the default members' hypervolume is 4. */
export function front(members: [number, number][] = [[2, 3], [3, 1]], reference: number[] | null = [4, 4]) {
  return {
    objectives: [
      { name: 'val-loss', direction: 'minimize' },
      { name: 'params', direction: 'minimize' },
    ],
    constraints: [],
    reference,
    hypervolume: 4,
    members: members.map(([loss, params], index) => ({ index, objectives: { 'val-loss': loss, params }, subNetwork: { embedDim: 16 } })),
  };
}

/** Writes `files` (name to content; objects as JSON) under `dir`, creating folders. */
export function writeRunFolder(dir: string, files: Record<string, string | Buffer | object>): string {
  for (const [name, content] of Object.entries(files)) {
    const path = nodePath.join(dir, ...name.split('/'));
    fs.mkdirSync(nodePath.dirname(path), { recursive: true });
    fs.writeFileSync(path, typeof content === 'string' || Buffer.isBuffer(content) ? content : JSON.stringify(content));
  }
  return dir;
}
