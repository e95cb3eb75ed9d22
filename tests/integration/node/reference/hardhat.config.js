// Reference EVM node for the JSON-RPC conformance suite (Hardhat 3 / EDR, offline).
// Build outputs go to a scratch directory so that running the node leaves the
// checkout clean; the tests set GOVCHAIN_HARDHAT_SCRATCH to their tmp dir.
import os from "node:os";
import path from "node:path";

const scratch = process.env.GOVCHAIN_HARDHAT_SCRATCH ?? path.join(os.tmpdir(), "govchain-hardhat");

export default {
  paths: {
    artifacts: path.join(scratch, "artifacts"),
    cache: path.join(scratch, "cache"),
  },
  networks: {
    default: {
      type: "edr-simulated",
      chainType: "l1",
      chainId: 31337,
    },
  },
};
