"""Where articles come in: corpus files, links, feeds, uploads."""
