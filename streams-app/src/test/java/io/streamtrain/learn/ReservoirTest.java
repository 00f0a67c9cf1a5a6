package io.streamtrain.learn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * The replay reservoir: a uniform sample of everything offered, draws that depend only on its content, the seed and
 * the step, and a save and restore after which it goes on exactly as before.
 */
class ReservoirTest {

    @Test
    void theFirstExamplesFillItThenEachOfAllOfferedIsKeptWithTheSameChance() {
        int capacity = 20;
        int offered = 200;
        int trials = 2_000;
        int[] kept = new int[offered];
        for (int seed = 0; seed < trials; seed++) {
            Reservoir r = new Reservoir(1, capacity, seed);
            for (int i = 0; i < offered; i++) {
                r.offer(rows(i), targets(i), null);
                assertThat(r.size()).isEqualTo(Math.min(i + 1, capacity));
            }
            assertThat(r.seen()).isEqualTo(offered);
            for (int slot = 0; slot < r.size(); slot++) {
                kept[(int) r.features(slot)[0]]++;
            }
        }
        // each example is kept with probability capacity / offered = 0.1: 200 of 2,000 trials, sd ~13.4
        double expected = trials * (double) capacity / offered;
        for (int i = 0; i < offered; i++) {
            assertThat((double) kept[i]).as("example %d kept", i).isBetween(expected - 6 * 13.4, expected + 6 * 13.4);
        }
        // the first and the last tenth alike: no bias to old or new
        int first = Arrays.stream(kept, 0, 20).sum();
        int last = Arrays.stream(kept, 180, 200).sum();
        assertThat(Math.abs(first - last)).isLessThan(240);
    }

    @Test
    void aStepFitsItsNewExamplesThenRatioTimesAsManyDrawnFromTheReservoirAsItWas() {
        Reservoir r = new Reservoir(3, 50, 7);
        Reservoir.Batch empty = r.mix(rows(1000, 1001), targets(0, 1), null, 0);
        assertThat(empty.size()).as("nothing to replay yet").isEqualTo(2);
        assertThat(empty.weights()).containsExactly(1f, 1f);
        for (int i = 0; i < 30; i++) {
            r.offer(rows(i), targets(i % 2), new float[] {0.5f});
        }
        float[][] fresh = rows(1000, 1001, 1002, 1003);
        Reservoir.Batch batch = r.mix(fresh, targets(0, 1, 0, 1), new float[] {1, 1, 2, 1}, 5);
        assertThat(batch.size()).isEqualTo(4 + 12);
        for (int i = 0; i < 4; i++) {
            assertThat(batch.features()[i]).isSameAs(fresh[i]);
        }
        assertThat(batch.weights()[2]).isEqualTo(2f);
        for (int k = 4; k < 16; k++) {
            int id = (int) batch.features()[k][0];
            assertThat(id).as("a past example").isBetween(0, 29);
            assertThat(batch.targets()[k]).isEqualTo(Target.ofClass(id % 2));
            assertThat(batch.weights()[k]).isEqualTo(0.5f);
        }
        Reservoir.Batch again = r.mix(fresh, targets(0, 1, 0, 1), null, 5);
        Reservoir.Batch next = r.mix(fresh, targets(0, 1, 0, 1), null, 6);
        assertThat(ids(again)).as("the same step draws the same").isEqualTo(ids(batch));
        assertThat(ids(next)).as("another step draws others").isNotEqualTo(ids(batch));
    }

    @Test
    void trainingCountsOnlyTheNewExamples() {
        NetworkSpec spec = NetworkSpec.parse("inputSize: 2\nlayers: [{type: dense, units: 4}]\n"
                + "output: {type: classification, classes: 2}\nreplay: {ratio: 3, capacity: 100}\n",
                NetworkSpec.Format.YAML);
        Reservoir r = Reservoir.forSpec(spec);
        assertThat(r.ratio()).isEqualTo(3);
        assertThat(r.capacity()).isEqualTo(100);
        try (Learner learner = Learner.create(spec)) {
            for (int step = 0; step < 5; step++) {
                r.train(learner, new float[][] {{step, 1}, {1, step}}, targets(0, 1), null);
            }
            assertThat(learner.version()).isEqualTo(5);
            assertThat(learner.examplesTrained()).isEqualTo(10);
            assertThat(r.size()).isEqualTo(10);
        }
    }

