"""Pages anyone may see: what Ayni is, the pools, the books."""
