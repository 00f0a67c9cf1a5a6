package io.streamtrain.connect.it;

import java.util.Map;

/**
 * A Kafka cluster, schema registry and Connect worker with the plugin installed, as the scenarios see them: the
 * in-process {@link ConnectStack}, or containers where Docker exists.
 */
public interface ConnectTarget {

    /** Producing, reading and creating topics from the test's side. */
    TopicIO io();

    /**
     * The keys every connector of the scenarios has, with the cluster and registry addresses as the worker sees
     * them: class, topics, String keys and schemaless JSON values, the output prefix.
     */
    Map<String, String> connectorConfig(String name, String topics, String prefix);

    /** Creates the connector through the REST API and waits until it and its tasks run. */
    void startConnector(Map<String, String> config);

    /** Deletes a connector, ignoring one that is gone. */
    void deleteConnector(String name);
}