    @Test
    void aSavedAndRestoredReservoirGoesOnExactlyAsTheOriginal() {
        Reservoir original = new Reservoir(2, 64, 99);
        Map<Integer, Reservoir.Slot> saved = new HashMap<>();
        long savedSeen = 0;
        int savedSize = 0;
        for (int i = 0; i < 500; i++) {
            original.offer(rows(i), targets(i % 3), new float[] {1 + i % 2});
            if (i == 300) {
                for (int slot : original.changedSlots()) {
                    saved.put(slot, new Reservoir.Slot(original.features(slot), original.target(slot),
                            original.weight(slot)));
                }
                original.markSaved();
                assertThat(original.changedSlots()).isEmpty();
                savedSeen = original.seen();
                savedSize = original.size();
            }
        }
        Reservoir copy = new Reservoir(2, 64, 99);
        copy.restore(savedSeen, savedSize, saved::get);
        assertThat(copy.changedSlots()).isEmpty();
        for (int i = 301; i < 500; i++) {
            copy.offer(rows(i), targets(i % 3), new float[] {1 + i % 2});
        }
        assertThat(copy.seen()).isEqualTo(original.seen());
        for (int slot = 0; slot < original.size(); slot++) {
            assertThat(copy.features(slot)).isEqualTo(original.features(slot));
            assertThat(copy.target(slot)).isEqualTo(original.target(slot));
            assertThat(copy.weight(slot)).isEqualTo(original.weight(slot));
        }
        assertThat(ids(copy.mix(rows(900), targets(0), null, 42))).isEqualTo(
                ids(original.mix(rows(900), targets(0), null, 42)));
        assertThat(copy.changedSlots()).as("the slots changed since the save, the same in both")
                .isEqualTo(original.changedSlots());
    }

    @Test
    void aClearEmptiesEverySlotAndItFillsAgain() {
        Reservoir r = new Reservoir(1, 10, 1);
        for (int i = 0; i < 25; i++) {
            r.offer(rows(i), targets(0), null);
        }
        r.markSaved();
        r.clear();
        assertThat(r.size()).isZero();
        assertThat(r.seen()).isZero();
        assertThat(r.changedSlots()).as("every slot to delete").containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(r.mix(rows(1), targets(0), null, 3).size()).isEqualTo(1);
        r.offer(rows(100), targets(1), null);
        assertThat(r.size()).isEqualTo(1);
        assertThat(r.features(0)[0]).isEqualTo(100f);
    }

    @Test
    void aRestoreThatDoesNotFitIsRefused() {
        Reservoir r = new Reservoir(1, 4, 1);
        assertThatThrownBy(() -> r.restore(3, 5, slot -> null)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("capacity 4 cannot hold 5");
        assertThatThrownBy(() -> r.restore(3, 2, slot -> slot == 0 ? new Reservoir.Slot(new float[1],
                Target.ofClass(0), 1f) : null)).hasMessageContaining("slot 1 of 2 is missing");
        assertThatThrownBy(() -> new Reservoir(0, 4, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> r.features(0)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    private static float[][] rows(int... ids) {
        float[][] rows = new float[ids.length][];
        for (int i = 0; i < ids.length; i++) {
            rows[i] = new float[] {ids[i], -ids[i]};
        }
        return rows;
    }

    private static Target[] targets(int... classes) {
        return Arrays.stream(classes).mapToObj(Target::ofClass).toArray(Target[]::new);
    }

    private static int[] ids(Reservoir.Batch batch) {
        return Arrays.stream(batch.features()).mapToInt(f -> (int) f[0]).toArray();
    }
}
