package io.streamtrain.dashboard;

/**
 * One thing the page is told, as a server-sent event: its {@code kind} is the event's name and {@code json} its data
 * (one line of JSON).
 *
 * @param seq its place in the feed, from 1; the SSE event id
 * @param kind {@link #METRICS}, {@link #SNAPSHOT}, {@link #SNAPSHOT_REMOVED}, {@link #EVENT}, {@link #CONTROL} or
 *     {@link #STATUS}
 * @param model the model it is about; null for the feed's status
 * @param json the data, one line of JSON without line breaks
 */
record FeedItem(long seq, String kind, String model, String json) {

    /** A TrainingMetrics window of {@code <prefix>.metrics}. */
    static final String METRICS = "metrics";
    /** A version published to {@code <prefix>.models}: its description, never its bytes. */
    static final String SNAPSHOT = "snapshot";
    /** A version the learner no longer keeps (its tombstone on {@code <prefix>.models}). */
    static final String SNAPSHOT_REMOVED = "snapshot-removed";
    /** A record of {@code <prefix>.events}: drift, a change of champion, whatever the learner reports there. */
    static final String EVENT = "event";
    /** An answer of {@code <prefix>.control.log}: a command and what became of it. */
    static final String CONTROL = "control";
    /** What the feed follows and what it could not read. */
    static final String STATUS = "status";

    FeedItem {
        if (json.indexOf('\n') >= 0 || json.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("an event's data must be one line");
        }
    }
}
