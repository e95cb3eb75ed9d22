"""QBFT consensus for govchain consortia: a pure state machine and its Besu-compatible codecs.

Public surface (everything else is private):

- :func:`core.step` ``(config, state, event) -> (state, actions)``, :func:`core.restore`,
  :class:`core.Config`, :class:`core.BlockOps`, :class:`core.BlockInfo`;
- :mod:`events`: the events the node feeds in and the actions it must perform;
- :mod:`state`: :class:`state.NodeState` and :class:`state.Persisted` (what to fsync);
- :mod:`messages` / :mod:`encoding`: message values and their RLP wire format (0x12-0x15);
- :mod:`extra_data`: Besu's header extraData and the commit-seal / on-chain hashes;
- :mod:`validators`: quorum, f and proposer rotation; :mod:`voting`: header-vote tally;
- :mod:`crypto`: the injected signer/recoverer (secp256k1 in production, a fast fake in tests);
- :mod:`errors`: the one exception tree.

Boundary: nothing here imports py-evm, sockets, asyncio or the RPC layer (a test reads the
imports to keep it so); the node adapts py-evm headers to :class:`core.BlockOps`.
"""
