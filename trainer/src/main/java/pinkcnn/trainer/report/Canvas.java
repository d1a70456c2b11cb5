package pinkcnn.trainer.report;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/** The blank page the hand-drawn figures (confusion matrices, activation maps, galleries) start from. */
public final class Canvas {
    private Canvas() {}

    /** An RGB image of the given size, white, with graphics set for anti-aliased text in black. Dispose of them. */
    public static Graphics2D white(BufferedImage image) {
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        g.setColor(Color.BLACK);
        return g;
    }
}
