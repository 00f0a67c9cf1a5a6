package io.streamtrain.topology;

import java.time.Instant;
import java.util.Locale;
import java.util.function.Function;

import io.streamtrain.avro.ControlAnswer;
import io.streamtrain.avro.ControlCommand;
import io.streamtrain.avro.ServingPin;
import io.streamtrain.contract.RecordLimits;
import io.streamtrain.learn.CheckpointException;
import io.streamtrain.learn.Learner;
import io.streamtrain.registry.WireFormatException;
import io.streamtrain.snapshot.SnapshotException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The commands of {@code <prefix>.control}, each answered once on {@code <prefix>.control.log} in the transaction of
 * its offset. A command takes effect after the examples before it: the model's waiting examples are stepped first.
 * One that changes how the model trains from now on (set-lr, rollback, reset) is followed by a checkpoint, so a
 * restore never replays a step under the wrong network or rate. A malformed or impossible command is refused with
 * the reason and changes nothing; none stops the learner. {@code pin} and {@code unpin} are for the serving
 * instances: they write the model's pin to the pins topic.
 */
final class ControlCommands {

    private static final Logger log = LoggerFactory.getLogger(ControlCommands.class);
    static final String DONE = "done";
    static final String REFUSED = "refused";
    /** The largest learning rate {@code set-lr} takes: beyond it a network only diverges. */
    static final double MAX_LEARNING_RATE = 10;
    /** The commands, as the refusal of an unknown one lists them. */
    static final String NAMES = "snapshot, pause, resume, set-lr, rollback, reset, pin, unpin";

    /** What the processor lends: the runtime of a model that has state here, or the reason it cannot be had. */
    interface Models {
        /** The model's runtime, or null when this learner has no state for it. */
        ModelRuntime existing(String model);

        /** Whether a model id has a spec (its own or the default). */
        boolean hasSpec(String model);

        /** How many replicas train the model: 1 unless its spec says more. */
        int replicas(String model);
    }

    private final ProcessorContext<String, SpecificRecord> context;
    private final LearnerSettings settings;
    private final LearnerStore store;
    private final BatchStep step;
    private final SnapshotPublisher snapshots;
    private final Models models;
    private final Deserializer<ControlCommand> deserializer;

    ControlCommands(ProcessorContext<String, SpecificRecord> context, LearnerSettings settings, LearnerStore store,
            BatchStep step, SnapshotPublisher snapshots, Models models, Deserializer<ControlCommand> deserializer) {
        this.context = context;
        this.settings = settings;
        this.store = store;
        this.step = step;
        this.snapshots = snapshots;
        this.models = models;
        this.deserializer = deserializer;
    }

    void handle(Record<String, byte[]> record) {
        // the answer's key: the record's, cut short when it is not a model id (it may be anything)
        String key = record.key() == null ? null : Rejections.abbreviate(record.key());
        RecordMetadata meta = context.recordMetadata().orElse(null);
        String source = meta == null ? null : meta.topic() + "-" + meta.partition() + "@" + meta.offset();
        ControlCommand command;
        try {
            command = deserializer.deserialize(meta == null ? null : meta.topic(), record.headers(), record.value());
        } catch (WireFormatException e) {
            answer(key, null, null, REFUSED, "not a ControlCommand: " + e.getMessage(), null, source);
            return;
        }
        if (command == null) {
            answer(key, null, null, REFUSED, "a command record must have a value", null, source);
            return;
        }
        String model = command.getModel();
        String problem = RecordLimits.modelIdProblem(model);
        if (problem == null && !model.equals(record.key())) {
            problem = "the record key must be the model id '" + model + "' (the learner that owns the model's "
                    + "partition takes its commands), was " + (record.key() == null ? "null"
                            : "'" + key + "'");
        }
        if (problem == null && models.replicas(model) > 1) {
            problem = "model '" + model + "' trains on " + models.replicas(model) + " replicas (its spec's "
                    + "parallel.replicas): commands change a model that one task trains, and are not taken for a "
                    + "replicated one; its averaged versions are on the models topic for export, serving and warm "
                    + "starts";
        }
        ModelRuntime runtime = null;
        if (problem == null) {
            runtime = models.existing(model);
            if (runtime == null) {
                problem = models.hasSpec(model) ? "model '" + model + "' has no state in this learner yet (no example "
                        + "of it has come)" : "model '" + model + "' has no spec (streamtrain.model.unlisted=reject)";
            }
        }
        if (problem != null) {
            answer(key, command, REFUSED, problem, runtime, source);
            return;
        }
        try {
            Outcome outcome = run(runtime, command);
            answer(model, command, outcome.done ? DONE : REFUSED, outcome.message, runtime, source);
            if (outcome.done) {
                log.info("model {}: {} ({}, command {} from {})", model, outcome.message, command.getCommand(),
                        command.getId(), command.getIssuedBy());
            }
        } catch (SnapshotException | CheckpointException e) {
            answer(model, command, REFUSED, e.getMessage(), runtime, source);
        }
    }

    private record Outcome(boolean done, String message) {
        static Outcome done(String message) {
            return new Outcome(true, message);
        }

        static Outcome refused(String message) {
            return new Outcome(false, message);
        }
    }

