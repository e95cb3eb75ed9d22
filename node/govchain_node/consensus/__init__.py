"""Block sealing: Besu-compatible QBFT header data and the engines that seal blocks.

``extra_data`` holds the value type and its RLP codec, ``engine`` the interface the
node's block production talks to, ``dev`` the single-validator engine of ``--dev`` mode.
The multi-validator QBFT state machine (issue 5) implements the same interface.
"""
