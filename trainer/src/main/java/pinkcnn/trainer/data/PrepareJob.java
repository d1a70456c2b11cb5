package pinkcnn.trainer.data;

import io.jhdf.exceptions.HdfException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import pinkcnn.engine.backend.Backend;
import pinkcnn.engine.io.AtomicFiles;
import pinkcnn.trainer.DetectorWeights;
import pinkcnn.trainer.DeviceOption;
import pinkcnn.trainer.UserError;
import pinkcnn.trainer.data.PhotoScan.Outcome;
import pinkcnn.trainer.data.PhotoScan.Rejected;
import pinkcnn.trainer.data.PhotoScan.ScannedPhoto;
import pinkcnn.trainer.face.Face;
import pinkcnn.trainer.face.FaceChoice;
import pinkcnn.trainer.face.FaceDetector;

/**
 * The work of {@code pinkcnn prepare}, in phases:
 * <ol>
 *   <li><b>scan</b> every candidate file in parallel: read, decode (the only time), fingerprint; with face crops,
 *       <b>find the faces</b> (the detector's passes batched on the backend; a photo without one is skipped, "no face
 *       found"); crop and resize. The hashes and faces stay in memory, the network inputs go to a temporary
 *       {@link InputStore} beside the outputs;</li>
 *   <li><b>de-duplicate</b> and <b>split</b> per class (or reuse a manifest's split), and check that every class can be
 *       split, all before any output is written;</li>
 *   <li><b>write</b> each split: read the inputs back, add augmented variants (training only), compress and stream
 *       into a temporary file, in parallel and in order, so memory holds a few photos, not the dataset;</li>
 *   <li>write the manifest, then rename the temporary files to {@code train.h5}, {@code dev.h5}, {@code test.h5} and
 *       {@code manifest.csv} together. An interrupted run leaves only hidden {@code .partial} files, removed on exit
 *       or by the next run.</li>
 * </ol>
 */
public final class PrepareJob {

    private static final String PARTIAL_SUFFIX = ".partial";
    /**
     * The largest --augment: 1000 images of each training photo is already far past what augmentation gives (the
     * original project used 6), and 190 photos × 1000 at 224² are 28 GB of pixels; 100000 was a typing slip that ran for hours.
     */
    public static final int MAX_AUGMENT = 1000;
    /** Images one split file may hold (its labels and chunk index are Java arrays). */
    static final int MAX_IMAGES = Integer.MAX_VALUE - 8;
    /** A piece of a photo's images is at most this many bytes, and at most {@link #MAX_PIECE_IMAGES} images. */
    private static final long PIECE_BYTES = 1L << 20;
    private static final int MAX_PIECE_IMAGES = 64;

    /**
     * How faces are found for {@link Preprocessing.Crop#FACE}: the detector's weights, the device it runs on, the
     * score a face needs and which faces of a photo become samples.
     */
    public record FaceOptions(Path weights, String device, double minScore, FaceChoice choice) {
        /** The settings that describe the detector in the dataset files. */
        Map<String, String> attributes() {
            Map<String, String> a = new LinkedHashMap<>();
            a.put("face_detector", "ssd_mobilenetv1 (face-api.js, npm " + DetectorWeights.PACKAGE + ")");
            a.put("face_min_score", Double.toString(minScore));
            a.put("faces", choice.id());
            return a;
        }
    }

