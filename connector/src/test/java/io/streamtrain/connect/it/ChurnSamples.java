package io.streamtrain.connect.it;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.utils.Utils;

/**
 * A churn-prediction stream for the tests and the benchmark: nested JSON records and the connector settings that
 * map them to 16 features (a scaled number, a boolean, a 3-word vocabulary, a category hashed into 8 buckets and a
 * vector of 3) and a class label.
 */
public final class ChurnSamples {

    private static final String[] DEVICES = {"android", "ios", "web"};
    private static final String[] COUNTRIES = {"fr", "de", "jp", "br"};
    private static final int HASH_BUCKETS = 8;

    private ChurnSamples() {
    }

    /** Five features over nested JSON: a scaled number, a boolean, a vocabulary, a hashed category, a vector. */
    public static Map<String, String> features() {
        Map<String, String> f = new HashMap<>();
        f.put("model.id", "churn-model");
        f.put("features", "age,premium,device,country,embedding");
        f.put("feature.age.path", "user.age");
        f.put("feature.age.scale", "standard");
        f.put("feature.age.scale.mean", "40");
        f.put("feature.age.scale.std", "10");
        f.put("feature.premium.type", "boolean");
        f.put("feature.device.type", "categorical");
        f.put("feature.device.vocabulary", String.join(",", DEVICES));
        f.put("feature.country.path", "user.country");
        f.put("feature.country.type", "categorical");
        f.put("feature.country.hash.buckets", Integer.toString(HASH_BUCKETS));
        f.put("feature.embedding.type", "vector");
        f.put("feature.embedding.length", "3");
        f.put("label.field", "label");
        f.put("label.classes", "stayed,churned");
        return f;
    }

    public static String json(int i) {
        return "{\"user\":{\"age\":" + (20 + i) + ",\"country\":\"" + COUNTRIES[i % COUNTRIES.length] + "\"},"
                + "\"premium\":" + (i % 2 == 0) + ",\"device\":\"" + DEVICES[i % DEVICES.length] + "\","
                + "\"embedding\":[" + i + ",0.5,-1],\"label\":\"" + (i % 3 == 0 ? "churned" : "stayed") + "\","
                + "\"ts\":\"" + Instant.parse("2024-05-01T12:00:00Z").plusSeconds(i) + "\"}";
    }

    /** The feature vector of {@link #json(int)}, computed here independently of the plugin. */
    public static Float[] expectedFeatures(int i) {
        List<Float> v = new ArrayList<>();
        v.add((float) ((20 + i - 40) / 10.0));
        v.add(i % 2 == 0 ? 1f : 0f);
        for (int d = 0; d < DEVICES.length; d++) {
            v.add(d == i % DEVICES.length ? 1f : 0f);
        }
        int bucket = Utils.toPositive(Utils.murmur2(COUNTRIES[i % COUNTRIES.length].getBytes(StandardCharsets.UTF_8)))
                % HASH_BUCKETS;
        for (int b = 0; b < HASH_BUCKETS; b++) {
            v.add(b == bucket ? 1f : 0f);
        }
        v.add((float) i);
        v.add(0.5f);
        v.add(-1f);
        return v.toArray(new Float[0]);
    }
}