    private Outcome run(ModelRuntime runtime, ControlCommand command) {
        String name = command.getCommand() == null ? "" : command.getCommand().trim().toLowerCase(Locale.ROOT);
        // checked before anything changes: a refused command leaves the model as it was
        switch (name) {
            case "snapshot", "pause", "resume", "reset", "unpin" -> { }
            case "set-lr" -> {
                Double lr = command.getLearningRate();
                if (lr == null || !(lr > 0) || lr > MAX_LEARNING_RATE) {
                    return Outcome.refused("set-lr needs a learningRate above 0 and at most " + MAX_LEARNING_RATE
                            + ", was " + lr);
                }
            }
            case "rollback", "pin" -> {
                Long version = command.getVersion();
                if (version == null) {
                    return Outcome.refused(name + " needs the version " + (name.equals("pin") ? "to serve"
                            : "to go back to"));
                }
                if (runtime.state.snapshots.stream().noneMatch(p -> p.version() == version)) {
                    return Outcome.refused("version " + version + " of model '" + runtime.model + "' is not on the "
                            + "models topic; it keeps versions " + runtime.state.snapshots.stream()
                                    .map(ModelState.Published::version).toList());
                }
            }
            default -> {
                return Outcome.refused("unknown command '" + command.getCommand() + "': one of " + NAMES);
            }
        }
        // the examples that came before the command are stepped under the model as it was
        if (!runtime.inbox.isEmpty()) {
            step.run(runtime);
        }
        ModelState state = runtime.state;
        long now = context.currentSystemTimeMs();
        Outcome outcome = switch (name) {
            case "snapshot" -> {
                long version = runtime.learner.version();
                boolean kept = state.snapshots.stream().anyMatch(p -> p.version() == version);
                if (kept) {
                    yield Outcome.done("version " + version + " is on the models topic already");
                }
                snapshots.publish(runtime, SnapshotPublisher.COMMAND, now);
                yield Outcome.done("published a snapshot of version " + version);
            }
            case "pause" -> {
                boolean was = state.paused;
                state.paused = true;
                yield Outcome.done(was ? "paused already" : "paused: predicting only, no training");
            }
            case "resume" -> {
                boolean was = state.paused;
                state.paused = false;
                yield Outcome.done(was ? "resumed training" : "was not paused");
            }
            case "set-lr" -> {
                double lr = command.getLearningRate();
                // the checkpoint holds everything trained at the old rate
                step.checkpoint(runtime);
                runtime.learner.setLearningRate(lr);
                state.learningRate = lr;
                yield Outcome.done(String.format(Locale.ROOT, "learning rate %s from version %d on", lr,
                        runtime.learner.version()));
            }
            case "rollback" -> {
                long version = command.getVersion();
                byte[] zip = settings.snapshotSource().zip(runtime.model, version);
                runtime.learner.adopt(zip);
                step.checkpoint(runtime);
                yield Outcome.done("training on from the parameters and optimizer state of version " + version
                        + " as version " + runtime.learner.version());
            }
            case "pin" -> {
                long version = command.getVersion();
                state.pinnedVersion = version;
                context.forward(new Record<>(runtime.model, new ServingPin(runtime.model, version,
                        Instant.ofEpochMilli(now), command.getId()), now));
                yield Outcome.done("serving version " + version + " (kept on the models topic while pinned)");
            }
            case "unpin" -> {
                long was = state.pinnedVersion;
                state.pinnedVersion = -1;
                context.forward(new Record<>(runtime.model, new ServingPin(runtime.model, null,
                        Instant.ofEpochMilli(now), command.getId()), now));
                yield Outcome.done(was < 0 ? "was not pinned; serving the latest version"
                        : "unpinned version " + was + "; serving the latest version");
            }
            case "reset" -> {
                Learner fresh = Learner.create(settings.specs().apply(runtime.model));
                fresh.continueFrom(runtime.learner);
                runtime.learner.close();
                runtime.learner = fresh;
                state.learningRate = Double.NaN;
                // a fresh network watched from scratch
                state.drift = null;
                runtime.restoreDrift(settings.drift());
                // and nothing of the past to replay, and a race that starts over beside it
                if (runtime.replay != null) {
                    runtime.replay.clear();
                }
                runtime.startRace(settings.race());
                step.checkpoint(runtime);
                yield Outcome.done("a fresh network from the spec as version " + fresh.version());
            }
            default -> throw new IllegalStateException(name);
        };
        runtime.saveWithScore(store);
        return outcome;
    }

    private void answer(String key, ControlCommand command, String outcome, String message, ModelRuntime runtime,
            String source) {
        answer(key, command == null ? null : command.getId(), command, outcome, message, runtime, source);
    }

    private void answer(String key, String id, ControlCommand command, String outcome, String message,
            ModelRuntime runtime, String source) {
        long now = context.currentSystemTimeMs();
        ControlAnswer answer = ControlAnswer.newBuilder()
                .setCommandId(id)
                .setModel(command == null ? null : command.getModel())
                .setCommand(command == null ? null : command.getCommand())
                .setOutcome(outcome)
                .setMessage(RecordBudget.boundedMessage(message))
                .setModelVersion(runtime == null ? null : runtime.learner.version())
                .setSource(source)
                .setAnsweredAt(Instant.ofEpochMilli(now))
                .build();
        context.forward(new Record<>(key, answer, now));
    }
}
