"""``--to torch-latest`` (rules/torch_deprecations): the structural transforms of the PyTorch deprecation rules."""
