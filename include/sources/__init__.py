"""One folder per source: its manifest, extractor, mock API (external sources) and README."""