    /** Everything {@code prepare} can be told. */
    public record Options(Path raw, Path out, Preprocessing preprocessing, StratifiedSplit.Ratios ratios, int augment,
                          long seed, Augmentation augmentation, Deduplicator.Mode dedupe, int nearDistance,
                          Path manifest, int minSide, int threads, boolean force, long maxPixels, FaceOptions faces) {

        public Options {
            if (augment < 1 || augment > MAX_AUGMENT) {
                throw new IllegalArgumentException("--augment must be 1 … " + MAX_AUGMENT + " training images per photo "
                        + "(1 = no augmentation), not " + augment);
            }
            if (minSide < 1) throw new IllegalArgumentException("--min-side must be at least 1");
            if (maxPixels < 1) throw new IllegalArgumentException("--max-pixels must be at least 1");
            if (nearDistance < 0 || nearDistance > 64) throw new IllegalArgumentException("--near-distance must be in 0..64");
            if ((preprocessing.crop() == Preprocessing.Crop.FACE) != (faces != null)) {
                throw new IllegalArgumentException("face options go with a face crop, and only with it");
            }
        }

        /** Without face crops, with the decoder's default pixel limit. */
        public Options(Path raw, Path out, Preprocessing preprocessing, StratifiedSplit.Ratios ratios, int augment,
                       long seed, Augmentation augmentation, Deduplicator.Mode dedupe, int nearDistance, Path manifest,
                       int minSide, int threads, boolean force) {
            this(raw, out, preprocessing, ratios, augment, seed, augmentation, dedupe, nearDistance, manifest, minSide,
                    threads, force, ImageDecoder.DEFAULT_MAX_PIXELS, null);
        }

        int threadCount() {
            return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        }
    }

    private final Options o;
    private final Progress.Factory progress;

    private PrepareJob(Options options, Progress.Factory progress) {
        this.o = options;
        this.progress = progress;
    }

    /** Runs {@code prepare}; user-fixable problems are {@link UserError}s thrown before any output is written. */
    public static PrepareReport run(Options options, Progress.Factory progress) {
        return new PrepareJob(options, progress).run();
    }

    private PrepareReport run() {
        if (o.faces() == null) return runWith(null, null);
        // the detector's weights are read and checked first: a bad file stops prepare before anything is written
        try (Backend backend = DeviceOption.of(o.faces().device()).open()) {
            FaceDetector detector = FaceDetector.load(backend, o.faces().weights(), o.faces().minScore());
            return runWith(detector, "faces found by face-api's SSD MobileNetV1 (" + o.faces().weights().getFileName() + ") on "
                    + backend.name() + ", score > " + o.faces().minScore() + ", --faces " + o.faces().choice());
        }
    }

