"""The local HTTP server that plays every external source's API (`elt mock-sources serve`)."""
