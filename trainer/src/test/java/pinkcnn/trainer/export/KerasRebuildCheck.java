package pinkcnn.trainer.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import pinkcnn.engine.io.KerasWeights;
import pinkcnn.engine.io.Weight;

/**
 * Checks a Keras export: the weights are the run's own, layer for layer; and, with h5py (skipped where no Python
 * with h5py is installed; CI installs python3-h5py), what docs/keras_rebuild.py reads from the file — its description,
 * the head's Dense layers and shapes it derives from that description — agrees with the file, in the order Keras'
 * load_weights assigns weights (layer by layer, in model order).
 */
final class KerasRebuildCheck {
    private KerasRebuildCheck() {}

    static Path repoRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("pom.xml")) && Files.isDirectory(p.resolve("docs"))) return p;
        }
        throw new IllegalStateException("no repository root above " + Path.of("").toAbsolutePath());
    }

    private static final String CHECK = String.join("\n",
            "import importlib.util, json, sys",
            "import h5py",
            "spec_ = importlib.util.spec_from_file_location('keras_rebuild', sys.argv[1])",
            "m = importlib.util.module_from_spec(spec_)",
            "spec_.loader.exec_module(m)",
            "path = sys.argv[2]",
            "spec = m.read_spec(path)",
            "shapes = m.head_weight_shapes(spec)",
            "s = lambda v: v.decode() if isinstance(v, bytes) else str(v)",
            "with h5py.File(path, 'r') as f:",
            "    names = [s(n) for n in f.attrs['layer_names']]",
            "    weighted = [n for n in names if len(f[n].attrs['weight_names']) > 0]",
            "    cut = spec['backbone']['last_layer']",
            "    head = [l['name'] for l in spec['head']]",
            "    after = names[names.index(cut) + 1:]",
            "    assert all(n in head for n in after), (after, head)",
            "    assert [n for n in weighted if n in after] == list(shapes), (weighted[-3:], shapes)",
            "    for name, (k, b) in shapes.items():",
            "        wn = [s(w) for w in f[name].attrs['weight_names']]",
            "        assert wn == [name + '/kernel:0', name + '/bias:0'], wn",
            "        assert list(f[name][wn[0]].shape) == k and list(f[name][wn[1]].shape) == b, (name, f[name][wn[0]].shape, k)",
            "    last = [n for n in weighted if n not in after][-1]",
            "    first = s(f[last].attrs['weight_names'][0])",
            "    assert f[last][first].shape[-1] == spec['backbone']['last_shape'][2], (last, f[last][first].shape)",
            "print(json.dumps({'dense': shapes, 'layers': len(names), 'weighted': len(weighted), 'classes': spec['classes']}))",
            "");

    static void check(Path exported, Path tmp, Path runModel) throws IOException, InterruptedException {
        KerasWeights got = KerasWeights.read(exported), ref = KerasWeights.read(runModel);
        assertEquals(ref.layerNames(), got.layerNames(), "the run's model, layer for layer");
        for (String layer : ref.layerNames()) {
            List<Weight> a = ref.weights(layer), b = got.weights(layer);
            assertEquals(a.size(), b.size(), layer);
            for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i).data(), b.get(i).data(), layer + "/" + a.get(i).name());
        }
        String python = PythonTools.with("h5py, numpy");
        if (python == null) {
            System.out.println("no python3 with h5py (apt install python3-h5py): keras_rebuild.py check skipped");
            return;
        }
        String out = PythonTools.run(python, tmp, CHECK, repoRoot().resolve("docs/keras_rebuild.py").toString(), exported.toString());
        System.out.println("keras_rebuild.py reads " + exported.getFileName() + ": " + out.strip());
    }
}
