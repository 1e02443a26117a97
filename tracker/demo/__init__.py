"""The offline demo: a bundled archive, a local server with a virtual clock, and a runner."""
