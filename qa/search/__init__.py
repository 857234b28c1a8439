"""Questions answered from one index: retrieval, ranking, the answer."""
