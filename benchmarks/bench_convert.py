"""Wall time of ``dlmigrate convert --out`` on a large TF1 tree, against tf_upgrade_v2 on the same tree.

The tree is generated deterministically (seeded) into benchmarks/.cache/convert_tree
(git-ignored): about 450 files / 140k lines of TF1-era code -- graph-mode
models, training loops with sessions and feed dicts, input pipelines, summaries,
plus a good share of framework-free helper code and some modules that import no
framework at all, as real projects have.  Both tools run in the same session on
the same input; each writes a fresh output tree.

    .venv/bin/python benchmarks/bench_convert.py [--files 450] [--no-peer] [--profile]

``--profile`` runs the conversion in-process with cProfile (one worker) and
prints the functions with the most cumulative and own time.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CACHE = HERE / ".cache"
TREE = CACHE / "convert_tree"
BIN = Path(sys.executable).parent
SEED = 20240611
GENERATOR_VERSION = "3"  # bump to regenerate the cached tree when the templates change

HEADER_TF = [
    "import tensorflow as tf\n",
    "import tensorflow.compat.v1 as tf\n",
    "import tensorflow as tf\nfrom tensorflow.contrib import layers as contrib_layers\n",
    "import tensorflow as tf\nfrom tensorflow import nn\n",
]

MODEL = '''

def {name}_conv_net(images, num_classes={classes}, is_training=True, scope="{name}"):
    """Convolutional classifier: {convs} conv blocks, then two dense layers."""
    with tf.variable_scope(scope, reuse=tf.AUTO_REUSE):
        net = images
        for i, filters in enumerate([{filters}]):
            kernel = tf.get_variable(
                "conv%d/kernel" % i, [3, 3, net.get_shape()[-1], filters],
                initializer=tf.truncated_normal_initializer(stddev=0.05),
            )
            net = tf.nn.conv2d(net, kernel, strides=[1, 1, 1, 1], padding="SAME")
            net = tf.nn.relu(net)  # activation
            net = tf.nn.max_pool(net, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")
            net = tf.nn.dropout(net, keep_prob=0.9 if is_training else 1.0)
        flat = tf.reshape(net, [-1, int(net.get_shape()[1] * net.get_shape()[2] * net.get_shape()[3])])
        hidden = tf.layers.dense(flat, {hidden}, activation=tf.nn.relu, name="hidden")
        logits = tf.layers.dense(hidden, num_classes, name="logits")
        tf.summary.histogram("logits", logits)
        return logits
'''

LOSS = '''

def {name}_loss(logits, labels, weight_decay={decay}):
    cross_entropy = tf.reduce_mean(
        tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits)
    )
    l2 = tf.add_n([tf.nn.l2_loss(v) for v in tf.trainable_variables() if "kernel" in v.name])
    total = cross_entropy + weight_decay * l2
    tf.summary.scalar("loss", total)
    correct = tf.equal(tf.argmax(logits, 1), tf.argmax(labels, 1))
    accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
    return total, accuracy
'''

TRAIN = '''

def train_{name}(dataset, steps={steps}, batch_size={batch}, learning_rate={lr}):
    """Graph-mode training loop with feed dicts and a saver."""
    x = tf.placeholder(tf.float32, [None, {size}, {size}, 3], name="images")
    y = tf.placeholder(tf.float32, [None, {classes}], name="labels")
    keep = tf.placeholder_with_default(1.0, shape=[])
    logits = {model}_conv_net(x, num_classes={classes})
    loss, accuracy = {model}_loss(logits, y)
    global_step = tf.train.get_or_create_global_step()
    optimizer = tf.train.AdamOptimizer(learning_rate=learning_rate)
    train_op = optimizer.minimize(loss, global_step=global_step)
    merged = tf.summary.merge_all()
    saver = tf.train.Saver(max_to_keep=3)
    history = []
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        writer = tf.summary.FileWriter("/tmp/{name}", sess.graph)
        for step in range(steps):
            images, labels = dataset.next_batch(batch_size)
            _, loss_value, acc, summary = sess.run(
                [train_op, loss, accuracy, merged], feed_dict={{x: images, y: labels, keep: 0.5}}
            )
            writer.add_summary(summary, step)
            history.append((step, loss_value, acc))
            if step % 100 == 0:
                print("step %d loss %.4f acc %.3f" % (step, loss_value, acc))
                saver.save(sess, "/tmp/{name}/model.ckpt", global_step=step)
    return history
'''

PIPELINE = '''

def {name}_input_fn(filenames, batch_size={batch}, shuffle=True):
    dataset = tf.data.TFRecordDataset(filenames)

    def parse(record):
        features = tf.parse_single_example(record, {{
            "image": tf.FixedLenFeature([], tf.string),
            "label": tf.FixedLenFeature([], tf.int64),
        }})
        image = tf.decode_raw(features["image"], tf.uint8)
        image = tf.reshape(tf.to_float(image), [{size}, {size}, 3]) / 255.0
        label = tf.one_hot(features["label"], {classes})
        return image, label

    dataset = dataset.map(parse)
    if shuffle:
        dataset = dataset.shuffle(buffer_size=1000)
    dataset = dataset.batch(batch_size).repeat()
    iterator = dataset.make_one_shot_iterator()
    return iterator.get_next()
'''

RNN = '''

def {name}_rnn(inputs, lengths, units={hidden}):
    cell = tf.nn.rnn_cell.LSTMCell(units)
    outputs, state = tf.nn.dynamic_rnn(cell, inputs, sequence_length=lengths, dtype=tf.float32)
    last = tf.gather_nd(outputs, tf.stack([tf.range(tf.shape(outputs)[0]), lengths - 1], axis=1))
    probs = tf.nn.softmax(tf.layers.dense(last, {classes}), axis=-1)
    return tf.log(probs + 1e-8), state
'''

CONTRIB = '''

def {name}_slim_head(net, num_classes={classes}):
    net = tf.contrib.layers.flatten(net)
    net = contrib_layers.fully_connected(net, {hidden}) if "contrib_layers" in globals() else net
    return tf.contrib.layers.fully_connected(net, num_classes, activation_fn=None)
'''

HELPERS = [
    '''

def {name}_moving_average(values, window={window}):
    """Simple moving average; no framework needed."""
    if window <= 0:
        raise ValueError("window must be positive, got %r" % (window,))
    result = []
    total = 0.0
    for i, value in enumerate(values):
        total += value
        if i >= window:
            total -= values[i - window]
        result.append(total / min(i + 1, window))
    return result
''',
    '''

class {cname}Config(object):
    """Hyper-parameters, read from a dict or the command line."""

    def __init__(self, **overrides):
        self.learning_rate = {lr}
        self.batch_size = {batch}
        self.steps = {steps}
        self.hidden = {hidden}
        self.name = "{name}"
        for key, value in overrides.items():
            if not hasattr(self, key):
                raise KeyError("unknown setting %s" % key)
            setattr(self, key, value)

    def as_dict(self):
        return {{k: v for k, v in vars(self).items() if not k.startswith("_")}}

    def __repr__(self):
        items = ", ".join("%s=%r" % kv for kv in sorted(self.as_dict().items()))
        return "{cname}Config(%s)" % items
''',
    '''

def {name}_parse_line(line, separator=","):
    # tolerate comments and blank lines in the label files
    line = line.strip()
    if not line or line.startswith("#"):
        return None
    parts = [p.strip() for p in line.split(separator)]
    try:
        return parts[0], int(parts[1]), [float(v) for v in parts[2:]]
    except (IndexError, ValueError):
        return None
''',
    '''

def {name}_batches(items, size={batch}, drop_last=False):
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch and not drop_last:
        yield batch
''',
    '''

def {name}_confusion(pairs, classes={classes}):
    matrix = [[0] * classes for _ in range(classes)]
    for truth, predicted in pairs:
        matrix[truth][predicted] += 1
    precision = []
    for c in range(classes):
        column = sum(matrix[r][c] for r in range(classes))
        precision.append(matrix[c][c] / float(column) if column else 0.0)
    return matrix, precision
''',
]

PLAIN_HEADER = '"""Utilities for {name} (no framework code)."""\nimport collections\nimport json\nimport os\n'
TF_HEADER = '"""{title} (generated for the convert benchmark)."""\nfrom __future__ import print_function\n\nimport os\nimport numpy as np\n'


def _fill(template: str, rng: random.Random, index: int, part: int) -> str:
    name = f"m{index}_{part}"
    return template.format(
        name=name, cname=f"M{index}P{part}", model=name, classes=rng.choice([2, 10, 100]),
        convs=rng.randint(2, 4), filters=", ".join(str(2 ** rng.randint(4, 8)) for _ in range(rng.randint(2, 4))),
        hidden=rng.choice([64, 128, 256, 512]), decay=rng.choice([1e-4, 5e-4]), steps=rng.choice([1000, 5000]),
        batch=rng.choice([16, 32, 64]), lr=rng.choice([0.001, 0.01, 3e-4]), size=rng.choice([28, 32, 64]),
        window=rng.randint(2, 20),
    )


def generate_module(rng: random.Random, index: int) -> str:
    """One file of ~150-500 lines; about one in six imports no framework."""
    target = rng.randint(150, 480)
    if index % 6 == 5:
        parts = [PLAIN_HEADER.format(name=f"m{index}")]
        pool = HELPERS
    else:
        parts = [TF_HEADER.format(title=f"Model {index}") + rng.choice(HEADER_TF)]
        pool = HELPERS * 2 + [PIPELINE, RNN, CONTRIB]
        part = 0
        parts.append(_fill(MODEL, rng, index, part) + _fill(LOSS, rng, index, part))
        if rng.random() < 0.5:
            parts.append(_fill(TRAIN, rng, index, part))
    part = 1
    while sum(p.count("\n") for p in parts) < target:
        parts.append(_fill(rng.choice(pool), rng, index, part))
        part += 1
    return "".join(parts)


def generate_tree(files: int) -> tuple[Path, int]:
    stamp = TREE / f".generated-{GENERATOR_VERSION}-{files}"
    if stamp.exists():
        return TREE, int(stamp.read_text())
    shutil.rmtree(TREE, ignore_errors=True)
    rng = random.Random(SEED)
    lines = 0
    for index in range(files):
        package = TREE / f"project{index % 7}" / f"pkg{index % 13}"
        package.mkdir(parents=True, exist_ok=True)
        text = generate_module(rng, index)
        lines += text.count("\n")
        (package / f"module_{index}.py").write_text(text)
    (TREE / "README.md").write_text("Generated TF1 project for benchmarks/bench_convert.py\n")
    stamp.write_text(str(lines))
    return TREE, lines


def timed(command: list[str]) -> tuple[float, float, subprocess.CompletedProcess]:
    """Wall seconds and CPU seconds (user + system, all worker processes) of one run.

    CPU time is the fairer comparison on a busy machine; wall time is what a user waits.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc


def profile(tree: Path, top: int) -> None:
    sys.path.insert(0, str(ROOT))
    from migrate.convert import ConvertOptions, convert_paths

    out = CACHE / "convert_out_profile"
    shutil.rmtree(out, ignore_errors=True)
    profiler = cProfile.Profile()
    profiler.enable()
    results = list(convert_paths([tree], ConvertOptions(out_dir=out), jobs=1))
    profiler.disable()
    print(f"profiled {len(results)} files")
    for order in ("cumulative", "tottime"):
        buffer = io.StringIO()
        pstats.Stats(profiler, stream=buffer).sort_stats(order).print_stats(top)
        print(buffer.getvalue())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=450)
    parser.add_argument("--no-peer", action="store_true", help="skip tf_upgrade_v2")
    parser.add_argument("--only-lint", action="store_true", help="time lint --to tf2-compat (and the peer), not convert")
    parser.add_argument("--profile", action="store_true", help="cProfile one in-process run instead of timing")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()

    tree, lines = generate_tree(args.files)
    print(f"tree: {tree} ({args.files} files, {lines} lines; generator v{GENERATOR_VERSION}, seed {SEED})")
    if args.profile:
        profile(tree, args.top)
        return 0

    cores = os.cpu_count() or 1
    print(f"load average before the runs: {', '.join(f'{v:.1f}' for v in os.getloadavg())} on {cores} cores")
    runs: list[tuple[str, float, float]] = []
    converts = () if args.only_lint else ((f"dlmigrate convert --jobs 1", ["--jobs", "1"]),
                                          (f"dlmigrate convert (default jobs = {cores} cores)", []))
    for label, extra in converts:
        out = CACHE / "convert_out_dlmigrate"
        shutil.rmtree(out, ignore_errors=True)
        seconds, cpu, proc = timed([str(BIN / "dlmigrate"), "convert", str(tree), "--out", str(out), "--no-diff",
                                    "-q", *extra])
        summary = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else ""
        print(f"{label:<45} wall {seconds:7.2f} s  cpu {cpu:7.2f} s  {lines / seconds:7.0f} lines/s  "
              f"exit {proc.returncode}  [{summary}]")
        runs.append((label, seconds, cpu))

    # lint of the same tree with the TF2 rule sets (what a TF2 project's CI runs); read-only
    seconds, cpu, proc = timed([str(BIN / "dlmigrate"), "lint", "--no-config", "--to", "tf2-compat", "--exit-zero",
                                "-q", str(tree)])
    label = "dlmigrate lint --to tf2-compat"
    print(f"{label:<45} wall {seconds:7.2f} s  cpu {cpu:7.2f} s  {lines / seconds:7.0f} lines/s  "
          f"exit {proc.returncode}")
    runs.append((label, seconds, cpu))

    if not args.no_peer:
        peer = BIN / "tf_upgrade_v2"
        if not peer.exists():
            print("tf_upgrade_v2 not found next to this interpreter; skipped")
        else:
            out = CACHE / "convert_out_tf_upgrade_v2"
            shutil.rmtree(out, ignore_errors=True)
            seconds, cpu, proc = timed([str(peer), "--intree", str(tree), "--outtree", str(out),
                                        "--reportfile", str(CACHE / "tf_upgrade_v2_report.txt")])
            print(f"{'tf_upgrade_v2 --intree --outtree':<45} wall {seconds:7.2f} s  cpu {cpu:7.2f} s  "
                  f"{lines / seconds:7.0f} lines/s  exit {proc.returncode}")
            for label, ours, ours_cpu in runs:
                print(f"  {label}: {seconds / ours:.2f}x tf_upgrade_v2's speed (wall), "
                      f"{cpu / ours_cpu:.2f}x (cpu)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
