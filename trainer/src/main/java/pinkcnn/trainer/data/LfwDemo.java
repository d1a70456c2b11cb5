package pinkcnn.trainer.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDate;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import pinkcnn.trainer.Cache;
import pinkcnn.trainer.UserError;
import pinkcnn.trainer.convert.TarGz;

/**
 * The demo's photos: the four people of Labeled Faces in the Wild with 60 or more photos, taken from LFW's archive of
 * all its photos ({@code lfw.tgz}, 250×250 JPEGs under {@code lfw/NAME/}), as scikit-learn's
 * {@code fetch_lfw_people} fetches it. The archive is downloaded into the cache folder, only the four people's folders
 * are extracted, and the archive is then deleted: the demo needs 317 of its 13,233 photos.
 */
public final class LfwDemo {
    /** lfw.tgz on the LFW website. */
    public static final String OFFICIAL_URL = "http://vis-www.cs.umass.edu/lfw/lfw.tgz";
    /** The copy of the same file scikit-learn downloads (ARCHIVE in sklearn/datasets/_lfw.py): the site is often down. */
    public static final String MIRROR_URL = "https://ndownloader.figshare.com/files/5976018";
    /** SHA-256 of lfw.tgz, the checksum scikit-learn verifies it with. */
    public static final String SHA256 = "055f7d9c632d7370e6fb4afc7468d40f970c34a80d4c6f50ffec63f5a8d536c0";
    /** Its size, for the question before downloading it (TensorFlow Datasets' catalogue: 172.20 MiB). */
    public static final String ARCHIVE_SIZE = "172 MiB";
    /** The class folders, as LFW names them. */
    public static final List<String> PEOPLE = List.of("Ariel_Sharon", "Gerhard_Schroeder", "Hugo_Chavez", "Junichiro_Koizumi");
    /** Where the photos go, relative to the project folder (git ignores what is in datasets/'s sub-folders). */
    public static final String FOLDER = "datasets/lfw-demo";

    /** A photo of one of {@link #PEOPLE}: lfw/NAME/FILE.jpg (any top folder, or none, for archives of the same layout). */
    private static final Pattern PHOTO = Pattern.compile("(?:[^/]+/)?([A-Za-z_-]+)/([A-Za-z0-9_-][A-Za-z0-9_.-]*\\.jpe?g)",
            Pattern.CASE_INSENSITIVE);
    /** LFW's JPEGs are about 15 kB; anything far larger is not one of them. */
    static final long PHOTO_BYTES = 16L << 20;
    /** All of lfw.tgz unpacks to about 180 MB. */
    static final long UNPACKED_BYTES = 2L << 30;

    private LfwDemo() {}

    /**
     * Where to download lfw.tgz from: the address in the system property {@code pinkcnn.lfw.url} or else
     * {@code $PINKCNN_LFW_URL} (a local mirror, say) when set; otherwise the official site first, then scikit-learn's
     * mirror.
     */
    public static List<URI> sources() {
        String own = System.getProperty("pinkcnn.lfw.url", System.getenv("PINKCNN_LFW_URL"));
        if (own != null && !own.isBlank()) return List.of(url(own, "PINKCNN_LFW_URL"));
        return List.of(URI.create(OFFICIAL_URL), URI.create(MIRROR_URL));
    }

    /** {@code typed} as an http or https address; a one-line error naming {@code what} gave it otherwise. */
    public static URI url(String typed, String what) {
        try {
            URI u = new URI(typed.strip());
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(java.util.Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && u.getHost() != null) return u;
        } catch (java.net.URISyntaxException e) {
            // said below
        }
        throw new UserError(what + " wants an http:// or https:// address, not '" + typed + "'");
    }

    /** Whether {@code dir} holds a folder of photos for each of the four people. */
    public static boolean present(Path dir) throws IOException {
        return missing(dir) == null;
    }

    /** The first of the four people without photos in {@code dir}, or null. */
    static String missing(Path dir) throws IOException {
        for (String person : PEOPLE) {
            Path d = dir.resolve(person);
            if (!Files.isDirectory(d)) return person;
            try (Stream<Path> s = Files.list(d)) {
                if (s.noneMatch(p -> Files.isRegularFile(p) && !p.getFileName().toString().startsWith("."))) return person;
            }
        }
        return null;
    }

    /**
     * Checks, before anything is downloaded, that the photos can go to {@code dest}: it is missing or an empty folder
     * (removed). A folder with other files is never merged into or replaced, as it may hold the user's own changes.
     */
    public static void requireRoomFor(Path dest) throws IOException {
        if (Files.isDirectory(dest)) {
            try (Stream<Path> s = Files.list(dest)) {
                if (s.findAny().isEmpty()) Files.delete(dest);
            }
        }
        if (Files.exists(dest)) {
            throw new UserError(dest + " exists but has no photos of " + missing(dest) + "; move it away or delete it, "
                    + "and the demo downloads the photos again");
        }
    }

