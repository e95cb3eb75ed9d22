"""The consortium network layer: static permissioned peers over mutually authenticated TLS.

Public surface
--------------
- :class:`network.Network`: what the node service holds (transport + gossip, built from
  the ``[p2p]`` section); its docstring shows every call the node makes;
- :class:`network.NetworkPort`: that surface as an interface; :mod:`memory` implements it
  in one process, without TLS, for tests of consensus drivers;
- :class:`transport.Transport` (``start() -> port``, ``stop()``, ``send(address, code,
  payload) -> bool``, ``broadcast(code, payload, exclude=, role=) -> int``,
  ``peer_status()``, ``connected_peers()``, ``revalidate()``, ``wait_connected()``) with
  :class:`transport.TransportConfig` and :class:`transport.PeerSpec`;
- :class:`gossip.Gossip`: deduplicated relay of transactions (code 0x10) and QBFT
  messages (0x12-0x15, as produced by ``qbft.encoding.encode_message``);
- :mod:`settings`: the ``[p2p]`` section of ``node.toml`` -> :class:`TransportConfig`;
- :mod:`ca`: the consortium CA and node certificates; :mod:`identity`: addresses in
  certificates; :mod:`tls`: the SSL contexts; :mod:`hello`: the signed key-possession
  proof; :mod:`framing`: length-prefixed frames with size limits; :mod:`codes`;
- :mod:`errors`: the ``P2pError`` tree (under ``NodeError``).

Wiring in the node service (one asyncio loop)::

    settings = P2pSettings.from_mapping(toml["p2p"], node_dir)
    gossip = Gossip(on_transaction=pool_add, on_consensus=feed_qbft, on_other=sync)
    transport = Transport(transport_config(settings, chain_id), gossip.handle_frame,
                          on_peer=peer_changed,
                          extra_allowed=lambda ident: ident.address in validators)
    gossip.attach(transport)
    await transport.start()
    ... Broadcast(message) -> gossip.publish_consensus(*encode_message(message))
    ... local tx accepted  -> gossip.publish_transaction(raw)
    await transport.stop()

Boundary: nothing here imports py-evm, the RPC layer or storage; the QBFT package is used
only for its secp256k1 signer/recoverer, keccak and message codes.
"""
