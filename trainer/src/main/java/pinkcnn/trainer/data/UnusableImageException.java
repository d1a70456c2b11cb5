package pinkcnn.trainer.data;

/** A file that cannot become a training photo; the message is the one-line reason shown to the user. */
public final class UnusableImageException extends Exception {

    public UnusableImageException(String reason) {
        super(reason);
    }

    public String reason() {
        return getMessage();
    }
}
