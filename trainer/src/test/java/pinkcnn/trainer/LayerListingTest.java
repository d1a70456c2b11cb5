package pinkcnn.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import pinkcnn.trainer.report.ColourMap;

/** The layer-name suggestions of inspect and cam, and the colour maps they share. */
class LayerListingTest {
    static final List<String> NAMES = List.of("block_12_expand", "block_12_expand_relu", "block_13_expand",
            "block_13_expand_BN", "block_13_expand_relu", "out_relu");

    @Test
    void suggestsTheClosestNames() {
        assertEquals("block_13_expand_relu", LayerListing.closest("block_13_expnd_relu", NAMES, 3).get(0));
        assertEquals("block_13_expand_BN", LayerListing.closest("BLOCK_13_EXPAND_bn", NAMES, 1).get(0), "case is ignored");
        assertEquals(List.of(), LayerListing.closest("zzzz", NAMES, 3), "nothing close: no suggestion");
        String message = LayerListing.unknown("block_13_expnd_relu", NAMES, "pinkcnn cam --run r --list").getMessage();
        assertTrue(message.startsWith("no layer named 'block_13_expnd_relu'; did you mean block_13_expand_relu"), message);
        assertTrue(message.endsWith("(every layer: 'pinkcnn cam --run r --list')"), message);
        assertEquals(3, LayerListing.distance("kitten", "sitting"));
    }

    @Test
    void colourMapsRunFromTheirFirstToTheirLastAnchor() {
        assertEquals(0x00007F, ColourMap.JET.rgb(0));
        assertEquals(0x7F0000, ColourMap.JET.rgb(1));
        assertEquals(0x7F0000, ColourMap.JET.rgb(7), "clamped");
        assertEquals(0x00007F, ColourMap.JET.rgb(Double.NaN), "NaN as 0");
        assertEquals(0x440154, ColourMap.VIRIDIS.rgb(0));
        assertEquals(0xFDE725, ColourMap.VIRIDIS.rgb(1));
        assertEquals(0x21918C, ColourMap.VIRIDIS.rgb(0.5));
    }
}
