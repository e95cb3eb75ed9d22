"""Block sealing: Besu-compatible QBFT header data and the engines that seal blocks.

``extra_data`` holds the value type and its RLP codec, ``seals`` the commit-seal hash and
signer recovery, ``engine`` the interface the ``--dev`` producer talks to, ``dev`` the
single-validator engine of ``--dev`` mode, ``voting`` the validator set per block from
the chain's header votes and this node's own vote proposals. Consortium blocks are
decided by the QBFT core through :mod:`govchain_node.qbft_driver`.
"""
