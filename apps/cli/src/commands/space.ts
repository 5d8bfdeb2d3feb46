/**
 * @module commands/space
 * `carve space show`: the search space of a model as JSON: its dimensions and their values,
 * how many sub-networks it holds, and its smallest and largest members.
 */
import { countParams } from '@carve/model';
import { Command } from 'commander';
import { CliError } from '../errors';
import { CliIO } from '../io';
import { compactJson } from '@carve/pipeline';
import { ModelSpaceArgs, modelSpaceIssues, resolveModelSpace, withModelSpaceOptions } from '../model-space';
import { subNetworkRecord } from '../subnetworks';

export function spaceCommand(io: CliIO): Command {
  const show = withModelSpaceOptions(new Command('show').description('print a search space as JSON: dimensions, size, smallest and largest sub-network')).action(
    (args: ModelSpaceArgs) => {
      const issues = modelSpaceIssues(args);
      if (issues.length) throw new CliError(issues.join('; '));
      const { config, source, space, spaceOptions, layerOrderFrom } = resolveModelSpace(args);
      const summary = {
        model: { ...source, parameters: countParams(config) },
        space: space.name,
        options: spaceOptions,
        layerOrder: space.layerOrder,
        ...(layerOrderFrom ? { layerOrderFrom } : {}),
        exportRule: space.exportRule ?? null,
        dimensions: space.dimensions.map((d) => ({ name: d.name, scope: d.scope, values: d.values })),
        size: space.size().toString(), // may exceed 2^53
        smallest: subNetworkRecord(config, space.smallest()),
        largest: subNetworkRecord(config, space.largest()),
      };
      io.stdout(compactJson(summary));
    },
  );
  return new Command('space').description('inspect search spaces').addCommand(show);
}
