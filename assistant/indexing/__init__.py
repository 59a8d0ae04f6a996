"""Index: keyword (BM25 over scipy.sparse) and dense (FAISS) sides, the manifest, and atomic storage."""
