package pinkcnn.trainer.data;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import pinkcnn.trainer.UserError;

/**
 * The photos under a root folder with one sub-folder per class.
 *
 * <p>If the root has a {@code classes.txt} ({@code folder class-name} per line, e.g. {@code y0_raw Jisoo}), it lists
 * the class folders, in label order, with their names; other folders are ignored. Otherwise every sub-folder is a class,
 * named after the folder, in alphabetical order. Photos may sit in nested folders of a class folder; hidden files and
 * folders (name starting with '.') are ignored. Every other file is a candidate photo: whether it is one is for the
 * decoder to say, so a text file named {@code .jpg} is reported rather than silently skipped.
 *
 * <p>Symbolic links are followed, to folders as to files (a class folder is often a link to photos kept elsewhere);
 * a link back to a folder above it is listed as a loop and not followed.
 */
public final class RawDataset {

    public static final String CLASSES_FILE = "classes.txt";

    /** A candidate photo: its file, its path relative to the root ('/'-separated, for reports) and its class. */
    public record RawFile(Path file, String relativePath, int label) {
    }

    /** A file that could not even be listed (e.g. an unreadable folder). */
    public record Unlisted(String relativePath, String reason) {
    }

    private final Path root;
    private final List<String> classNames;
    private final List<Path> classFolders;
    private final List<RawFile> files;
    private final List<Unlisted> unlisted;
    private final int hiddenIgnored;

    private RawDataset(Path root, Map<String, Path> classes, List<RawFile> files, List<Unlisted> unlisted, int hidden) {
        this.root = root;
        this.classNames = List.copyOf(classes.keySet());
        this.classFolders = List.copyOf(classes.values());
        this.files = List.copyOf(files);
        this.unlisted = List.copyOf(unlisted);
        this.hiddenIgnored = hidden;
    }

    /**
     * Lists the classes and files under {@code root}; {@code exclude} (e.g. the output folder, when it lies inside the
     * root) is never a class.
     */
    public static RawDataset scan(Path root, Path exclude) {
        if (!Files.isDirectory(root)) throw new UserError("photo folder " + root + " does not exist");
        Map<String, Path> classDirs = classFolders(root, exclude);
        if (classDirs.isEmpty()) {
            throw new UserError(root + " has no class folders: put each class's photos in a sub-folder named after it");
        }
        List<RawFile> files = new ArrayList<>();
        List<Unlisted> unlisted = new ArrayList<>();
        int[] hidden = {0};
        int label = 0;
        for (Path dir : classDirs.values()) {
            final int classLabel = label++;
            List<RawFile> ofClass = new ArrayList<>();
            try {
                Files.walkFileTree(dir, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                        if (!d.equals(dir) && isHidden(d)) {
                            hidden[0]++;
                            return FileVisitResult.SKIP_SUBTREE;
                        }
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
                        if (isHidden(f)) hidden[0]++;
                        else if (!attrs.isDirectory()) ofClass.add(new RawFile(f, relative(root, f), classLabel));
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path f, IOException e) {
                        if (isHidden(f)) return FileVisitResult.CONTINUE;
                        String reason = e instanceof FileSystemLoopException
                                ? "a link to a folder above it (a loop), not followed"
                                : e instanceof AccessDeniedException ? "cannot read: permission denied"
                                : "cannot read: " + e.getMessage();
                        unlisted.add(new Unlisted(relative(root, f), reason));
                        return FileVisitResult.CONTINUE;
                    }
                });
            } catch (IOException e) {
                throw new UserError("cannot list " + dir + ": " + e.getMessage());
            }
            ofClass.sort(Comparator.comparing(RawFile::relativePath));
            files.addAll(ofClass);
        }
        return new RawDataset(root, classDirs, files, unlisted, hidden[0]);
    }

    private static Map<String, Path> classFolders(Path root, Path exclude) {
        Map<String, Path> classes = new LinkedHashMap<>();
        Path listing = root.resolve(CLASSES_FILE);
        if (Files.isRegularFile(listing)) {
            List<String> lines;
            try {
                lines = Files.readAllLines(listing);
            } catch (IOException e) {
                throw new UserError("cannot read " + listing + ": " + e.getMessage());
            }
            for (String line : lines) {
                String t = line.strip();
                if (t.isEmpty() || t.startsWith("#")) continue;
                String[] parts = t.split("\\s+", 2);
                String name = parts.length > 1 ? parts[1].strip() : parts[0];
                Path dir = root.resolve(parts[0]);
                if (!Files.isDirectory(dir)) throw new UserError(listing + " lists " + parts[0] + ", which is not a folder in " + root);
                if (classes.put(name, dir) != null) throw new UserError(listing + " names class '" + name + "' twice");
            }
            return classes;
        }
        try (Stream<Path> children = Files.list(root)) {
            children.filter(Files::isDirectory)
                    .filter(d -> !isHidden(d))
                    .filter(d -> exclude == null || !sameFile(d, exclude))
                    .sorted(Comparator.comparing(d -> d.getFileName().toString()))
                    .forEach(d -> classes.put(d.getFileName().toString(), d));
        } catch (IOException e) {
            throw new UserError("cannot list " + root + ": " + e.getMessage());
        }
        return classes;
    }

    private static boolean sameFile(Path a, Path b) {
        return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }

    private static boolean isHidden(Path p) {
        Path name = p.getFileName();
        return name != null && name.toString().startsWith(".");
    }

    private static String relative(Path root, Path f) {
        return root.relativize(f).toString().replace('\\', '/');
    }

    public Path root() { return root; }

    /** Class names in label order. */
    public List<String> classNames() { return classNames; }

    /** The folder of each class, in label order. */
    public List<Path> classFolders() { return classFolders; }

    /** All candidate files, by class then by relative path. */
    public List<RawFile> files() { return files; }

    public List<Unlisted> unlisted() { return unlisted; }

    /** Hidden files and folders that were ignored. */
    public int hiddenIgnored() { return hiddenIgnored; }
}