    /**
     * Makes {@code dest} hold the four people's photos: downloads the archive from {@code sources} (verified against
     * {@code sha256}) into the cache folder, unless a complete one is there, and extracts them. {@code dest} is
     * written whole or not at all. One-line {@link UserError}s for what goes wrong.
     */
    public static Path fetch(List<URI> sources, String sha256, Path dest, PrintStream log, Progress.Factory progress)
            throws IOException {
        requireRoomFor(dest);
        Path archive = Cache.dir("datasets").resolve("lfw.tgz");
        boolean lfw = sha256.equalsIgnoreCase(SHA256);
        log.println("pinkcnn: downloading " + archive.getFileName() + (lfw ? " (" + ARCHIVE_SIZE + ")" : "") + " from "
                + sources.get(0) + " into " + archive.getParent());
        log.flush();
        new Download(log, progress).fetch(sources, archive, sha256);
        Map<String, Integer> counts;
        try {
            counts = extract(archive, dest, sha256);
        } catch (UserError e) {
            throw e;
        } catch (IOException e) {
            throw new UserError(e.getMessage() + " (the archive is kept in " + archive + ")", e);
        }
        Files.delete(archive); // the photos are out; the other 99 % of LFW is not needed
        StringBuilder line = new StringBuilder("pinkcnn: extracted");
        counts.forEach((person, n) -> line.append(' ').append(person).append(' ').append(n));
        log.println(line + " into " + dest + "; deleted the archive");
        return dest;
    }

    /**
     * Extracts the four people's JPEGs of {@code tgz} into {@code dest} (which must not exist) through a temporary
     * folder beside it, renamed once complete: the photos each person has.
     */
    static Map<String, Integer> extract(Path tgz, Path dest, String sha256) throws IOException {
        Path parent = Files.createDirectories(dest.toAbsolutePath().getParent());
        Path tmp = Files.createTempDirectory(parent, "." + dest.getFileName() + ".partial-");
        try {
            Map<String, Integer> counts = new LinkedHashMap<>();
            for (String p : PEOPLE) counts.put(p, 0);
            TarGz.each(tgz, UNPACKED_BYTES, "not the LFW archive", new TarGz.Visitor() {
                @Override
                public boolean wants(String name, long size) throws IOException {
                    Matcher m = PHOTO.matcher(name);
                    if (!m.matches() || !counts.containsKey(m.group(1))) return false;
                    if (size > PHOTO_BYTES) {
                        throw new IOException(tgz + ": " + name + " is " + Download.megabytes(size) + "; not the LFW archive");
                    }
                    return true;
                }

                @Override
                public void accept(String name, long size, InputStream content) throws IOException {
                    Matcher m = PHOTO.matcher(name);
                    if (!m.matches()) throw new IllegalStateException(name);
                    Path file = tmp.resolve(m.group(1)).resolve(m.group(2)).normalize();
                    // The pattern allows no "/" or leading "." in the file name; checked again where it is written.
                    if (!file.startsWith(tmp)) throw new IOException(tgz + ": " + name + " points outside its folder");
                    Files.createDirectories(file.getParent());
                    Files.copy(content, file, StandardCopyOption.REPLACE_EXISTING);
                    counts.merge(m.group(1), 1, Integer::sum);
                }
            });
            for (Map.Entry<String, Integer> e : counts.entrySet()) {
                if (e.getValue() == 0) {
                    throw new IOException(tgz + ": holds no photos of " + e.getKey() + " (lfw/" + e.getKey()
                            + "/*.jpg); not the LFW archive");
                }
            }
            Files.writeString(tmp.resolve("SOURCES.md"), sources(counts, sha256));
            try {
                Files.move(tmp, dest, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
                throw new UserError(dest + " appeared while the photos were extracted; move it away and run again");
            }
            return counts;
        } finally {
            deleteTree(tmp);
        }
    }

    /** What the folder holds and where it came from, as ../shared/datasets/lfw-demo/SOURCES.md says it. */
    private static String sources(Map<String, Integer> counts, String sha256) {
        StringBuilder s = new StringBuilder("# lfw-demo: 4 people from Labeled Faces in the Wild\n\n");
        s.append("Extracted by `pinkcnn demo` on ").append(LocalDate.now()).append(" from ")
                .append(sha256.equalsIgnoreCase(SHA256) ? "LFW's lfw.tgz (" + OFFICIAL_URL + "), 250×250 JPEGs"
                        : "an archive of lfw.tgz's layout")
                .append(", SHA-256 ").append(sha256.toLowerCase(java.util.Locale.ROOT))
                .append(":\n\n| class folder | photos |\n|---|---|\n");
        counts.forEach((person, n) -> s.append("| ").append(person).append(" | ").append(n).append(" |\n"));
        s.append("\nCite G. B. Huang, M. Ramesh, T. Berg, E. Learned-Miller, \"Labeled Faces in the Wild: A Database for ")
                .append("Studying Face Recognition in Unconstrained Environments\", UMass Amherst TR 07-49, 2007. No licence ")
                .append("is granted for the photos: use them for research and testing only, and never commit them.\n");
        return s.toString();
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
