# The README's commands. `make run` sets up .venv, brings the index in line with corpus/ and serves it
# (API, chat page and bots on http://127.0.0.1:8000); `make test` sets up .venv and runs the tests
# (what .ci/run calls).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# torch 2.13.0: a local CPU wheel on the project's machines; on others pip takes the PyPI build.
# Set TORCH_SPEC or PIP_EXTRA_INDEX_URL for a CPU-only build elsewhere.
TORCH_SPEC ?= torch==2.13.0

.PHONY: setup run test lint bench screenshots clean

$(BIN)/assistant: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet "$(TORCH_SPEC)" 2>&1 | grep -v "^WARNING: Location" || true
	$(BIN)/python -m pip install --quiet -e ".[dev,bench,integrations,redis,milvus]" 2>&1 | grep -v "^WARNING: Location" || true
	$(BIN)/python -c "import assistant, faiss, kiwipiepy, jieba, opencc, sentence_transformers, langchain_core, llama_index.core, limits, redis, pymilvus"
	touch $(BIN)/assistant

setup: $(BIN)/assistant

HOST ?= 127.0.0.1
PORT ?= 8000

run: setup
	$(BIN)/assistant index build --corpus corpus --index index
	$(BIN)/assistant serve --host $(HOST) --port $(PORT) --index index

test: setup
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check assistant tests eval
	$(BIN)/ruff format --check assistant tests eval
	$(BIN)/mypy

bench: setup
	$(BIN)/python eval/benchmark_retrieval.py
	$(BIN)/python eval/benchmark_api.py

# The README's pictures of the chat page, taken by its Playwright tests in Debian's chromium.
screenshots: setup
	ASSISTANT_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest -q tests/web/test_page.py \
		-k "korean_answer or chinese_answer or empty_state or markdown or phone_width"

clean:
	rm -rf $(VENV) *.egg-info index/gen-* index/CURRENT
