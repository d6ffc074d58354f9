"""``dlmigrate validate``: run the original and the rewritten program and compare what they compute.

Modules:
    executor.py   runs INSIDE the user's process; standalone (stdlib, numpy and the framework
                  under test only), so it can be copied to a bare GPU machine and run as
                  ``python executor.py --program X --out DIR``.
    runner.py     one side per subprocess: own interpreter, fresh temporary cwd, no stdin,
                  timeout with process-group kill, memory and file-size caps.
    compare.py    pairing of observations and the numeric comparison (numpy only).
    pipeline.py   validate_pair / validate_against / record_only and the program verdict.
    results.py    frozen result values; ``ProgramResult.to_dict()`` is the JSON form.
    report.py     plain-text tables; rules_verify.py and conversions.py back
                  ``rules verify`` and ``convert --validate``.

What is observed (see compare.py for how the two sides are paired): every
``Session.run`` result in call order with its line; values passed to the
``dlmigrate_observe(name, value)`` builtin; numeric module globals at the end
(graph tensors among them are evaluated in a fresh session when they need no
feed); the inputs and results of ``--entry`` functions.

Randomness: Python, numpy, TensorFlow (graph-level seed on every new graph, op
determinism) and torch are seeded identically; ``--random-tool`` runs both sides
under TF's DeterministicRandomTestTool; ``--share-init`` records the original's
initial variable values and loads them into the rewritten side (by name, else by
creation order and shape, transposing Dense kernels into Linear weights and HWIO
conv kernels into OIHW).  Not handled: RNN gate reordering, variables created
inside tf.function in eager mode, BatchNorm statistics conventions.

Result JSON (schema ``dlmigrate.validation/1``)::

    {"schema", "label", "verdict": PASS|MISMATCH|ERROR|TIMEOUT, "message", "compared",
     "wall_s", "tolerance": {"rtol", "atol"}, "counts": {verdict: n}, "max_abs_error",
     "sides": {"original"|"rewritten": {"role", "program", "status": ok|recorded|error|timeout|crashed,
               "exit_code", "wall_s", "framework", "versions": {name: version}, "device",
               "error": null | {"type", "message", "traceback_tail"}, "stderr_tail",
               "output_count", "notes": [..], "recording": dir | null}},
     "outputs": [{"name", "verdict", "message", "kind": session.run|global|observe|entry|input,
                  "original_line", "rewritten_line", "shape": [orig, rewritten], "dtype": [orig, rewritten],
                  "max_abs_error", "max_rel_error", "mismatch_share", "rtol", "atol"}]}
"""
