# govchain notary (FastAPI, web verifier at /); the same image runs the IoT bridge
# (`govchain iot-bridge run`), which is part of the same package.
# Build from the repository root:  docker build -f docker/notary.Dockerfile -t govchain-notary .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /src
COPY . /src
RUN pip install . && rm -rf /src

RUN groupadd --system --gid 10001 govchain \
    && useradd --system --uid 10001 --gid govchain --home-dir /var/lib/govchain govchain \
    && mkdir -p /var/lib/govchain/notary /var/lib/govchain/iot /etc/govchain \
    && chown -R govchain:govchain /var/lib/govchain
USER govchain
WORKDIR /var/lib/govchain

EXPOSE 8000
VOLUME ["/var/lib/govchain/notary"]

# Liveness: /healthz answers 200 while the process serves (readiness is /readyz).
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os,urllib.request as u; u.urlopen('http://127.0.0.1:'+os.environ.get('GOVCHAIN_NOTARY_PORT','8000')+'/healthz', timeout=4)"]

# Settings: GOVCHAIN_NOTARY_* environment over the TOML file in GOVCHAIN_NOTARY_CONFIG.
ENTRYPOINT ["govchain", "notary", "run"]
CMD ["--host", "0.0.0.0", "--port", "8000", "--data-dir", "/var/lib/govchain/notary"]
