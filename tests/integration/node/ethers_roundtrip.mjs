// Deploy and use the test contract through ethers v6 against a JSON-RPC node.
// Usage: node ethers_roundtrip.mjs <rpc-url> <private-key> <compiled.json>
// Prints one JSON object with what it observed; exits non-zero on any failure.
import { readFileSync } from "node:fs";
import { ethers } from "ethers";

const [url, key, compiledPath] = process.argv.slice(2);
const compiled = JSON.parse(readFileSync(compiledPath, "utf8"));
const provider = new ethers.JsonRpcProvider(url, undefined, { pollingInterval: 50 });
// NonceManager: ethers caches identical requests for 250 ms, so two transactions sent
// back to back could otherwise be given the same "pending" nonce.
const wallet = new ethers.NonceManager(new ethers.Wallet(key, provider));

const factory = new ethers.ContractFactory(compiled.abi, compiled.bytecode, wallet);
const contract = await factory.deploy();
await contract.waitForDeployment();
const address = await contract.getAddress();

const key32 = ethers.id(`ethers:${Date.now()}:${Math.random()}`);
const root = ethers.id("ethers-root");
const tx = await contract.anchor(key32, root);
const receipt = await tx.wait();
const stored = await contract.roots(key32);

let revertReason = null;
try {
  await contract.mustBePositive(0);
} catch (error) {
  revertReason = error.reason ?? null;
}
let customError = null;
try {
  await contract.anchor.staticCall(key32, root);
} catch (error) {
  customError = error.revert?.name ?? null;
}
const events = await contract.queryFilter(contract.filters.Anchored(key32), receipt.blockNumber);
const network = await provider.getNetwork();
const block = await provider.getBlock(receipt.blockNumber);

console.log(JSON.stringify({
  chainId: network.chainId.toString(),
  address,
  status: receipt.status,
  stored,
  expected: root,
  revertReason,
  customError,
  events: events.length,
  eventKey: events[0]?.args?.key ?? null,
  key: key32,
  blockHash: block.hash,
  receiptBlockHash: receipt.blockHash,
}));
provider.destroy();
