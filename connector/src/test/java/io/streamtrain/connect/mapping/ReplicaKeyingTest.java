package io.streamtrain.connect.mapping;

import static io.streamtrain.connect.mapping.Records.map;
import static io.streamtrain.connect.mapping.Records.schemaless;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.streamtrain.avro.Example;
import io.streamtrain.avro.Label;
import io.streamtrain.connect.mapping.FeatureSpec.UnknownCategory;
import io.streamtrain.contract.ReplicaKey;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

/**
 * The keys of the records of models trained by several replicas ({@code model.replicas}): an example and the late
 * label that names it get the same {@code <model>#<shard>} key, with the shard of {@link ReplicaKey#shard}; a model
 * not listed, or listed with one replica, is keyed by its id.
 */
class ReplicaKeyingTest {

    private static final Map<String, Integer> REPLICAS = Map.of("churn", 4, "fraud", 1);
    private static final List<FeatureSpec> FEATURES = List.of(FeatureSpec.numeric("amount", "amount", Scaling.NONE),
            FeatureSpec.vocabulary("channel", "channel", List.of("web", "app"), UnknownCategory.REJECT));

    /** Examples of the model in field {@code model}, identified by field {@code id} or by topic-partition-offset. */
    private static ExampleMapper examples(boolean idFromField) {
        return new ExampleMapper(new MappingSpec(Optional.empty(), Optional.of(FieldPath.parse("model")), REPLICAS,
                idFromField ? Optional.of(FieldPath.parse("id")) : Optional.empty(), Optional.empty(),
                Optional.empty(), null, false, FEATURES, "examples-connector"));
    }

    /** Late labels of the model in field {@code model}, naming their example in field {@code exampleId}. */
    private static LabelMapper labels() {
        return new LabelMapper(new MappingSpec(Optional.empty(), Optional.of(FieldPath.parse("model")), REPLICAS,
                Optional.of(FieldPath.parse("exampleId")), Optional.empty(), Optional.of(FieldPath.parse("outcome")),
                LabelEncoder.classes(List.of("stayed", "churned")), false, List.of(), "labels-connector"));
    }

    private static SinkRecord example(String model, Object id) {
        return schemaless(map("model", model, "id", id, "amount", 3.0, "channel", "web"));
    }

    private static SinkRecord label(String model, Object exampleId) {
        return schemaless(map("model", model, "exampleId", exampleId, "outcome", "churned"));
    }

    @Test
    void anExampleAndItsLabelGetTheSameKeyWithTheShardOfTheExampleId() {
        Set<Integer> shards = new HashSet<>();
        for (int i = 0; i < 64; i++) {
            String id = "customer-" + i;
            MappedRecord example = examples(true).map(example("churn", id));
            MappedRecord label = labels().map(label("churn", id));
            int shard = ReplicaKey.shard(id, 4);
            assertThat(example.key()).as("the key of example %s", id).isEqualTo("churn#" + shard);
            assertThat(label.key()).as("the key of the label of example %s", id).isEqualTo(example.key());
            // the values keep the model id: only the key names the shard
            assertThat(((Example) example.value()).getModel()).isEqualTo("churn");
            assertThat(((Label) label.value()).getModel()).isEqualTo("churn");
            shards.add(shard);
        }
        assertThat(shards).as("the shards 64 ids fall in").containsExactlyInAnyOrder(0, 1, 2, 3);
    }

    @Test
    void aWholeNumberIdIsShardedByItsText() {
        MappedRecord example = examples(true).map(example("churn", 981L));
        assertThat(((Example) example.value()).getId()).isEqualTo("981");
        assertThat(example.key()).isEqualTo(ReplicaKey.shardKey("churn", ReplicaKey.shard("981", 4)));
        assertThat(labels().map(label("churn", 981)).key()).isEqualTo(example.key());
        assertThat(labels().map(label("churn", "981")).key()).isEqualTo(example.key());
    }

    @Test
    void withoutAnIdFieldTheShardIsThatOfTheTopicPartitionOffsetId() {
        MappedRecord example = examples(false).map(example("churn", "ignored"));
        assertThat(((Example) example.value()).getId()).isEqualTo("in-0-42");
        assertThat(example.key()).isEqualTo("churn#" + ReplicaKey.shard("in-0-42", 4));
        assertThat(labels().map(label("churn", "in-0-42")).key()).isEqualTo(example.key());
    }

    @Test
    void aModelNotListedOrWithOneReplicaIsKeyedByItsId() {
        for (String model : List.of("fraud", "other", "Churn")) {
            for (int i = 0; i < 8; i++) {
                String id = "e" + i;
                assertThat(examples(true).map(example(model, id)).key()).as("example %s of %s", id, model)
                        .isEqualTo(model);
                assertThat(labels().map(label(model, id)).key()).as("label of example %s of %s", id, model)
                        .isEqualTo(model);
            }
        }
    }

    @Test
    void aFixedModelIdIsShardedToo() {
        ExampleMapper mapper = new ExampleMapper(new MappingSpec(Optional.of("churn"), Optional.empty(),
                Map.of("churn", 3), Optional.of(FieldPath.parse("id")), Optional.empty(), Optional.empty(), null,
                false, FEATURES, null));
        Map<Integer, String> keyByShard = new HashMap<>();
        for (int i = 0; i < 32; i++) {
            String id = "tx-" + i;
            String key = mapper.map(example("ignored", id)).key();
            assertThat(key).isEqualTo(ReplicaKey.of("churn", id, 3));
            keyByShard.put(ReplicaKey.shard(id, 3), key);
        }
        assertThat(keyByShard).containsOnly(Map.entry(0, "churn#0"), Map.entry(1, "churn#1"),
                Map.entry(2, "churn#2"));
    }

    @Test
    void aSpecRefusesReplicaCountsTheLearnerWouldNotTake() {
        for (Map<String, Integer> bad : List.of(Map.of("churn", 0), Map.of("churn", ReplicaKey.MAX_REPLICAS + 1),
                Map.of(" ", 2), Map.of("m\u0007", 2))) {
            assertThatThrownBy(() -> new MappingSpec(Optional.of("churn"), Optional.empty(), bad, Optional.empty(),
                    Optional.empty(), Optional.empty(), null, false, FEATURES, null))
                    .as("replicas %s", bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(new MappingSpec(Optional.of("churn"), Optional.empty(), Map.of("churn", ReplicaKey.MAX_REPLICAS),
                Optional.empty(), Optional.empty(), Optional.empty(), null, false, FEATURES, null).modelReplicas())
                .containsExactly(Map.entry("churn", ReplicaKey.MAX_REPLICAS));
    }
}
