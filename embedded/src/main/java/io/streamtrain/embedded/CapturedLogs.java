package io.streamtrain.embedded;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * Every log line of this JVM while it is open, at INFO and above for every logger (DEBUG for Streamtrain's own and
 * for Kafka's security classes), each with its exception and stack trace: what an operator's log would hold. The
 * levels the test configuration had come back on {@link #close()}.
 */
public final class CapturedLogs implements AutoCloseable {

    private static final String APPENDER = "streamtrain-capture";

    private final ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
    private final LoggerContext context = (LoggerContext) LogManager.getContext(false);
    private final Map<String, Level> previousLevels = new HashMap<>();
    private final AbstractAppender appender;

    /** Starts capturing. */
    public CapturedLogs() {
        appender = new AbstractAppender(APPENDER, null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                StringBuilder line = new StringBuilder()
                        .append(event.getLevel()).append(' ').append(event.getLoggerName()).append(" - ")
                        .append(event.getMessage().getFormattedMessage());
                if (event.getThrown() != null) {
                    StringWriter trace = new StringWriter();
                    event.getThrown().printStackTrace(new PrintWriter(trace));
                    line.append('\n').append(trace);
                }
                lines.add(line.toString());
            }
        };
        appender.start();
        Configuration config = context.getConfiguration();
        config.addAppender(appender);
        Map<String, Level> levels = Map.of("", Level.INFO, "org.apache.kafka", Level.INFO, "kafka", Level.INFO,
                "state.change.logger", Level.INFO, "io.streamtrain", Level.DEBUG,
                "org.apache.kafka.common.security", Level.DEBUG);
        for (Map.Entry<String, Level> e : levels.entrySet()) {
            LoggerConfig logger = config.getLoggers().get(e.getKey());
            if (logger == null && !e.getKey().isEmpty()) {
                logger = new LoggerConfig(e.getKey(), e.getValue(), true);
                config.addLogger(e.getKey(), logger);
                previousLevels.put(e.getKey(), null);
            } else {
                logger = e.getKey().isEmpty() ? config.getRootLogger() : logger;
                previousLevels.put(e.getKey(), logger.getLevel());
                logger.setLevel(e.getValue());
            }
        }
        config.getRootLogger().addAppender(appender, Level.ALL, null);
        context.updateLoggers();
    }

    /** What was logged so far, one entry per event. */
    /** The lines captured so far. */
    public List<String> lines() {
        return new ArrayList<>(lines);
    }

    /** Everything logged so far, as one text. */
    /** The lines captured so far, one text. */
    public String text() {
        return String.join("\n", lines);
    }

    /** The lines that contain {@code needle}. */
    /** The lines captured so far that contain {@code needle}. */
    public List<String> linesWith(String needle) {
        return lines.stream().filter(l -> l.contains(needle)).toList();
    }

    @Override
    public void close() {
        Configuration config = context.getConfiguration();
        config.getRootLogger().removeAppender(APPENDER);
        previousLevels.forEach((name, level) -> {
            if (level == null) {
                config.removeLogger(name);
            } else {
                (name.isEmpty() ? config.getRootLogger() : config.getLoggers().get(name)).setLevel(level);
            }
        });
        context.updateLoggers();
        appender.stop();
    }
}
