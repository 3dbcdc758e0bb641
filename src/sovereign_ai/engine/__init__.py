"""The build: papermill runs, publishing into figures/, the manifest, the notebooks' stored outputs, the book."""
