package io.streamtrain.learn.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.CRC32;

import io.streamtrain.embedded.Tries;
import org.junit.jupiter.api.Test;

/**
 * The detectors' state over generated streams with extreme values: a detector read from what another wrote at any
 * point behaves as the other, bit for bit, for the rest of the stream; damaged state is refused with an
 * IllegalStateException or an IOException, never read as a detector.
 */
class DriftDetectorProperties {

    /** A detector's settings, a stream (made from its seed) and where in it the detector is copied. */
    record Case(String settings, long streamSeed, int length, int copyAt) {

        DriftDetector detector() {
            String[] s = settings.split(" ");
            return s[0].equals("adwin") ? new Adwin(Double.parseDouble(s[1]))
                    : new PageHinkley(Double.parseDouble(s[1]), Double.parseDouble(s[2]), Double.parseDouble(s[3]),
                            Integer.parseInt(s[4]));
        }

        double[] values() {
            return stream(new SplittableRandom(streamSeed), length);
        }
    }

    @Test
    void aDetectorReadFromItsStateBehavesExactlyAsTheOriginal() {
        Map<String, Integer> tally = Tries.run("drift detector copies", 500, random -> {
            int length = random.nextInt(4) == 0 ? random.nextInt(100) : random.nextInt(12_000);
            return new Case(settings(random), random.nextLong(), length, random.nextInt(length + 1));
        }, c -> {
            double[] values = c.values();
            DriftDetector original = c.detector();
            int before = 0;
            for (int i = 0; i < c.copyAt(); i++) {
                before += original.add(values[i]) ? 1 : 0;
            }
            byte[] state = bytes(original);
            DriftDetector copy = read(state);
            assertThat(copy.getClass()).isEqualTo(original.getClass());
            assertThat(bytes(copy)).isEqualTo(state);
            assertSame(copy, original);
            int after = 0;
            for (int i = c.copyAt(); i < values.length; i++) {
                boolean detected = original.add(values[i]);
                assertThat(copy.add(values[i])).as("value %d", i).isEqualTo(detected);
                assertSame(copy, original);
                after += detected ? 1 : 0;
            }
            assertThat(bytes(copy)).isEqualTo(bytes(original));
            return original.name() + (after > 0 ? " detected after the copy" : before > 0 ? " detected before"
                    : " detected nothing");
        });
        assertThat(tally).containsKeys("adwin detected after the copy", "page-hinkley detected after the copy");
    }

    @Test
    void damagedStateIsRefused() {
        Map<String, Integer> tally = Tries.run("damaged drift detector state", random -> {
            int length = random.nextInt(3000);
            return new Case(settings(random), random.nextLong(), length, length);
        }, c -> {
            DriftDetector detector = c.detector();
            for (double value : c.values()) {
                detector.add(value);
            }
            byte[] state = bytes(detector);
            SplittableRandom random = new SplittableRandom(c.streamSeed() ^ 0x5DEECE66DL);
            String damage;
            byte[] damaged;
            switch (random.nextInt(5)) {
                case 0 -> {
                    damage = "truncated";
                    damaged = Arrays.copyOf(state, random.nextInt(state.length));
                }
                case 1 -> {
                    damage = "another leading tag";
                    damaged = state.clone();
                    damaged[0] = (byte) (state[0] + 1 + random.nextInt(255));
                    assertThatThrownBy(() -> read(damaged)).isInstanceOf(IllegalStateException.class);
                }
                case 2 -> {
                    damage = "random bytes";
                    damaged = new byte[random.nextInt(3) == 0 ? random.nextInt(8) : random.nextInt(state.length * 2)];
                    random.nextBytes(damaged);
                    if (damaged.length > 2 && random.nextBoolean()) {
                        damaged[0] = state[0]; // a valid tag and version, then garbage
                        damaged[1] = state[1];
                    }
                }
                case 3 -> {
                    damage = "flipped bits";
                    damaged = state.clone();
                    for (int n = 1 + random.nextInt(4); n > 0; n--) {
                        int bit = random.nextInt(8 * damaged.length);
                        damaged[bit / 8] ^= (byte) (1 << (bit % 8));
                    }
                    if (Arrays.equals(damaged, state)) {
                        return "flipped bits back";
                    }
                }
                default -> {
                    return resealed(state, random);
                }
            }
            return damage + ": " + refusal(damaged);
        });
        assertThat(tally.keySet()).anyMatch(outcome -> outcome.startsWith("truncated"))
                .anyMatch(outcome -> outcome.startsWith("re-sealed"));
    }

