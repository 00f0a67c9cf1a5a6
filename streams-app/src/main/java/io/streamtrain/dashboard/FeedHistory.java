package io.streamtrain.dashboard;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * What the dashboard remembers of its topics, and who is watching. Each model keeps its last
 * {@code maxPerKind} items of each kind (the newest metrics windows, snapshots, events, control answers), so a page
 * opened later draws the recent curves at once; the feed's status is kept as its latest. A page that connects gets
 * that history in order, then every new item; one that falls more than {@code queueCapacity} items behind is
 * dropped (its browser reconnects and starts again from the history), so a slow page never holds the feed back.
 * Thread-safe.
 */
final class FeedHistory {

    private final int maxPerKind;
    private final int queueCapacity;
    private final Map<String, Map<String, Deque<FeedItem>>> byModel = new HashMap<>();
    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private FeedItem status;
    private long seq;
    private boolean closed;

    FeedHistory(int maxPerKind, int queueCapacity) {
        if (maxPerKind < 1 || queueCapacity < 1) {
            throw new IllegalArgumentException("maxPerKind and queueCapacity must be positive");
        }
        this.maxPerKind = maxPerKind;
        this.queueCapacity = queueCapacity;
    }

    /** Adds an item about {@code model} (null: the feed's status, which replaces the last) and passes it on. */
    synchronized FeedItem add(String kind, String model, String json) {
        FeedItem item = new FeedItem(++seq, kind, model, json);
        if (model == null) {
            status = item;
        } else {
            Deque<FeedItem> items = byModel.computeIfAbsent(model, m -> new HashMap<>())
                    .computeIfAbsent(kind, k -> new ArrayDeque<>());
            items.addLast(item);
            if (items.size() > maxPerKind) {
                items.removeFirst();
            }
        }
        for (Subscription s : subscriptions) {
            s.offer(item);
        }
        return item;
    }

    /** Everything kept, in the order it came: the status first. */
    synchronized List<FeedItem> snapshot() {
        List<FeedItem> items = new ArrayList<>();
        for (Map<String, Deque<FeedItem>> kinds : byModel.values()) {
            kinds.values().forEach(items::addAll);
        }
        items.sort(Comparator.comparingLong(FeedItem::seq));
        if (status != null) {
            items.add(0, status);
        }
        return items;
    }

    /** Models with something kept. */
    synchronized int models() {
        return byModel.size();
    }

    /**
     * A new watcher: the history as it is now, then every item added after it, with nothing in between lost or
     * repeated.
     */
    synchronized Subscription subscribe() {
        Subscription s = new Subscription(snapshot(), queueCapacity);
        if (closed) {
            s.close();
        } else {
            subscriptions.add(s);
        }
        return s;
    }

    /** Ends every subscription: their pages see the stream end. */
    synchronized void close() {
        closed = true;
        subscriptions.forEach(Subscription::close);
        subscriptions.clear();
    }

    /** One watcher's view: its history, then a bounded queue of what came since. */
    final class Subscription implements AutoCloseable {
        private static final FeedItem END = new FeedItem(-1, "", null, "");

        private final List<FeedItem> history;
        private final BlockingQueue<FeedItem> queue;
        private volatile boolean overflowed;
        private volatile boolean ended;

        private Subscription(List<FeedItem> history, int capacity) {
            this.history = history;
            // one more than the capacity, for the end marker
            this.queue = new ArrayBlockingQueue<>(capacity + 1);
        }

        List<FeedItem> history() {
            return history;
        }

        /**
         * The next item, waiting at most {@code timeoutMs}; null when none came in that time or the subscription
         * ended ({@link #ended()} then says so).
         */
        FeedItem next(long timeoutMs) throws InterruptedException {
            if (ended) {
                return null;
            }
            FeedItem item = queue.poll(timeoutMs, TimeUnit.MILLISECONDS);
            if (item == END) {
                ended = true;
                return null;
            }
            return item;
        }

        /** Whether it ended: closed, or dropped for falling behind ({@link #overflowed()}). */
        boolean ended() {
            return ended;
        }

        /** Whether it was dropped because its watcher fell more than the queue's capacity behind. */
        boolean overflowed() {
            return overflowed;
        }

        private void offer(FeedItem item) {
            if (queue.remainingCapacity() <= 1) {
                overflowed = true;
                subscriptions.remove(this);
                queue.offer(END);
                return;
            }
            queue.offer(item);
        }

        @Override
        public void close() {
            subscriptions.remove(this);
            queue.offer(END);
        }
    }
}
