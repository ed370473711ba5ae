"""The content pages: campaigns with their staggered launches, master content and its localizations, the
coverage grid, posts with live network and charter checks and a preview on the network."""
