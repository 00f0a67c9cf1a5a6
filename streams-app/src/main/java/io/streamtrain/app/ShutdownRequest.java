package io.streamtrain.app;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Ctrl-C (SIGINT) or SIGTERM turned into a request that the thread owning the components acts on. The JVM's
 * shutdown hook does not close anything itself: it asks for the stop, then waits until the owner has closed what it
 * started, in its own order and from its own thread (Kafka clients are not safe for multi-threaded access), and
 * reports it by {@link #close()}. Only if the owner has not done so within a bound does the hook run a last resort,
 * so that no child process or temporary directory outlives the command.
 *
 * <pre>{@code
 * try (ShutdownRequest shutdown = ShutdownRequest.install(app::requestStop, Duration.ofSeconds(30), () -> { })) {
 *     app.awaitStop();
 *     app.close();   // from this thread, whether Ctrl-C or not
 * }                  // close(): the hook, if running, may let the JVM exit now
 * }</pre>
 */
public final class ShutdownRequest implements AutoCloseable {

    private final Runnable onRequest;
    private final Duration bound;
    private final Runnable lastResort;
    private final CountDownLatch ownerDone = new CountDownLatch(1);
    private final AtomicBoolean requested = new AtomicBoolean();
    private final Thread hook;

    private ShutdownRequest(Runnable onRequest, Duration bound, Runnable lastResort) {
        this.onRequest = onRequest;
        this.bound = bound;
        this.lastResort = lastResort;
        this.hook = new Thread(this::onSignal, "streamtrain-stop-request");
    }

    /**
     * Installs the JVM shutdown hook.
     *
     * @param onRequest  what tells the owner to stop (a flag, a latch); it must return at once
     * @param bound      how long the hook waits for the owner before it runs {@code lastResort}
     * @param lastResort what stops whatever the owner did not (run from the hook's thread)
     */
    public static ShutdownRequest install(Runnable onRequest, Duration bound, Runnable lastResort) {
        ShutdownRequest request = new ShutdownRequest(onRequest, bound, lastResort);
        Runtime.getRuntime().addShutdownHook(request.hook);
        return request;
    }

    /** Whether the stop was asked for by a signal (the command's exit status is then 130, as for Ctrl-C). */
    public boolean requested() {
        return requested.get();
    }

    private void onSignal() {
        requested.set(true);
        onRequest.run();
        try {
            if (!ownerDone.await(bound.toMillis(), TimeUnit.MILLISECONDS)) {
                lastResort.run();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The owner has closed everything: a pending shutdown may complete. Outside a shutdown the hook is removed, so
     * that a later signal does not ask a finished owner for anything.
     */
    @Override
    public void close() {
        ownerDone.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook is running, and now returns
        }
    }
}
