"""The named computations the notebooks show and the tests pin."""
