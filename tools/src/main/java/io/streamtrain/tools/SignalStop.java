package io.streamtrain.tools;

import io.streamtrain.app.Main;
import io.streamtrain.app.ShutdownRequest;
import io.streamtrain.embedded.StopHooks;

/**
 * Ctrl-C for the tools' commands that run for minutes on components of their own ({@code bench}, {@code chaos}):
 * the command's thread is interrupted and unwinds, and its try-with-resources close the components in the reverse
 * order of their start (the learner, then the registry, then the broker), from that thread; the JVM exits once it
 * is done. The embedded broker and registry no longer stop themselves from hooks of their own meanwhile.
 */
public final class SignalStop {

    private SignalStop() {
    }

    /** Installs the request for the calling thread, the one that starts and closes the components. */
    public static ShutdownRequest interruptingThisThread() {
        StopHooks.leaveToOwner();
        Thread owner = Thread.currentThread();
        return ShutdownRequest.install(owner::interrupt, Main.STOP_BOUND, StopHooks::runLeftovers);
    }

    /**
     * A resource to declare last in a try-with-resources, so that it is closed first: it clears the interrupt a
     * Ctrl-C left, and the components declared before it close normally (the broker's controlled shutdown, the
     * registry's own exit) rather than being cut short.
     */
    public static InterruptCleared interruptCleared() {
        return Thread::interrupted;
    }

    /** See {@link #interruptCleared()}. */
    @FunctionalInterface
    public interface InterruptCleared extends AutoCloseable {
        @Override
        void close();
    }
}
