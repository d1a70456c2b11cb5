package pinkcnn.trainer.data;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * A parallel map that keeps order and bounds memory: {@code fn} runs on the pool for at most {@code window} inputs
 * ahead of the consumer, and results come out in input order. A failure of {@code fn} is rethrown by {@link #next()}.
 */
final class OrderedParallel<I, O> implements Iterator<O>, AutoCloseable {

    private final Iterator<I> inputs;
    private final Function<I, O> fn;
    private final ExecutorService pool;
    private final int window;
    private final ArrayDeque<Future<O>> inFlight = new ArrayDeque<>();

    OrderedParallel(Iterator<I> inputs, Function<I, O> fn, ExecutorService pool, int window) {
        this.inputs = inputs;
        this.fn = fn;
        this.pool = pool;
        this.window = Math.max(1, window);
    }

    private void fill() {
        while (inFlight.size() < window && inputs.hasNext()) {
            I input = inputs.next();
            inFlight.add(pool.submit(() -> fn.apply(input)));
        }
    }

    @Override
    public boolean hasNext() {
        fill();
        return !inFlight.isEmpty();
    }

    @Override
    public O next() {
        if (!hasNext()) throw new NoSuchElementException();
        Future<O> head = inFlight.poll();
        try {
            O result = head.get();
            fill();
            return result;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            close();
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) throw r;
            if (cause instanceof Error err) throw err;
            throw new IllegalStateException(cause);
        }
    }

    /** Cancels what is still queued. */
    @Override
    public void close() {
        for (Future<O> f : inFlight) f.cancel(true);
        inFlight.clear();
    }
}
