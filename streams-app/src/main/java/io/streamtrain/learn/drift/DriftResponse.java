package io.streamtrain.learn.drift;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Locale;

import io.streamtrain.learn.Learner;
import io.streamtrain.learn.Reservoir;

/**
 * What the learner does about a drift ({@link DriftSettings.Action}), applied to a model's network, and the one thing
 * it must remember: until which version a raised learning rate lasts, and the rate to go back to. The learning rate
 * in force is the caller's to keep (a command may set it too): each call takes it and returns what it is after, NaN
 * meaning the spec's own rate and schedule. Kept with the model's state so that a restart goes on as it was.
 */
public final class DriftResponse {

    private final DriftSettings settings;
    /** The version from which the raised rate ends; -1 when none is raised. */
    private long raisedUntilVersion = -1;
    /** The fixed rate in force before the raise (NaN: the spec's). */
    private double rateBeforeRaise = Double.NaN;
    /** The raised rate: when the rate in force is another, a command set it, and the raise is over. */
    private double raisedRate = Double.NaN;

    public DriftResponse(DriftSettings settings) {
        this.settings = settings;
    }

    /** What an action did: whether the network changed (the caller checkpoints then), the rate now, and in words. */
    public record Outcome(boolean changed, double fixedRate, String message) {
    }

    /** The model's kept snapshots, for {@link DriftSettings.Action#ROLLBACK}. */
    public interface Snapshots {
        /** The newest kept version at most {@code version}, or -1 when none is kept. */
        long newestAtMost(long version);

        /**
         * A kept version's zip.
         *
         * @throws RuntimeException naming why when it cannot be read
         */
        byte[] zip(long version);
    }

    /** No snapshot kept: a rollback finds nothing to go back to. */
    public static final Snapshots NO_SNAPSHOTS = new Snapshots() {
        @Override
        public long newestAtMost(long version) {
            return -1;
        }

        @Override
        public byte[] zip(long version) {
            throw new IllegalStateException("no snapshots are kept");
        }
    };

    /** Acts on a detection, on {@code learner} as it is now, {@code fixedRate} the rate in force (NaN: the spec's). */
    public Outcome onDrift(Learner learner, double fixedRate) {
        return onDrift(learner, fixedRate, NO_SNAPSHOTS, null);
    }

    /**
     * As {@link #onDrift(Learner, double)}, with the model's kept snapshots for a rollback and its replay reservoir
     * (null when its spec has none) for a clear.
     */
    public Outcome onDrift(Learner learner, double fixedRate, Snapshots snapshots, Reservoir replay) {
        return switch (settings.action()) {
            case CLEAR_REPLAY -> {
                if (replay == null) {
                    yield new Outcome(false, fixedRate, "nothing cleared: the model's spec has no replay");
                }
                int held = replay.size();
                replay.clear();
                yield new Outcome(true, fixedRate, "replay reservoir cleared (" + held + " past examples) at version "
                        + learner.version());
            }
            case ROLLBACK -> rollback(learner, fixedRate, snapshots);
            case NONE -> new Outcome(false, fixedRate, "nothing changed (streamtrain.drift.action=none)");
            case RESET_OPTIMIZER -> {
                learner.resetOptimizer();
                yield new Outcome(true, fixedRate, "optimizer state reset at version " + learner.version());
            }
            case RAISE_LR -> {
                boolean raised = raised(fixedRate);
                if (!raised) {
                    rateBeforeRaise = fixedRate;
                }
                double base = Double.isNaN(rateBeforeRaise) ? learner.specLearningRate() : rateBeforeRaise;
                double rate = base * settings.lrFactor();
                raisedUntilVersion = learner.version() + settings.lrSteps();
                raisedRate = rate;
                learner.setLearningRate(rate);
                yield new Outcome(true, rate, String.format(Locale.ROOT, "learning rate %s (%s × %s) %s version %d",
                        rate, base, settings.lrFactor(), raised ? "now until" : "until", raisedUntilVersion));
            }
        };
    }

    private static Outcome rollback(Learner learner, double fixedRate, Snapshots snapshots) {
        int batch = learner.spec().batchSize();
        long before = learner.version() - (DriftSettings.ROLLBACK_LOOKBACK + batch - 1) / batch;
        long version = snapshots.newestAtMost(before);
        if (version < 0) {
            return new Outcome(false, fixedRate, "nothing rolled back: no kept snapshot at or before version "
                    + before);
        }
        byte[] zip;
        try {
            zip = snapshots.zip(version);
            learner.adopt(zip);
        } catch (RuntimeException e) {
            return new Outcome(false, fixedRate, "nothing rolled back: version " + version + " could not be read: "
                    + e.getMessage());
        }
        return new Outcome(true, fixedRate, "rolled back to the parameters and optimizer state of version " + version
                + ", training on as version " + learner.version());
    }

    /** After a training step: ends a raised rate whose steps are over. */
    public Outcome afterStep(Learner learner, double fixedRate) {
        if (!raised(fixedRate) || learner.version() < raisedUntilVersion) {
            return new Outcome(false, fixedRate, "");
        }
        raisedUntilVersion = -1;
        raisedRate = Double.NaN;
        double back = rateBeforeRaise;
        rateBeforeRaise = Double.NaN;
        if (Double.isNaN(back)) {
            learner.useSpecLearningRate();
        } else {
            learner.setLearningRate(back);
        }
        return new Outcome(true, back, "learning rate back to " + (Double.isNaN(back) ? "the spec's" : back)
                + " at version " + learner.version());
    }

    /**
     * Whether a raised rate is in force: one was raised and the rate in force is still that one (a command that set
     * another ended the raise; that rate stays).
     */
    private boolean raised(double fixedRate) {
        if (raisedUntilVersion >= 0 && Double.compare(fixedRate, raisedRate) != 0) {
            raisedUntilVersion = -1;
            raisedRate = Double.NaN;
            rateBeforeRaise = Double.NaN;
        }
        return raisedUntilVersion >= 0;
    }

    public void write(DataOutput out) throws IOException {
        out.writeLong(raisedUntilVersion);
        out.writeDouble(rateBeforeRaise);
        out.writeDouble(raisedRate);
    }

    /** Reads what {@link #write} wrote. */
    public static DriftResponse read(DriftSettings settings, DataInput in) throws IOException {
        DriftResponse r = new DriftResponse(settings);
        r.raisedUntilVersion = in.readLong();
        r.rateBeforeRaise = in.readDouble();
        r.raisedRate = in.readDouble();
        return r;
    }
}
