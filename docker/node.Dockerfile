# govchain chain node: one node of a consortium created by `govchain consortium init`.
# Build from the repository root:  docker build -f docker/node.Dockerfile -t govchain-node .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# lmdb, coincurve and safe-pysha3 ship manylinux wheels; build tools only as a fallback
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /src
COPY . /src
RUN pip install . && rm -rf /src

RUN groupadd --system --gid 10001 govchain \
    && useradd --system --uid 10001 --gid govchain --home-dir /var/lib/govchain govchain \
    && mkdir -p /var/lib/govchain/node \
    && chown -R govchain:govchain /var/lib/govchain
USER govchain
WORKDIR /var/lib/govchain

# JSON-RPC HTTP, WebSocket, p2p (node i of the consortium uses 8545+10i, +1, +2)
EXPOSE 8545 8546 8547
VOLUME ["/var/lib/govchain/node"]

# Healthy when the node answers eth_blockNumber on its JSON-RPC port (GOVCHAIN_RPC_PORT).
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import json,os,urllib.request as u; port=os.environ.get('GOVCHAIN_RPC_PORT','8545'); r=u.urlopen(u.Request('http://127.0.0.1:'+port, data=b'{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\",\"params\":[]}', headers={'Content-Type':'application/json'}), timeout=4); assert 'result' in json.load(r)"]

# The node directory `consortium init` wrote (node.toml, genesis.json, validator key,
# TLS) is mounted read-write at /var/lib/govchain/node and is the node's data dir: the
# node reads genesis and keys there and writes chaindata/ and qbft-state/ beside them.
# --data-dir overrides node.toml's data_dir, an absolute path on the init machine.
ENTRYPOINT ["govchain", "node", "run"]
CMD ["--config", "/var/lib/govchain/node/node.toml", "--data-dir", "/var/lib/govchain/node"]
