package io.streamtrain.chaos;

/**
 * One fault a campaign injected, where in the stream, and how the system came back from it.
 *
 * @param kind what was done
 * @param target the JVM or component it was done to
 * @param atProgress the committed progress of the watched topic when it was done
 * @param atFraction that progress as a fraction of the stream
 * @param tookMs how long the fault itself took (a kill, a broker stop and start, a worker restart)
 * @param recoveryMs from the fault until committed output grew again; -1 when none followed within the wait
 * @param restore what the restarted learner reported restoring, or empty
 */
public record Disruption(Kind kind, String target, long atProgress, double atFraction, long tookMs, long recoveryMs,
        String restore) {

    /** The kinds of fault. */
    public enum Kind {
        LEARNER_SIGKILL("learner JVM SIGKILL"),
        BROKER_RESTART("broker restart"),
        WORKER_SIGKILL("Connect worker JVM SIGKILL");

        private final String text;

        Kind(String text) {
            this.text = text;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    Disruption withRecovery(long ms, String restored) {
        return new Disruption(kind, target, atProgress, atFraction, tookMs, ms, restored);
    }
}
