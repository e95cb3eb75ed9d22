"""QBFT consensus for govchain consortia: a pure state machine and its Besu-compatible codecs.

Public surface (modules starting with ``_`` are private):

- :func:`core.step` ``(config, state, event) -> (state, actions)``, :func:`core.restore`,
  :class:`core.Config`, :class:`core.BlockOps`, :class:`core.BlockInfo`;
- :mod:`events`: the events the node feeds in and the actions it must perform;
- :mod:`state`: :class:`state.NodeState` and :class:`state.Persisted` (what to fsync);
- :mod:`messages` / :mod:`encoding`: message values, their RLP wire format (0x12-0x15)
  and the persisted record's encoding;
- :mod:`blocks`: :class:`blocks.RlpBlockOps` and :func:`blocks.seal_block` for RLP blocks;
- :mod:`validators`: quorum, f and proposer rotation;
- :mod:`runner`: :class:`runner.Runner`, the loop that feeds the core and hands each action
  to the node's :class:`runner.ActionHandler` (the driver's and the simulator's);
- :mod:`future`: the bounded buffer of messages for heights not running yet;
- :mod:`errors`: :class:`~errors.QbftError` (configuration); the codecs raise
  :class:`govchain_node.codec.errors.DecodeError`.

Beside it in :mod:`govchain_node.consensus`, and as pure: :mod:`~..voting` (the header-vote
tally). Below it, shared with the ledger and p2p: :mod:`govchain_node.codec` (strict RLP,
Besu's header extraData and the commit-seal / on-chain hashes) and
:mod:`govchain_node.signing` (keccak and the injected signer/recoverer: secp256k1 in
production, a fast fake in tests).

How a node drives it (one consensus task; ``feed`` = call ``step``, keep the new state,
perform the actions *in order*; :class:`runner.Runner` does the feeding, the node's
handler the performing)::

    state = restore(decode_persisted(disk) if disk else None)
    feed(NewChainHead(head.number, validators_after(head), head.coinbase))
    frame (code, data) from a peer -> feed(MessageReceived(decode_message(code, data)))
                                      (DecodeError: drop the frame, maybe score the peer)
    round timer fires              -> feed(RoundTimerExpired(height, round))
    Persist(record)      -> write encode_persisted(record) atomically and fsync, *then* go on
    Broadcast(message)   -> encode_message(message) to every other validator
    StartRoundTimer(...) -> cancel the previous timer, start this one
    RequestBlock(h, r)   -> build on the head no earlier than parent.timestamp + period, with
                            extraData (validators after the parent, own vote, round r,
                            no seals) -> feed(BlockCandidate(h, r, block))
    CommitBlock(...)     -> seal_block(block, seals), verify, import durably,
                            then feed(NewChainHead(...)) for the new head
    block imported by sync -> feed(NewChainHead(...)) as well

Messages for the next heights are held by the runner and fed after the head moves
(:class:`future.FutureMessages`, with bounds chosen by the driver and the simulator); the
core itself ignores other heights.

Boundary: nothing here imports py-evm, sockets, asyncio or the RPC layer (an import-linter
contract in ``pyproject.toml`` and a test reading the imports keep it so); the node adapts
py-evm to :class:`core.BlockOps`.
"""
