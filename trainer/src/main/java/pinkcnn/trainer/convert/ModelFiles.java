package pinkcnn.trainer.convert;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** The files of a package (an npm tarball or a folder), by '/'-separated relative names. */
interface ModelFiles {

    /** How to name the package in messages. */
    String describe();

    /** Every regular file. */
    List<String> names() throws IOException;

    /** The contents of the files {@code wanted} accepts. */
    Map<String, byte[]> read(Predicate<String> wanted) throws IOException;

    static ModelFiles tarball(Path tgz) {
        return new ModelFiles() {
            @Override
            public String describe() {
                return tgz.toString();
            }

            @Override
            public List<String> names() throws IOException {
                return TarGz.list(tgz);
            }

            @Override
            public Map<String, byte[]> read(Predicate<String> wanted) throws IOException {
                return TarGz.read(tgz, wanted);
            }
        };
    }

    static ModelFiles folder(Path dir) {
        return new ModelFiles() {
            @Override
            public String describe() {
                return dir.toString();
            }

            @Override
            public List<String> names() throws IOException {
                List<String> names = new ArrayList<>();
                try (Stream<Path> files = Files.walk(dir, 8)) {
                    files.filter(Files::isRegularFile)
                            .forEach(p -> names.add(dir.relativize(p).toString().replace('\\', '/')));
                }
                names.sort(null);
                return names;
            }

            @Override
            public Map<String, byte[]> read(Predicate<String> wanted) throws IOException {
                Map<String, byte[]> out = new LinkedHashMap<>();
                ReadLimits limits = new ReadLimits(dir.toString());
                for (String name : names()) {
                    if (!wanted.test(name)) continue;
                    limits.take(name, Files.size(dir.resolve(name)));
                    out.put(name, Files.readAllBytes(dir.resolve(name)));
                }
                return out;
            }
        };
    }
}
