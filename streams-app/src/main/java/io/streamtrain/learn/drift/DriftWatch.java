package io.streamtrain.learn.drift;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The drift detectors of one model over its stream of per-example errors (or losses), and their state, which the
 * learner keeps with the model's so that a restart goes on exactly where the detectors were. Values that are not
 * finite (a loss that overflowed) are not fed to them.
 */
public final class DriftWatch {

    private static final int FORMAT = 1;

    private final DriftSettings settings;
    private final List<DriftDetector> detectors;

    private DriftWatch(DriftSettings settings, List<DriftDetector> detectors) {
        this.settings = settings;
        this.detectors = detectors;
    }

    /** Fresh detectors, as the settings name them. */
    public static DriftWatch create(DriftSettings settings) {
        List<DriftDetector> detectors = new ArrayList<>();
        for (String name : settings.detectors()) {
            detectors.add(settings.detector(name));
        }
        return new DriftWatch(settings, detectors);
    }

    /**
     * The detectors as {@link #toBytes()} left them; a detector the settings name that the state lacks (the
     * settings changed) starts fresh, one they no longer name is dropped.
     */
    public static DriftWatch restore(DriftSettings settings, byte[] state) {
        if (state == null) {
            return create(settings);
        }
        Map<String, DriftDetector> kept = new LinkedHashMap<>();
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(state))) {
            int format = in.readInt();
            if (format != FORMAT) {
                throw new IllegalStateException("drift detector state format " + format + " is not supported");
            }
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                DriftDetector d = DriftDetector.read(in);
                kept.put(d.name(), d);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt drift detector state", e);
        }
        List<DriftDetector> detectors = new ArrayList<>();
        for (String name : settings.detectors()) {
            DriftDetector d = kept.get(name);
            detectors.add(d != null ? d : settings.detector(name));
        }
        return new DriftWatch(settings, detectors);
    }

    public byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(FORMAT);
            out.writeInt(detectors.size());
            for (DriftDetector d : detectors) {
                d.write(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** What a detector saw: its name, its statistic and how many values it had seen since it last started over. */
    public record Detection(String detector, double statistic, long evidence) {
    }

    /**
     * Feeds one scored example to every detector: {@code wrong} (classification) or {@code loss}, as the signal
     * says; a regression model ({@code classification} false) always gives its loss.
     *
     * @return the detections this example caused (most often none)
     */
    public List<Detection> observe(boolean classification, boolean wrong, double loss) {
        double value = classification && settings.signal() == DriftSettings.Signal.ERROR ? (wrong ? 1 : 0) : loss;
        if (!Double.isFinite(value)) {
            return List.of();
        }
        List<Detection> detections = List.of();
        for (DriftDetector d : detectors) {
            long evidence = d.count() + 1;
            if (d.add(value)) {
                if (detections.isEmpty()) {
                    detections = new ArrayList<>(detectors.size());
                }
                detections.add(new Detection(d.name(), d.statistic(), evidence));
            }
        }
        return detections;
    }

    /** What is watched for this model: {@code error} or {@code loss}. */
    public String signal(boolean classification) {
        return classification ? settings.signal().text() : DriftSettings.Signal.LOSS.text();
    }
}
