/// The part of an exported Keras program that is the same for every model: weight files,
/// data (convnetc's split and decoding), the distribution strategy, and the three commands.
/// `KerasExporter` writes the model-specific part (constants and `build_model`) above it.
/// Kept as Python text in one place so the golden test shows any change to it.
enum KerasProgramRuntime {
    static let text = #"""
# ---------------------------------------------------------------------------------------------
# Weight files: safetensors under Keras names (`conv2d/kernel`), read and written with numpy.
# A convnetc checkpoint is one too (its `optimizer/...` slots are skipped).

def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        sys.exit(f"error: {path}: not a safetensors file")
    n = struct.unpack("<Q", data[:8])[0]
    try:
        header = json.loads(data[8:8 + n])
    except ValueError as e:
        sys.exit(f"error: {path}: not a safetensors file ({e})")
    metadata = header.pop("__metadata__", {}) or {}
    dtypes = {"F32": "<f4", "F64": "<f8", "I64": "<i8", "I32": "<i4", "U8": "u1"}
    tensors = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        raw = data[8 + n + begin:8 + n + end]
        tensors[name] = np.frombuffer(raw, dtype=dtypes[entry["dtype"]]).reshape(entry["shape"])
    return tensors, metadata


def write_safetensors(path, tensors, metadata):
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        blob = np.ascontiguousarray(tensors[name], dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(np.shape(tensors[name])),
                        "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    temporary = path + ".tmp"
    with open(temporary, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))
    os.replace(temporary, path)


def keras_weights(model):
    """Every weight by its Keras name, `layer/variable`, as convnetc names them."""
    return {f"{layer.name}/{w.name}": w for layer in model.layers for w in layer.weights}


def load_weights(model, path):
    tensors, metadata = read_safetensors(path)
    tensors = {k: v for k, v in tensors.items() if not k.startswith("optimizer/")}
    wanted = keras_weights(model)
    if not any(k in wanted for k in tensors):  # Keras 3 `variable.path`: MODEL/layer/variable
        tensors = {k.split("/", 1)[1] if k.count("/") >= 2 else k: v for k, v in tensors.items()}
    problems = []
    for name, w in wanted.items():
        if name not in tensors:
            problems.append(f"missing {name}: the model needs shape {tuple(w.shape)}")
        elif tuple(tensors[name].shape) != tuple(w.shape):
            problems.append(f"misshapen {name}: shape {tuple(tensors[name].shape)} in the file, "
                            f"the model needs {tuple(w.shape)}")
    problems += [f"extra {name}: the model has no such weight" for name in tensors if name not in wanted]
    if problems:
        sys.exit(f"error: {path}: the tensors do not fit the model:\n  " + "\n  ".join(problems))
    for name, w in wanted.items():
        w.assign(tensors[name].astype(np.float32))
    names = metadata.get("class_names")
    return json.loads(names) if names else None


def save_weights(model, path, class_names):
    tensors = {name: w.numpy() for name, w in keras_weights(model).items()}
    write_safetensors(path, tensors, {"class_names": json.dumps(class_names),
                                      "written_by": f"{MODEL_NAME}.py, exported by convnetc"})


# ---------------------------------------------------------------------------------------------
# Data, exactly as convnetc reads it: a folder of class sub-folders (classes in sorted order,
# any JPEG or PNG file below them), or TFRecord shards in the codelab's schema (`image` bytes,
# `class` int64, `label` bytes) named by a folder or a glob (`gs://` too). The validation split is
# convnetc's: in a folder, the files whose path relative to it (`daisy/123.jpg`) has an FNV-1a 64
# hash modulo 10000 below round(fraction * 10000); of shards (sorted), the first
# round(fraction * shards), as the codelab holds out whole files, unless `--validation-data` names
# the validation shards. JPEGs are decoded with libjpeg-turbo's accurate integer DCT, as convnetc
# decodes them; images are resized (shorter side to the input size, bilinear, antialiased),
# centre-cropped, rounded to bytes and scaled to [0, 1].

def fnv1a64(text):
    h = 0xcbf29ce484222325
    for byte in text.encode("utf-8"):
        h = ((h ^ byte) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def in_validation(name, fraction):
    return fnv1a64(name) % 10000 < int(math.floor(fraction * 10000 + 0.5))


def is_image(path):
    with open(path, "rb") as f:
        head = f.read(8)
    return head[:3] == b"\xff\xd8\xff" or head == b"\x89PNG\r\n\x1a\n"


def is_folder_of_classes(data):
    return os.path.isdir(data) and any(os.path.isdir(os.path.join(data, d)) for d in os.listdir(data))


def folder_examples(root, fraction, validation):
    """(a dataset of (image bytes, label), its size, the class names) of one side of the split."""
    classes = sorted((d for d in os.listdir(root) if not d.startswith(".") and os.path.isdir(os.path.join(root, d))),
                     key=lambda s: s.encode("utf-8"))
    if len(classes) != CLASSES:
        sys.exit(f"error: {root} has {len(classes)} classes ({', '.join(classes)}) but the model's head has {CLASSES}")
    paths, labels = [], []
    for label, name in enumerate(classes):
        for folder, dirs, files in os.walk(os.path.join(root, name)):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            for file in files:
                if file.startswith("."):
                    continue
                full = os.path.join(folder, file)
                relative = os.path.relpath(full, root).replace(os.sep, "/")
                if in_validation(relative, fraction) == validation and is_image(full):
                    paths.append(full)
                    labels.append(label)
    examples = tf.data.Dataset.from_tensor_slices((paths, labels))
    examples = examples.map(lambda p, l: (tf.io.read_file(p), l), num_parallel_calls=tf.data.AUTOTUNE)
    return examples, len(paths), classes


def shards(pattern):
    if tf.io.gfile.isdir(pattern):
        pattern = pattern.rstrip("/") + "/*.tfrec*"
    found = sorted(tf.io.gfile.glob(pattern), key=lambda p: p.encode("utf-8"))
    if not found:
        sys.exit(f"error: no TFRecord shards match {pattern}")
    return found


FEATURES = {"image": tf.io.FixedLenFeature([], tf.string), "class": tf.io.FixedLenFeature([], tf.int64),
            "label": tf.io.FixedLenFeature([], tf.string, default_value="")}


def tfrecord_examples(data, fraction, validation, validation_data):
    """(a dataset of (image bytes, label), its size, the class names) of one side of the split."""
    if validation_data:
        training, held_out = shards(data) if data else [], shards(validation_data)
    else:
        every = shards(data)
        held = min(len(every), int(math.floor(fraction * len(every) + 0.5)))
        training, held_out = every[held:], every[:held]
    files = held_out if validation else training
    if not files:
        sys.exit(f"error: no {'validation' if validation else 'training'} shards (validation fraction {fraction}); "
                 "pass --validation-data GLOB or another --validation")

    def parse(record):
        example = tf.io.parse_single_example(record, FEATURES)
        return example["image"], tf.cast(example["class"], tf.int32), example["label"]
    parsed = tf.data.TFRecordDataset(files).map(parse, num_parallel_calls=tf.data.AUTOTUNE)
    count, names = 0, {}
    for label, name in parsed.map(lambda i, l, n: (l, n)).as_numpy_iterator():
        count += 1
        names.setdefault(int(label), name.decode("utf-8") or f"class{int(label)}")
    classes = [names.get(i, f"class{i}") for i in range(CLASSES)]
    return parsed.map(lambda i, l, n: (i, l)), count, classes


def decode(image_bytes):
    """JPEG or PNG bytes -> (H, W, C) uint8, resized and centre-cropped as convnetc does."""
    jpeg = tf.equal(tf.strings.substr(image_bytes, 0, 3), b"\xff\xd8\xff")
    image = tf.cond(jpeg,
                    lambda: tf.io.decode_jpeg(image_bytes, channels=3, dct_method="INTEGER_ACCURATE"),
                    lambda: tf.io.decode_png(image_bytes, channels=3))
    height, width = INPUT_SHAPE[0], INPUT_SHAPE[1]
    h = tf.cast(tf.shape(image)[0], tf.float64)
    w = tf.cast(tf.shape(image)[1], tf.float64)
    scale = tf.maximum(height / h, width / w)
    rh = tf.maximum(height, tf.cast(tf.floor(h * scale + 0.5), tf.int32))
    rw = tf.maximum(width, tf.cast(tf.floor(w * scale + 0.5), tf.int32))
    resized = tf.image.resize(image, tf.stack([rh, rw]), method="bilinear", antialias=True)
    top, left = (rh - height) // 2, (rw - width) // 2
    cropped = resized[top:top + height, left:left + width, :]
    same = tf.logical_and(tf.equal(tf.shape(image)[0], height), tf.equal(tf.shape(image)[1], width))
    pixels = tf.cond(same, lambda: tf.cast(image, tf.float32), lambda: cropped)
    pixels = tf.clip_by_value(tf.floor(pixels + 0.5), 0, 255)
    if INPUT_SHAPE[2] == 1:
        luma = tf.reduce_sum(pixels * tf.constant([0.2989, 0.5870, 0.1140]), axis=-1, keepdims=True)
        pixels = tf.clip_by_value(tf.floor(luma + 0.5), 0, 255)
    return tf.ensure_shape(tf.cast(pixels, tf.uint8), INPUT_SHAPE)


ZOOM_LAYER = []


def zoom_layer():
    """The one RandomZoom layer (its seed is a variable, so it is made once, outside tf.data's trace)."""
    if not ZOOM_LAYER:
        ZOOM_LAYER.append(keras.layers.RandomZoom(TRAIN["augment"]["zoom"], fill_mode="reflect", interpolation="bilinear"))
    return ZOOM_LAYER[0]


def augment(image):
    """convnetc's augmentation of a [0, 1] float image, in convnetc's fixed order: "crop P" (a random
    window of P of each side, resized back), "zoom Z" (Keras RandomZoom), a left-right flip with
    probability 1/2, a bare "crop" (a random shift of up to 1/8 of the size with the edge pixels
    repeated); then brightness, contrast and saturation as tf.image defines them, and a clip to
    [0, 1] after them."""
    aug = TRAIN["augment"]
    height, width, channels = INPUT_SHAPE
    if aug.get("crop") is not None:
        fraction = aug["crop"]
        size = [max(1, min(height, math.floor(fraction * height + 0.5))),
                max(1, min(width, math.floor(fraction * width + 0.5))), channels]
        image = tf.image.resize(tf.image.random_crop(image, size), [height, width], method="bilinear")
    if "zoom" in aug:
        image = zoom_layer()(image, training=True)
    if "flip" in aug:
        image = tf.image.random_flip_left_right(image)
    if "crop" in aug and aug["crop"] is None:
        for axis, size in ((0, height), (1, width)):
            shift = tf.random.uniform([], -(size // 8), size // 8 + 1, dtype=tf.int32)
            image = tf.gather(image, tf.clip_by_value(tf.range(size) + shift, 0, size - 1), axis=axis)
    if "brightness" in aug:
        image = tf.image.random_brightness(image, aug["brightness"])
    if "contrast" in aug:
        lower, upper = aug["contrast"]
        image = (tf.image.random_contrast(image, lower, upper) if upper > lower
                 else tf.image.adjust_contrast(image, lower))
    if "saturation" in aug and channels == 3:
        lower, upper = aug["saturation"]
        image = (tf.image.random_saturation(image, lower, upper) if upper > lower
                 else tf.image.adjust_saturation(image, lower))
    if any(name in aug for name in ("brightness", "contrast", "saturation")):
        image = tf.clip_by_value(image, 0.0, 1.0)
    return image


def dataset(data, fraction, validation, batch, training=False, validation_data=None):
    """(a batched dataset, its image count, the class names); a training dataset repeats (an
    epoch is count // batch steps, the last partial batch dropped)."""
    if data and is_folder_of_classes(data):
        if validation_data:
            sys.exit("error: --validation-data names TFRecord shards; a folder's validation set is a fraction of it")
        examples, count, classes = folder_examples(data, fraction, validation)
    else:
        examples, count, classes = tfrecord_examples(data, fraction, validation, validation_data)
    images = examples.map(lambda b, l: (decode(b), l), num_parallel_calls=tf.data.AUTOTUNE)
    images = images.ignore_errors().cache()  # an unreadable image is skipped, as convnetc does
    if training:
        images = images.shuffle(max(1, count), seed=TRAIN["seed"], reshuffle_each_iteration=True).repeat()
    images = images.map(lambda i, l: (tf.cast(i, tf.float32) / 255.0, l))
    if training:
        if "zoom" in TRAIN["augment"]:
            zoom_layer()
        images = images.map(lambda i, l: (augment(i), l), num_parallel_calls=tf.data.AUTOTUNE)
    return images.batch(batch, drop_remainder=training).prefetch(tf.data.AUTOTUNE), count, classes


# ---------------------------------------------------------------------------------------------
# Where to run, as the codelab chooses: a TPU when one is found, several machines when TF_CONFIG
# describes them, else every local GPU (or the CPU). The batch is the global batch, split evenly
# over the replicas (8 TPU cores: batch 128 is 16 a core), as the codelab explains.

def strategy():
    try:
        tpu = tf.distribute.cluster_resolver.TPUClusterResolver()  # raises when there is no TPU
    except (ValueError, RuntimeError, KeyError, tf.errors.OpError):
        tpu = None
    if tpu is not None:
        tf.config.experimental_connect_to_cluster(tpu)
        tf.tpu.experimental.initialize_tpu_system(tpu)
        return tf.distribute.TPUStrategy(tpu)
    if "TF_CONFIG" in os.environ:
        return tf.distribute.MultiWorkerMirroredStrategy()
    return tf.distribute.MirroredStrategy()


def learning_rate(epoch):
    """The train block's schedule for 0-based `epoch` (convnetc's LearningRateSchedule)."""
    rate, total = TRAIN["learning_rate"], TRAIN["epochs"]
    if TRAIN["schedule"] == "cosine":
        return rate * 0.5 * (1 + math.cos(math.pi * min(epoch, total) / total))
    if TRAIN["schedule"] == "exponential":
        return rate * TRAIN["decay"] ** epoch
    if TRAIN["schedule"] == "ramp":  # the codelab's lrfn (the optimizer's rate is not used)
        r = TRAIN["ramp"]
        if epoch < r["rampup"]:
            return (r["max"] - r["start"]) / r["rampup"] * epoch + r["start"]
        if epoch < r["rampup"] + r["sustain"]:
            return r["max"]
        return (r["max"] - r["min"]) * r["decay"] ** (epoch - r["rampup"] - r["sustain"]) + r["min"]
    return rate


def compile_model(model):
    if TRAIN["optimizer"] == "sgd":
        optimizer = keras.optimizers.SGD(TRAIN["learning_rate"], momentum=TRAIN["momentum"], nesterov=TRAIN["nesterov"])
    elif TRAIN["optimizer"] == "adamw":
        optimizer = keras.optimizers.AdamW(TRAIN["learning_rate"], weight_decay=TRAIN["weight_decay"],
                                           beta_1=0.9, beta_2=0.999, epsilon=1e-7)
    else:
        optimizer = keras.optimizers.Adam(TRAIN["learning_rate"], beta_1=0.9, beta_2=0.999, epsilon=1e-7)
    loss = keras.losses.SparseCategoricalCrossentropy()
    if TRAIN["label_smoothing"]:
        def loss(labels, probabilities):
            """Keras' categorical cross-entropy with label_smoothing, on one-hot labels."""
            onehot = tf.one_hot(tf.cast(tf.reshape(labels, [-1]), tf.int32), CLASSES)
            return keras.losses.categorical_crossentropy(onehot, probabilities,
                                                         label_smoothing=TRAIN["label_smoothing"])
    model.compile(optimizer=optimizer, loss=loss,
                  metrics=["accuracy"])


class EpochLine(keras.callbacks.Callback):
    """One JSON line per epoch on stdout, as convnetc's metrics.jsonl."""

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        line = {"epoch": epoch + 1, "learning_rate": learning_rate(epoch)}
        for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
            if key in logs:
                line[key] = float(logs[key])
        print(json.dumps(line), flush=True)


# ---------------------------------------------------------------------------------------------
# The commands.

def summary_command(args):
    build_model().summary()


def evaluate_command(args):
    if not args.data and not args.validation_data:
        sys.exit("error: evaluate needs --data (or --validation-data)")
    fraction = TRAIN["validation"] if args.validation is None else args.validation
    with strategy().scope():
        model = build_model()
        compile_model(model)
    load_weights(model, args.weights)
    data, count, _ = dataset(args.data, fraction, True, TRAIN["batch"], validation_data=args.validation_data)
    loss, accuracy = model.evaluate(data, verbose=0)
    print(json.dumps({"accuracy": float(accuracy), "loss": float(loss), "count": count}), flush=True)


def train_command(args):
    if not args.data:
        sys.exit("error: train needs --data")
    fraction = TRAIN["validation"] if args.validation is None else args.validation
    epochs = args.epochs or TRAIN["epochs"]
    TRAIN["epochs"] = epochs
    batch = args.batch or TRAIN["batch"]
    tf.keras.utils.set_random_seed(TRAIN["seed"])
    distribution = strategy()
    replicas = distribution.num_replicas_in_sync
    if batch % replicas:
        sys.exit(f"error: batch {batch} does not split over {replicas} replicas; "
                 f"pass --batch with a multiple of {replicas}")
    print(f"{type(distribution).__name__}: {replicas} replica(s), global batch {batch} "
          f"= {batch // replicas} per replica", file=sys.stderr, flush=True)
    with distribution.scope():
        model = build_model()
        compile_model(model)
    if args.weights:
        load_weights(model, args.weights)
    train, count, classes = dataset(args.data, fraction, False, batch, training=True, validation_data=args.validation_data)
    if count < batch:
        sys.exit(f"error: batch {batch} is larger than the {count} training images; pass a smaller --batch")
    validation, held_out, _ = (dataset(args.data, fraction, True, batch, validation_data=args.validation_data)
                               if fraction > 0 or args.validation_data else (None, 0, None))
    model.fit(train, validation_data=validation, epochs=epochs, steps_per_epoch=count // batch, verbose=0,
              validation_steps=-(-held_out // batch) or None, shuffle=False,
              callbacks=[keras.callbacks.LearningRateScheduler(learning_rate), EpochLine()])
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "model.safetensors")
    save_weights(model, path, classes)
    print(f"saved {path}", file=sys.stderr, flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=f"{MODEL_NAME}, exported from convnetc as a Keras program.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("summary", help="print Keras' model.summary()")
    evaluate = commands.add_parser("evaluate", help="accuracy and loss on convnetc's validation split")
    evaluate.add_argument("--weights", required=True, help="a convnetc checkpoint or Keras-named safetensors")
    evaluate.add_argument("--data", default=TRAIN["data"],
                          help="a folder of class sub-folders, or TFRecord shards (a folder or a glob, gs:// too)")
    evaluate.add_argument("--validation", type=float)
    evaluate.add_argument("--validation-data", default=TRAIN["validation_data"], help="the validation TFRecord shards")
    train = commands.add_parser("train", help="train under the codelab's distribution strategy")
    train.add_argument("--data", required=TRAIN["data"] is None, default=TRAIN["data"],
                       help="a folder of class sub-folders, or TFRecord shards (a folder or a glob, gs:// too)")
    train.add_argument("--epochs", type=int)
    train.add_argument("--batch", type=int, help="the global batch (split over the replicas)")
    train.add_argument("--validation", type=float)
    train.add_argument("--validation-data", default=TRAIN["validation_data"], help="the validation TFRecord shards")
    train.add_argument("--weights", help="start from these weights")
    train.add_argument("--out", required=True, help="where model.safetensors is written")
    args = parser.parse_args(argv)
    {"summary": summary_command, "evaluate": evaluate_command, "train": train_command}[args.command](args)


if __name__ == "__main__":
    main()
"""#
}
