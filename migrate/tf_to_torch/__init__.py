"""TensorFlow 2 op-level code -> PyTorch (rules/tf_to_torch, codes TT1xxx); ``table.load_table`` is the data."""