    private PrepareReport runWith(FaceDetector detector, String cropLine) {
        long start = System.nanoTime();
        Map<Split, Path> outputs = new EnumMap<>(Split.class);
        for (Split s : Split.values()) outputs.put(s, o.out().resolve(s.fileName()));
        Path manifestOut = o.out().resolve(Manifest.FILE_NAME);
        checkOutputs(outputs, manifestOut);
        Map<String, Split> reused = o.manifest() == null ? null : Manifest.splitsByHash(o.manifest());
        RawDataset raw = RawDataset.scan(o.raw(), o.out());
        if (raw.files().isEmpty()) {
            List<String> folders = new ArrayList<>();
            for (Path f : raw.classFolders()) folders.add(String.valueOf(f.getFileName()));
            throw new UserError("no photos under " + o.raw() + ": put each class's photos in its folder ("
                    + String.join(", ", folders) + ")");
        }

        // The out folder holds the scan's input store; a run that stops before writing removes the folders it made.
        Path firstMade = null;
        for (Path d = o.out().toAbsolutePath(); d != null && !Files.exists(d); d = d.getParent()) firstMade = d;
        Path storeFile = partialOf(o.out().resolve("inputs"));
        Map<Path, Path> partials = new LinkedHashMap<>();     // temporary → final
        for (Path f : outputs.values()) partials.put(partialOf(f), f);
        partials.put(partialOf(manifestOut), manifestOut);
        Thread cleanup = new Thread(() -> {
            DatasetWriter.deleteQuietly(storeFile);
            partials.keySet().forEach(DatasetWriter::deleteQuietly);
        }, "prepare-cleanup");
        ExecutorService pool = newPool(o.threadCount());
        try {
            InputStore store;
            try {
                Files.createDirectories(o.out());
                deleteStalePartials(o.out());
                Runtime.getRuntime().addShutdownHook(cleanup);   // Ctrl-C: leave no half-written file behind
                int size = o.preprocessing().size();
                store = InputStore.create(storeFile, size * size * 3);
            } catch (IOException e) {
                throw cannotWrite(e);
            }
            try (store) {
                Map<ScannedPhoto, List<Face>> faces = new HashMap<>();
                List<Outcome> outcomes = scanAll(raw.files(), pool, store, detector, faces);
                List<ScannedPhoto> usable = new ArrayList<>();
                for (Outcome oc : outcomes) if (oc.usable()) usable.add(oc.photo());
                Deduplicator.Result dedupe = Deduplicator.run(usable, o.dedupe(), o.nearDistance());

                Map<ScannedPhoto, Split> assignment = new LinkedHashMap<>();
                List<ScannedPhoto> notInManifest = new ArrayList<>();
                if (reused == null) assignSplits(raw, dedupe.kept(), assignment);
                else reuseSplits(dedupe.kept(), reused, assignment, notInManifest);
                checkSplittable(raw, outcomes, dedupe, assignment);

                PrepareReport report = new PrepareReport(o, raw, outcomes, dedupe, assignment, notInManifest,
                        detector == null ? Map.of() : faces, cropLine);
                writeOutputs(report, outputs, manifestOut, partials, pool, store);
                report.finished(System.nanoTime() - start);
                return report;
            }
        } finally {
            pool.shutdownNow();
            partials.keySet().forEach(DatasetWriter::deleteQuietly);
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException | IllegalArgumentException e) {
                // shutting down already (the hook runs), or it was never added
            }
            if (firstMade != null) deleteEmptyFolders(o.out().toAbsolutePath(), firstMade);
        }
    }

    private UserError cannotWrite(Exception e) {
        IOException full = AtomicFiles.diskFull(o.out(), e);
        return new UserError(full != null ? full.getMessage() : "cannot write to " + o.out() + ": " + e.getMessage(), e);
    }

    /** Deletes {@code dir} and its parents up to {@code top} while they are empty. */
    private static void deleteEmptyFolders(Path dir, Path top) {
        for (Path d = dir; d != null && d.startsWith(top); d = d.getParent()) {
            try (Stream<Path> files = Files.list(d)) {
                if (files.findAny().isPresent()) return;
            } catch (IOException e) {
                return;   // not there, or unreadable: leave it
            }
            DatasetWriter.deleteQuietly(d);
        }
    }

    private void checkOutputs(Map<Split, Path> outputs, Path manifestOut) {
        if (Files.exists(o.out()) && !Files.isDirectory(o.out())) throw new UserError(o.out() + " exists and is not a folder");
        if (o.force()) return;
        List<Path> all = new ArrayList<>(outputs.values());
        all.add(manifestOut);
        for (Path p : all) {
            if (Files.exists(p)) throw new UserError(p + " already exists: add --force to replace it");
        }
    }

    /** The reason a photo without a face is skipped. */
    static final String NO_FACE = "no face found";

    /**
     * Scans every file in parallel, in order; stores each usable photo's input and keeps its fingerprints. With a
     * detector, the decoded photos go through the network {@link FaceDetector#BATCH} at a time (the backend uses every
     * core itself) while the pool decodes the next ones; each chosen face's crop is stored, and {@code faces} gets
     * every face found, most confident first. A photo without a face becomes a rejected outcome.
     */
    private List<Outcome> scanAll(List<RawDataset.RawFile> files, ExecutorService pool, InputStore store,
                                  FaceDetector detector, Map<ScannedPhoto, List<Face>> faces) {
        List<Outcome> out = new ArrayList<>(files.size());
        // with faces, a decoded photo waits for its batch: fewer in flight, as each holds all its pixels
        int inFlight = detector == null ? 4 * o.threadCount() : 2 * o.threadCount() + FaceDetector.BATCH;
        try (Progress bar = progress.phase(detector == null ? "scan" : "scan, faces", files.size());
             OrderedParallel<RawDataset.RawFile, Scanned> scans = new OrderedParallel<>(files.iterator(),
                     f -> scanForFaces(f), pool, inFlight)) {
            List<Scanned> batch = new ArrayList<>();
            while (scans.hasNext() || !batch.isEmpty()) {
                if (scans.hasNext()) {
                    Scanned next = scans.next();
                    if (next.detectorInput() == null && batch.isEmpty()) {     // centre crop, or a rejected file
                        PhotoScan.Scan scan = next.scan();
                        if (scan.input() != null) store.put(scan.outcome().photo().raw(), 0, scan.input());
                        out.add(scan.outcome());
                        bar.step();
                        continue;
                    }
                    batch.add(next);
                    if (batch.size() < FaceDetector.BATCH && scans.hasNext()) continue;
                }
                findFaces(batch, detector, store, faces, out);
                bar.stepBy(batch.size());
                batch.clear();
            }
        } catch (IOException e) {
            throw cannotWrite(e);
        }
        return out;
    }

    /** Scans a file and, for a face crop, resizes the photo for the detector; running out of memory rejects it as such. */
    private Scanned scanForFaces(RawDataset.RawFile file) {
        PhotoScan.Scan scan = PhotoScan.scan(file, o.minSide(), o.maxPixels(), o.preprocessing());
        if (scan.image() == null) return new Scanned(scan, null);
        int w = scan.image().width(), h = scan.image().height();
        try {
            return new Scanned(scan, FaceDetector.input(scan.image()));
        } catch (OutOfMemoryError e) {
            scan = null;   // let the decoded pixels go before anything else is allocated
            Rejected why = new Rejected(file, ImageDecoder.outOfMemory("processing", w, h, "image"));
            return new Scanned(new PhotoScan.Scan(new Outcome(null, why), null, null), null);
        }
    }

    /** A file scanned and, for the detector, its photo resized to the network's input (null if rejected or no detector). */
    private record Scanned(PhotoScan.Scan scan, FaceDetector.Input detectorInput) {
    }

    /** Runs the detector on a batch of scans (rejected files pass through) and stores the chosen faces' crops. */
    private void findFaces(List<Scanned> batch, FaceDetector detector, InputStore store, Map<ScannedPhoto, List<Face>> faces,
                           List<Outcome> out) throws IOException {
        List<FaceDetector.Input> inputs = new ArrayList<>();
        List<RgbImage> images = new ArrayList<>();
        for (Scanned s : batch) {
            if (s.detectorInput() == null) continue;
            inputs.add(s.detectorInput());
            images.add(s.scan().image());
        }
        List<List<Face>> found = inputs.isEmpty() ? List.of() : detector.detect(inputs, images);
        FaceChoice choice = o.faces().choice();
        int k = 0;
        for (Scanned s : batch) {
            Outcome oc = s.scan().outcome();
            if (s.detectorInput() == null) {
                out.add(oc);
                continue;
            }
            List<Face> all = found.get(k++);
            if (all.isEmpty()) {
                out.add(new Outcome(null, new Rejected(oc.photo().raw(), NO_FACE)));
                continue;
            }
            faces.put(oc.photo(), all);
            for (Face f : choice.choose(all)) {
                store.put(oc.photo().raw(), all.indexOf(f), o.preprocessing().apply(s.scan().image(), f));
            }
            out.add(oc);
        }
    }

    private void assignSplits(RawDataset raw, List<ScannedPhoto> kept, Map<ScannedPhoto, Split> assignment) {
        for (int label = 0; label < raw.classNames().size(); label++) {
            List<ScannedPhoto> ofClass = new ArrayList<>();
            for (ScannedPhoto p : kept) if (p.label() == label) ofClass.add(p);
            Split[] splits = StratifiedSplit.assign(ofClass.size(), o.ratios(), o.seed(), label);
            for (int i = 0; i < splits.length; i++) assignment.put(ofClass.get(i), splits[i]);
        }
    }

    private static void reuseSplits(List<ScannedPhoto> kept, Map<String, Split> reused, Map<ScannedPhoto, Split> assignment,
                                    List<ScannedPhoto> notInManifest) {
        for (ScannedPhoto p : kept) {
            Split s = reused.get(p.sha256());
            if (s == null) notInManifest.add(p);
            else assignment.put(p, s);
        }
    }

    /** Every class needs photos, and enough for one in every split: say which class lacks them, before writing. */
    private void checkSplittable(RawDataset raw, List<Outcome> outcomes, Deduplicator.Result dedupe,
                                 Map<ScannedPhoto, Split> assignment) {
        List<String> problems = new ArrayList<>();
        int minimum = StratifiedSplit.minimumPerClass(o.ratios());
        for (int label = 0; label < raw.classNames().size(); label++) {
            final int l = label;
            long found = outcomes.stream().filter(oc -> (oc.usable() ? oc.photo().label() : oc.rejected().raw().label()) == l).count();
            long skipped = outcomes.stream().filter(oc -> !oc.usable() && oc.rejected().raw().label() == l).count();
            long duplicates = dedupe.dropped().stream().filter(d -> d.photo().label() == l).count();
            long conflicts = dedupe.conflicts().stream().flatMap(c -> c.copies().stream()).filter(p -> p.label() == l).count();
            long kept = assignment.keySet().stream().filter(p -> p.label() == l).count();
            String name = "class '" + raw.classNames().get(label) + "'";
            if (found == 0) {
                problems.add(name + " has no photos: put them in " + raw.classFolders().get(label));
            } else if (kept == 0) {
                problems.add(name + " has no usable photo (" + found + " files found, " + skipped + " unusable, "
                        + duplicates + " duplicates" + (conflicts > 0 ? ", " + conflicts + " also in another class" : "") + ")");
            } else if (o.manifest() == null && kept < minimum) {
                problems.add(name + " has " + kept + " usable photo" + (kept == 1 ? "" : "s") + ", too few for a "
                        + o.ratios() + " split (each class needs at least " + minimum + ")");
            }
        }
        if (o.manifest() != null) {
            for (Split s : Split.values()) {
                if (!assignment.containsValue(s)) problems.add("no photo here is in the " + s + " split of " + o.manifest());
            }
        }
        if (!problems.isEmpty()) throw new UserError(String.join("; ", problems) + ". Nothing was written.");
    }

    private void writeOutputs(PrepareReport report, Map<Split, Path> outputs, Path manifestOut, Map<Path, Path> partials,
                              ExecutorService pool, InputStore store) {
        try {
            for (Split split : Split.values()) {
                writeSplit(split, report.samplesIn(split), partialOf(outputs.get(split)), report, pool, store);
            }
            Manifest.write(partialOf(manifestOut), report.manifestRows());
            for (Map.Entry<Path, Path> e : partials.entrySet()) {
                Files.move(e.getKey(), e.getValue(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException | UncheckedIOException | HdfException e) {
            throw new UserError("cannot write to " + o.out() + ": " + e.getMessage(), e);
        }
    }

    private void writeSplit(Split split, List<PrepareReport.Sample> samples, Path file, PrepareReport report,
                            ExecutorService pool, InputStore store) {
        List<PrepareReport.Sample> order = new ArrayList<>(samples);
        int[] perm = StratifiedSplit.shuffled(order.size(), new SplittableRandom(Seeds.mix(o.seed(), 0x0DE4L, split.ordinal())));
        List<PrepareReport.Sample> shuffled = new ArrayList<>(order.size());
        for (int i : perm) shuffled.add(order.get(i));
        int copies = split == Split.TRAIN ? o.augment() : 1;
        long images = (long) shuffled.size() * copies;
        if (images > MAX_IMAGES) {
            throw new UserError("the " + split + " split would hold " + images + " images (" + shuffled.size() + " samples × "
                    + copies + "), more than the " + MAX_IMAGES + " one file can; lower --augment");
        }
        int[] labels = new int[(int) images];
        long[] sources = new long[labels.length];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = shuffled.get(i / copies).photo().label();
            sources[i] = shuffled.get(i / copies).manifestRow();
        }
        int size = o.preprocessing().size();
        DatasetWriter.SplitSpec spec = new DatasetWriter.SplitSpec(split.id(), report.classNames(), labels, size, size,
                attributes(copies), sources);
        // A sample's images are made in pieces of a few, never all its copies at once: memory holds the pieces in
        // flight (2 per thread), whatever --augment is, and the progress bar moves as they are written.
        int perPiece = (int) Math.max(1, Math.min(MAX_PIECE_IMAGES, PIECE_BYTES / (3L * size * size)));
        try (Progress bar = progress.phase(split.id(), labels.length);
             OrderedParallel<Piece, List<byte[]>> rendered = new OrderedParallel<>(pieces(shuffled, copies, perPiece),
                     piece -> render(piece, store), pool, 2 * o.threadCount())) {
            DatasetWriter.write(file, spec, flatten(rendered, bar), pool);
        }
        report.wrote(split, labels.length);
    }

    /** Images {@code from … to−1} of a sample: 0 is its input as scanned, the others augmented variants of it. */
    private record Piece(PrepareReport.Sample sample, int from, int to) {
    }

    /** Each sample's {@code copies} images, in order, in pieces of at most {@code perPiece}. */
    private static Iterator<Piece> pieces(List<PrepareReport.Sample> samples, int copies, int perPiece) {
        return new Iterator<>() {
            private int sample, from;

            @Override
            public boolean hasNext() {
                return sample < samples.size();
            }

            @Override
            public Piece next() {
                if (!hasNext()) throw new NoSuchElementException();
                int to = Math.min(copies, from + perPiece);
                Piece p = new Piece(samples.get(sample), from, to);
                if (to == copies) {
                    sample++;
                    from = 0;
                } else {
                    from = to;
                }
                return p;
            }
        };
    }

    private List<byte[]> render(Piece piece, InputStore store) {
        PrepareReport.Sample s = piece.sample();
        byte[] base;
        try {
            base = store.get(s.photo().raw(), s.faceIndex());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read back " + store.file() + ": " + e.getMessage(), e);
        }
        List<byte[]> out = new ArrayList<>(piece.to() - piece.from());
        // the first face of a photo keeps the photo's own variants; further faces of it get their own
        long photoSeed = Seeds.fromHex(s.photo().sha256()) + 0x9E3779B97F4A7C15L * s.faceIndex();
        for (int v = piece.from(); v < piece.to(); v++) {
            out.add(v == 0 ? base : o.augmentation().apply(base, o.preprocessing().size(), Seeds.mix(o.seed(), photoSeed, v)));
        }
        return out;
    }

    private Map<String, String> attributes(int copies) {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("preprocess_crop", o.preprocessing().crop().toString());
        a.put("preprocess_crop_fraction", Double.toString(o.preprocessing().cropFraction()));
        if (o.faces() != null) {
            a.put("preprocess_face_margin", Double.toString(o.preprocessing().faceMargin()));
            a.putAll(o.faces().attributes());
        }
        a.put("preprocess_resize", "antialiased bilinear");
        a.put("source_folder", o.raw().toAbsolutePath().normalize().toString());
        a.put("augment_copies", Integer.toString(copies));
        a.put("split_ratios", o.ratios().toString());
        a.put("seed", Long.toString(o.seed()));
        return a;
    }

    private static Iterator<byte[]> flatten(Iterator<List<byte[]>> groups, Progress bar) {
        return new Iterator<>() {
            private Iterator<byte[]> current = List.<byte[]>of().iterator();

            @Override
            public boolean hasNext() {
                while (!current.hasNext() && groups.hasNext()) current = groups.next().iterator();
                return current.hasNext();
            }

            @Override
            public byte[] next() {
                if (!hasNext()) throw new NoSuchElementException();
                bar.step();
                return current.next();
            }
        };
    }

    static Path partialOf(Path file) {
        return file.resolveSibling("." + file.getFileName() + PARTIAL_SUFFIX);
    }

    private static void deleteStalePartials(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(f -> f.getFileName().toString().startsWith(".") && f.getFileName().toString().endsWith(PARTIAL_SUFFIX))
                    .forEach(DatasetWriter::deleteQuietly);
        }
    }

    private static ExecutorService newPool(int threads) {
        AtomicInteger n = new AtomicInteger();
        return Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "prepare-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

}
