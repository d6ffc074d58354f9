"""The ``tf2_eager`` rule family (``rules/tf2_eager/``, target ``tf2``): TF1 graph programs as eager TF2."""
