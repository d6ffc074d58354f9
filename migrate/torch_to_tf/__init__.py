"""PyTorch op-level code -> TensorFlow 2 (rules/torch_to_tf, TT15xx), through the reverse TF<->torch table."""
