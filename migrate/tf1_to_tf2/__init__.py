"""``--to tf2-compat`` (rules/tf1_to_tf2): the structural transforms of the TF1 -> TF2 compat rules."""