    /**
     * A body altered, with a checksum that matches it: refused when its fields do not hold together, else it is
     * another detector's state, which must take values as any detector does.
     */
    private static String resealed(byte[] state, SplittableRandom random) {
        byte[] body = Arrays.copyOfRange(state, 6, state.length - 4);
        if (random.nextBoolean() && body.length > 0) {
            body[random.nextInt(body.length)] = (byte) random.nextInt(256);
        } else {
            body = Arrays.copyOf(body, random.nextInt(body.length + 20));
        }
        ByteBuffer frame = ByteBuffer.allocate(body.length + 10).put(state[0]).put(state[1]).putInt(body.length)
                .put(body);
        CRC32 crc = new CRC32();
        crc.update(frame.array(), 0, frame.position());
        frame.putInt((int) crc.getValue());
        DriftDetector read;
        try {
            read = read(frame.array());
        } catch (IllegalStateException e) {
            return "re-sealed: refused";
        }
        SplittableRandom values = new SplittableRandom(random.nextLong());
        for (int i = 0; i < 200; i++) {
            read.add(values.nextDouble());
            read.statistic();
            read.count();
        }
        return "re-sealed: read as another valid state";
    }

    /** Reads damaged bytes, which must be refused with an IllegalStateException or an IOException. */
    private static String refusal(byte[] damaged) {
        try {
            DriftDetector read = DriftDetector.read(new DataInputStream(new ByteArrayInputStream(damaged)));
            return fail("read " + read + " from damaged bytes " + Arrays.toString(damaged));
        } catch (IllegalStateException | IOException e) {
            return "refused (" + e.getClass().getSimpleName() + ")";
        }
    }

    private static void assertSame(DriftDetector copy, DriftDetector original) {
        assertThat(copy.count()).isEqualTo(original.count());
        assertThat(Double.doubleToRawLongBits(copy.statistic()))
                .isEqualTo(Double.doubleToRawLongBits(original.statistic()));
        if (original instanceof Adwin adwin) {
            Adwin copied = (Adwin) copy;
            assertThat(copied.width()).isEqualTo(adwin.width());
            assertThat(Double.doubleToRawLongBits(copied.mean())).isEqualTo(Double.doubleToRawLongBits(adwin.mean()));
        }
    }

    /** Settings of a detector: the standard ones, or any in range, some that detect often. */
    private static String settings(SplittableRandom random) {
        if (random.nextBoolean()) {
            return switch (random.nextInt(3)) {
                case 0 -> "adwin 0.002";
                case 1 -> "adwin " + (random.nextBoolean() ? 0.3 * random.nextDouble() + 1e-9 : 0.999_999);
                default -> "adwin " + Math.pow(10, -1 - 8 * random.nextDouble());
            };
        }
        return switch (random.nextInt(3)) {
            case 0 -> "page-hinkley 0.005 50 " + (1 - 0.0001) + " 30";
            case 1 -> "page-hinkley " + 0.1 * random.nextDouble() + " " + (0.01 + 20 * random.nextDouble()) + " "
                    + (random.nextBoolean() ? 1 : 0.5 + 0.5 * random.nextDouble()) + " " + (1 + random.nextInt(100));
            default -> "page-hinkley 0 " + Double.MIN_VALUE + " 1 1";
        };
    }

    /**
     * A stream in segments that each change what the values are like: errors (0 or 1) at some rate, values in
     * [0, 1], or loss-like values with zeros and huge finite spikes.
     */
    private static double[] stream(SplittableRandom random, int length) {
        double[] values = new double[length];
        int i = 0;
        while (i < length) {
            int end = Math.min(length, i + 1 + random.nextInt(random.nextBoolean() ? 200 : 5000));
            int kind = random.nextInt(4);
            double p = random.nextInt(5) == 0 ? random.nextInt(2) : random.nextDouble();
            double mean = Math.pow(10, -2 + 4 * random.nextDouble());
            for (; i < end; i++) {
                values[i] = switch (kind) {
                    case 0 -> random.nextDouble() < p ? 1 : 0;
                    case 1 -> random.nextDouble() * p;
                    case 2 -> random.nextInt(50) == 0 ? (random.nextBoolean() ? 1e6 : Double.MAX_VALUE / 1e10)
                            : random.nextInt(10) == 0 ? 0 : -mean * Math.log(1 - random.nextDouble());
                    default -> random.nextInt(3) == 0 ? 0 : p * 5;
                };
            }
        }
        return values;
    }

    private static byte[] bytes(DriftDetector detector) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            detector.write(new DataOutputStream(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static DriftDetector read(byte[] state) {
        try {
            return DriftDetector.read(new DataInputStream(new ByteArrayInputStream(state)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
