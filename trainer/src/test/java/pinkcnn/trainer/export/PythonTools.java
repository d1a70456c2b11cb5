package pinkcnn.trainer.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Python cross-checks of exported files with the reference libraries: h5py (the file Keras reads) and onnx (the ONNX
 * checker). Each is optional here and installed on CI (.ci/run: python3-h5py, python3-onnx).
 */
final class PythonTools {
    private static final Map<String, String> FOUND = new HashMap<>();

    private PythonTools() {}

    /** A Python that imports {@code modules} ("h5py, numpy"), or null. */
    static synchronized String with(String modules) {
        return FOUND.computeIfAbsent(modules, m -> {
            for (String python : List.of("/usr/bin/python3", "python3")) {
                try {
                    Process p = new ProcessBuilder(python, "-c", "import " + m).redirectErrorStream(true).start();
                    p.getInputStream().readAllBytes();
                    if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) return python;
                } catch (IOException | InterruptedException e) {
                    // try the next
                }
            }
            return "";
        }).transform(s -> s.isEmpty() ? null : s);
    }

    /** Runs a script; returns its output, failing the test on a non-zero exit. */
    static String run(String python, Path tmp, String script, String... args) throws IOException, InterruptedException {
        Path file = tmp.resolve("check_" + Integer.toHexString(script.hashCode()) + ".py");
        Files.writeString(file, script);
        List<String> cmd = new ArrayList<>(List.of(python, file.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "python timed out");
        assertEquals(0, p.exitValue(), "python check failed:\n" + out);
        return out;
    }

    private static final String ONNX_CHECK = String.join("\n",
            "import sys, onnx",
            "m = onnx.load(sys.argv[1])",
            "onnx.checker.check_model(m, full_check=True)",
            "print('onnx.checker: valid, IR', m.ir_version, 'opset', m.opset_import[0].version, len(m.graph.node), 'nodes')",
            "");

    /** The ONNX checker with shape inference (onnx.checker.check_model(full_check=True)), where python3-onnx exists. */
    static void onnxChecker(Path model, Path tmp) throws IOException, InterruptedException {
        String python = with("onnx");
        if (python == null) {
            System.out.println("no python3 with onnx (apt install python3-onnx): ONNX checker skipped");
            return;
        }
        System.out.println(model.getFileName() + ": " + run(python, tmp, ONNX_CHECK, model.toString()).strip());
    }
}
