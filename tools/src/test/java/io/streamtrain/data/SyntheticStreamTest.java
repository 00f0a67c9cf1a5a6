package io.streamtrain.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;

import io.streamtrain.avro.ClassLabel;
import io.streamtrain.avro.Example;
import org.junit.jupiter.api.Test;

class SyntheticStreamTest {

    @Test
    void theSameSeedGivesTheSameStreamOnEachPass() {
        SyntheticStream stream = new SyntheticStream(7, 5, 0.2);
        List<LabeledExample> first = stream.stream().limit(500).toList();
        assertThat(stream.stream().limit(500).toList()).isEqualTo(first);
        assertThat(new SyntheticStream(8, 5, 0.2).stream().limit(500).toList()).isNotEqualTo(first);
        assertThat(first).allSatisfy(e -> assertThat(e.features()).hasSize(5));
    }

    @Test
    void bothClassesAndTheUnlabeledFractionAppear() {
        List<LabeledExample> examples = new SyntheticStream(42, 20, 0.1).stream().limit(10_000).toList();
        long unlabeled = examples.stream().filter(e -> !e.isLabeled()).count();
        long ones = examples.stream().filter(e -> e.label() == 1).count();
        assertThat(unlabeled).isBetween(800L, 1200L);
        assertThat(ones).isBetween(4000L, 5000L);
    }

    @Test
    void invalidSettingsAreRefused() {
        assertThatThrownBy(() -> new SyntheticStream(1, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SyntheticStream(1, 3, 1.5)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anExampleBecomesTheAvroExampleTheLearnerReads() {
        LabeledExample e = new LabeledExample(new float[] {0.5f, -1f}, 1);
        Example avro = e.toAvro("m", "id-1", Instant.ofEpochMilli(1000), List.of("no", "yes"));
        assertThat(avro.getId()).isEqualTo("id-1");
        assertThat(avro.getModel()).isEqualTo("m");
        assertThat(avro.getFeatures()).containsExactly(0.5f, -1f);
        assertThat(avro.getLabel()).isEqualTo(ClassLabel.newBuilder().setIndex(1).setName("yes").build());
        assertThat(avro.getEventTime()).isEqualTo(Instant.ofEpochMilli(1000));
        assertThat(new LabeledExample(new float[] {1f}, LabeledExample.UNLABELED)
                .toAvro("m", "id-2", Instant.EPOCH, List.of()).getLabel()).isNull();
    }
}
