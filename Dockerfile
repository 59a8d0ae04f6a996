# The assistant with the demo corpus. Build: docker build -t assistant .  Run: docker run -p 8000:8000 assistant
FROM python:3.11-slim
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1
RUN apt-get update && apt-get install -y --no-install-recommends make && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md Makefile ./
COPY assistant ./assistant
RUN python -m venv .venv \
    && .venv/bin/pip install --quiet torch==2.13.0 \
    && .venv/bin/pip install --quiet -e .
COPY corpus ./corpus
COPY eval ./eval
RUN .venv/bin/assistant index build --corpus corpus --index index
EXPOSE 8000
CMD [".venv/bin/assistant", "serve", "--host", "0.0.0.0", "--port", "8000", "--index", "index"]
