package pinkcnn.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import pinkcnn.trainer.data.Deduplicator.Kind;
import pinkcnn.trainer.data.PhotoScan.ScannedPhoto;

class DeduplicatorTest {

    private static ScannedPhoto photo(String path, int label, String sha, String pixels, long phash) {
        return new ScannedPhoto(new RawDataset.RawFile(Path.of(path), path, label), sha, pixels, phash, 100, 100);
    }

    private final ScannedPhoto a = photo("c0/a.jpg", 0, "sa", "pa", 0x0000_0000_0000_0000L);
    private final ScannedPhoto aCopy = photo("c0/a-copy.jpg", 0, "sa", "pa", 0x0000_0000_0000_0000L);
    private final ScannedPhoto aAsPng = photo("c0/a.png", 0, "sa-png", "pa", 0x0000_0000_0000_0000L);
    private final ScannedPhoto aReencoded = photo("c0/a-small.jpg", 0, "sr", "pr", 0x0000_0000_0000_0003L);   // 2 bits off
    private final ScannedPhoto b = photo("c0/b.jpg", 0, "sb", "pb", 0xFFFF_FFFF_0000_0000L);
    private final List<ScannedPhoto> all = List.of(a, aCopy, aAsPng, aReencoded, b);

    @Test
    void identicalBytesAndPixelsAreDroppedAfterTheFirst() {
        Deduplicator.Result r = Deduplicator.run(all, Deduplicator.Mode.EXACT, 4);
        assertEquals(List.of(a, aReencoded, b), r.kept());
        assertEquals(2, r.dropped().size());
        assertEquals(new Deduplicator.Duplicate(aCopy, a, Kind.SAME_BYTES), r.dropped().get(0));
        assertEquals(new Deduplicator.Duplicate(aAsPng, a, Kind.SAME_PIXELS), r.dropped().get(1));
        assertEquals(List.of(new Deduplicator.NearPair(a, aReencoded, 2)), r.nearPairs(), "reported, not dropped");
    }

    @Test
    void nearModeDropsLookAlikesToo() {
        Deduplicator.Result r = Deduplicator.run(all, Deduplicator.Mode.NEAR, 4);
        assertEquals(List.of(a, b), r.kept());
        assertEquals(new Deduplicator.Duplicate(aReencoded, a, Kind.NEAR), r.dropped().get(2));
    }

    @Test
    void theDistanceDecidesWhatIsNear() {
        assertEquals(3, Deduplicator.run(all, Deduplicator.Mode.NEAR, 1).kept().size());
        assertEquals(1, Deduplicator.run(all, Deduplicator.Mode.NEAR, 64).kept().size());
    }

    @Test
    void theSamePhotoInTwoClassesIsKeptInNeither() {
        ScannedPhoto inB = photo("c1/a.bmp", 1, "sa-bmp", "pa", 0);
        Deduplicator.Result r = Deduplicator.run(List.of(a, aCopy, aAsPng, inB, b), Deduplicator.Mode.EXACT, 4);
        assertEquals(List.of(b), r.kept());
        assertEquals(List.of(), r.dropped(), "every copy is in the conflict, none a duplicate");
        assertEquals(List.of(new Deduplicator.Conflict(List.of(a, aCopy, aAsPng, inB), List.of(0, 1))), r.conflicts());
    }

    @Test
    void lookAlikeGroupsKeepTheirFirstMember() {
        // x ~ y ~ z in a chain (x and z are 4 apart, beyond the distance) are one group: only x is kept.
        ScannedPhoto x = photo("x", 0, "1", "1", 0b0000L), y = photo("y", 0, "2", "2", 0b0011L), z = photo("z", 0, "3", "3", 0b1111L);
        Deduplicator.Result r = Deduplicator.run(List.of(x, y, z), Deduplicator.Mode.NEAR, 2);
        assertEquals(List.of(x), r.kept());
        assertEquals(x, r.dropped().get(1).keptCopy());
    }
}
