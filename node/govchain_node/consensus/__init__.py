"""Consensus, in one home: the pure QBFT core, the engines that drive it, and block sync.

Pure (no py-evm, sockets, asyncio or RPC; import-linter contracts in ``pyproject.toml``):

- :mod:`.qbft`: the QBFT state machine ``step(config, state, event) -> (state, actions)``,
  its messages and their Besu-compatible wire codec;
- :mod:`.extra_data`: the one header codec, Besu's QBFT ``extraData`` and the commit-seal /
  on-chain hashes, shared by ``--dev`` and consortium blocks;
- :mod:`.voting`: the header-vote tally, its history along the chain, this node's proposals;
- :mod:`.signing`: keccak-256 and secp256k1 signing/recovery, the only module of this
  package the p2p layer imports.

On py-evm and the node:

- :mod:`.seals`: commit-seal digests and signer recovery for py-evm headers;
- :mod:`.engine` / :mod:`.dev`: the sealing interface of the ``--dev`` producer and its
  single-validator engine;
- :mod:`.driver`: drives the QBFT core with the ledger, the pool, timers and the network;
- :mod:`.sync`: block sync's wire codecs and the seal check before import;
- :mod:`.host` / :mod:`.factory` / :mod:`.producer`: what the engines need of the node,
  the one routine after a commit, and the choice between ``--dev`` and QBFT;
- :mod:`.consortium`, :mod:`.consortium_cli`: ``govchain consortium init|up|status``
  (genesis, keys, CA, one ``node.toml`` per node).
"""
