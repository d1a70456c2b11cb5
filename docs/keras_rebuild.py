"""Rebuild a classifier exported by `pinkcnn export --format keras` in Keras 3 and load its weights.

    python keras_rebuild.py model.h5               # rebuild, load the weights, print a summary
    python keras_rebuild.py model.h5 a.jpg b.jpg   # ... and classify photos (needs Pillow)

Reading the file's description needs only h5py and numpy; building needs Keras 3 (any backend).
"""
import json
import sys

import h5py
import numpy as np


def read_spec(path):
    """The model description pinkcnn stores as the root attribute 'pinkcnn' (JSON)."""
    with h5py.File(path, "r") as f:
        raw = f.attrs["pinkcnn"]
    return json.loads(raw.decode() if isinstance(raw, bytes) else raw)


def head_weight_shapes(spec):
    """{Dense layer name: [kernel shape, bias shape]}, following the shapes from the cut layer through the head."""
    shape, out = list(spec["backbone"]["last_shape"]), {}  # H, W, C at the cut
    for layer in spec["head"]:
        kind = layer["type"]
        if kind == "GridAveragePooling2D":
            shape = [layer["grid"], layer["grid"], shape[2]]
        elif kind == "GlobalAveragePooling2D":
            shape = [shape[2]]
        elif kind == "MaxPooling2D":
            k, s = layer["pool_size"], layer["strides"]
            size = (lambda n: (n + s - 1) // s) if layer["padding"] == "same" else (lambda n: (n - k) // s + 1)
            shape = [size(shape[0]), size(shape[1]), shape[2]]
        elif kind == "Flatten":
            shape = [int(np.prod(shape))]
        elif kind == "Dense":
            out[layer["name"]] = [[shape[0], layer["units"]], [layer["units"]]]
            shape = [layer["units"]]
    return out


def grid_pool(grid):
    """pinkcnn's grid average pooling: cell (i, j) averages rows [i*H//G, (i+1)*H//G) and likewise columns."""
    def pool(x):
        from keras import ops
        h, w = x.shape[1], x.shape[2]
        rows = [ops.stack([ops.mean(x[:, i * h // grid:(i + 1) * h // grid, j * w // grid:(j + 1) * w // grid, :],
                                    axis=(1, 2)) for j in range(grid)], axis=1) for i in range(grid)]
        return ops.stack(rows, axis=1)  # N, G, G, C
    return pool


def build(spec):
    """MobileNetV2 up to the cut layer, then the head's layers with pinkcnn's names, then softmax."""
    import keras
    size = spec["input"]["shape"][1]
    base = keras.applications.MobileNetV2(input_shape=(size, size, 3), alpha=spec["backbone"]["alpha"],
                                          include_top=False, weights=None)
    x = base.get_layer(spec["backbone"]["last_layer"]).output
    for layer in spec["head"]:
        kind, name = layer["type"], layer["name"]
        if kind == "GridAveragePooling2D":
            x = keras.layers.Lambda(grid_pool(layer["grid"]), name=name)(x)
        elif kind == "GlobalAveragePooling2D":
            x = keras.layers.GlobalAveragePooling2D(name=name)(x)
        elif kind == "MaxPooling2D":
            x = keras.layers.MaxPooling2D(layer["pool_size"], layer["strides"], layer["padding"], name=name)(x)
        elif kind == "Flatten":
            x = keras.layers.Flatten(name=name)(x)
        elif kind == "Dropout":
            x = keras.layers.Dropout(layer["rate"], name=name)(x)
        elif kind == "Dense":
            x = keras.layers.Dense(layer["units"], activation=layer["activation"], name=name)(x)
        else:
            raise ValueError("unknown head layer " + kind)
    return keras.Model(base.input, keras.layers.Softmax(name="probabilities")(x))


def load_photo(path, spec):
    """pinkcnn's crop, resize and scaling (Pillow's resampling is close to pinkcnn's, not bit-identical)."""
    from PIL import Image, ImageOps
    img, p = ImageOps.exif_transpose(Image.open(path)).convert("RGB"), spec["preprocessing"]
    w, h = img.size
    cw, ch = w * p["crop_fraction"], h * p["crop_fraction"]
    if p["crop"] == "center":
        cw = ch = min(cw, ch)
    box = ((w - cw) / 2, (h - ch) / 2, (w + cw) / 2, (h + ch) / 2)
    img = img.resize((p["size"], p["size"]), Image.BILINEAR, box=box)
    return np.asarray(img, np.float32) * spec["input"]["scale"] + spec["input"]["offset"]


if __name__ == "__main__":
    spec = read_spec(sys.argv[1])
    model = build(spec)
    model.load_weights(sys.argv[1])  # Keras' HDF5 weights layout, layer by layer
    model.summary()
    if len(sys.argv) > 2:
        x = np.stack([load_photo(p, spec) for p in sys.argv[2:]])
        probs = model.predict(x, verbose=0)
        if spec["test_time_augmentation"] == "flip":  # the run was scored on each photo and its mirror image
            probs = (probs + model.predict(x[:, :, ::-1], verbose=0)) / 2
        for path, p in zip(sys.argv[2:], probs):
            print(path, spec["classes"][int(p.argmax())], f"{p.max():.3f}")
