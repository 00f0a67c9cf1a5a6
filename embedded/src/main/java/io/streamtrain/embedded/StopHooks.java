package io.streamtrain.embedded;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The stops of the embedded components that outlive nothing: the broker and the registry each register one, which
 * stops the component if the JVM exits while it runs (a test that never closed it). By default a stop is a JVM
 * shutdown hook. A command that closes its components itself, in the reverse order of their start and from the
 * thread that owns them ({@code demo}, {@code bench}, {@code chaos}), calls {@link #leaveToOwner()} first: the stops
 * are then kept here rather than run by the JVM at once, in parallel, while the learner still talks to the broker,
 * and {@link #runLeftovers()} runs those the owner did not get to, as the last resort of a Ctrl-C.
 */
public final class StopHooks {

    private static final Deque<Thread> KEPT = new ArrayDeque<>();
    private static boolean owned;

    private StopHooks() {
    }

    /** From now on, components started in this JVM are stopped by whoever started them; see the class comment. */
    public static synchronized void leaveToOwner() {
        owned = true;
    }

    /** Runs the stops of the components not closed yet, the newest first, in this thread. */
    public static void runLeftovers() {
        List<Thread> left;
        synchronized (StopHooks.class) {
            left = new ArrayList<>(KEPT);
            KEPT.clear();
        }
        left.forEach(Thread::run);
    }

    static synchronized void add(Thread stop) {
        if (owned) {
            KEPT.push(stop);
        } else {
            Runtime.getRuntime().addShutdownHook(stop);
        }
    }

    static synchronized void remove(Thread stop) {
        if (KEPT.remove(stop)) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(stop);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs anyway, and stopping twice is harmless
        }
    }
}
