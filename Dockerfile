# The assistant, CPU only, serving the demo corpus (or your own: mount it on /data/corpus).
#   docker build -t assistant .
#   docker run -p 8000:8000 -e ASSISTANT_API__API_KEYS='["change-me"]' assistant
# Off loopback the server refuses to start without keys (see SECURITY.md); compose.yaml runs it with Milvus
# and Redis. Build arguments: TORCH_SPEC (default: the newest CPU build) and TORCH_INDEX (PyTorch's CPU wheels).
FROM python:3.11-slim

ARG TORCH_SPEC=torch
ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 \
    VIRTUAL_ENV=/opt/venv PATH=/opt/venv/bin:$PATH

# 1. CPU-only torch (large, rarely changes), then the dependencies named in pyproject.toml: the code is
#    copied only after them, so editing it reuses these layers.
RUN python -m venv /opt/venv && pip install --quiet --index-url "$TORCH_INDEX" "$TORCH_SPEC"
WORKDIR /app
COPY pyproject.toml README.md ./
RUN python -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; \
extra = p['optional-dependencies']; print('\n'.join(p['dependencies'] + extra['milvus'] + extra['redis']))" \
        > /tmp/requirements.txt \
    && pip install --quiet -r /tmp/requirements.txt

# 2. The package itself, then a user without root and the folders it writes.
COPY assistant ./assistant
RUN pip install --quiet --no-deps . \
    && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin assistant \
    && mkdir -p /data/index /data/corpus /data/state \
    && chown -R assistant:assistant /data
COPY --chown=assistant:assistant corpus /data/corpus
USER assistant
WORKDIR /data

# Everything the service writes lives in /data: the index generations, the corpus folder uploads go to,
# and conversations and API keys (state/). Mount volumes there to keep them across containers.
ENV ASSISTANT_INDEX_DIR=/data/index ASSISTANT_CORPUS_DIR=/data/corpus \
    ASSISTANT_CONVERSATIONS__PATH=/data/state/conversations.sqlite3 ASSISTANT_API__KEYS_FILE=/data/state/api-keys.json \
    ASSISTANT_API__HOST=0.0.0.0 ASSISTANT_WORKERS=1
VOLUME ["/data/index", "/data/corpus", "/data/state"]
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=120s --retries=3 \
    CMD python -c "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4).status != 200)"
# The index is brought in line with the corpus at start (only changed documents are processed), then served.
CMD ["sh", "-c", "assistant index build --corpus /data/corpus --index /data/index && exec assistant serve --host 0.0.0.0 --port 8000 --index /data/index --workers \"$ASSISTANT_WORKERS\""]
