/**
 * @module subnetworks
 * How commands show sub-networks: each with its parameter count, as one JSON object.
 */
import { countParams, ModelConfig, SubNetwork } from '@carve/model';

export interface SubNetworkRecord {
  params: number;
  subNetwork: SubNetwork;
}

export function subNetworkRecord(config: ModelConfig, s: SubNetwork): SubNetworkRecord {
  return { params: countParams(config, s), subNetwork: s };
}
