"""``--to torch`` (rules/keras_to_torch): Keras models -> torch.nn.Module source, with a weight-transfer manifest."""
