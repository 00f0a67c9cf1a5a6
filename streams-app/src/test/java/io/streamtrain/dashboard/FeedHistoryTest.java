package io.streamtrain.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class FeedHistoryTest {

    @Test
    void keepsTheNewestItemsOfEachKindPerModelInTheOrderTheyCameWithTheStatusFirst() {
        FeedHistory history = new FeedHistory(3, 100);
        for (int i = 1; i <= 5; i++) {
            history.add(FeedItem.METRICS, "a", "{\"n\":" + i + "}");
            history.add(FeedItem.METRICS, "b", "{\"n\":" + i + "}");
        }
        history.add(FeedItem.SNAPSHOT, "a", "{\"version\":1}");
        history.add(FeedItem.STATUS, null, "{\"skipped\":0}");
        history.add(FeedItem.STATUS, null, "{\"skipped\":1}");

        List<FeedItem> kept = history.snapshot();

        assertThat(kept).extracting(FeedItem::json).containsExactly("{\"skipped\":1}",
                "{\"n\":3}", "{\"n\":3}", "{\"n\":4}", "{\"n\":4}", "{\"n\":5}", "{\"n\":5}", "{\"version\":1}");
        assertThat(kept.subList(1, kept.size())).extracting(FeedItem::seq).isSorted();
        assertThat(history.models()).isEqualTo(2);
    }

    @Test
    void aWatcherGetsTheHistoryThenEveryNewItemOnceEvenWhileItemsAreAdded() throws Exception {
        FeedHistory history = new FeedHistory(100_000, 100_000);
        Thread adder = new Thread(() -> {
            for (int i = 0; i < 20_000; i++) {
                history.add(FeedItem.METRICS, "m", "{}");
            }
        });
        adder.start();
        Thread.sleep(1);
        List<Long> seen = new ArrayList<>();
        try (FeedHistory.Subscription s = history.subscribe()) {
            s.history().forEach(item -> seen.add(item.seq()));
            adder.join();
            FeedItem item;
            while ((item = s.next(0)) != null) {
                seen.add(item.seq());
            }
        }
        assertThat(seen).hasSize(20_000);
        for (int i = 0; i < seen.size(); i++) {
            assertThat(seen.get(i)).isEqualTo(i + 1L);
        }
    }

    @Test
    void aWatcherThatFallsBehindIsDroppedAndTheOthersAreNot() throws Exception {
        FeedHistory history = new FeedHistory(10, 5);
        FeedHistory.Subscription slow = history.subscribe();
        FeedHistory.Subscription keeping = history.subscribe();
        List<FeedItem> got = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            history.add(FeedItem.METRICS, "m", "{}");
            FeedItem item = keeping.next(0);
            got.add(item);
        }
        assertThat(got).doesNotContainNull().hasSize(12);
        int drained = 0;
        while (slow.next(0) != null) {
            drained++;
        }
        assertThat(drained).as("the items it had room for").isEqualTo(5);
        assertThat(slow.ended()).isTrue();
        assertThat(slow.overflowed()).isTrue();
        assertThat(keeping.overflowed()).isFalse();

        history.close();
        assertThat(keeping.next(1000)).isNull();
        assertThat(keeping.ended()).isTrue();
        assertThat(history.subscribe().next(0)).as("a watcher after the close ends at once").isNull();
    }

    @Test
    void anItemsDataIsOneLine() {
        FeedHistory history = new FeedHistory(1, 1);
        assertThatThrownBy(() -> history.add(FeedItem.EVENT, "m", "{\n}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one line");
    }
}
