package io.streamtrain.registry;

/**
 * Confluent's default subject naming: a topic's values are registered under {@code <topic>-value},
 * its keys under {@code <topic>-key}.
 */
public final class TopicNameStrategy {

    private TopicNameStrategy() {
    }

    /** The subject of the key or value schema of {@code topic}. */
    public static String subject(String topic, boolean isKey) {
        if (topic == null || topic.isEmpty()) {
            throw new IllegalArgumentException("A topic name is needed to name the subject");
        }
        return topic + (isKey ? "-key" : "-value");
    }
}
