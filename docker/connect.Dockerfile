# syntax=docker/dockerfile:1
# A Kafka Connect worker (distributed mode) on the official Apache Kafka image, with the Streamtrain sink plugin
# installed.
#
# Built from the repository root, after the Maven build that produces the plugin zip
# (connector/target/streamtrain-streamtrain-connector-<version>.zip, a component archive in Confluent's format):
#   ./mvnw -B -DskipTests package
#   docker build -f docker/connect.Dockerfile -t streamtrain/connect:0.1.0-SNAPSHOT .
FROM apache/kafka:4.3.1

USER root
# curl for the health check and for registering connectors; unzip for the plugin
RUN apk add --no-cache curl unzip

COPY connector/target/streamtrain-streamtrain-connector-*.zip /tmp/plugin/
RUN set -eu; \
    count=$(find /tmp/plugin -name '*.zip' | wc -l); \
    if [ "$count" -ne 1 ]; then \
      echo "expected one connector/target/streamtrain-streamtrain-connector-*.zip, found $count:" \
        "run ./mvnw clean package" >&2; \
      exit 1; \
    fi; \
    mkdir -p /opt/kafka/plugins; \
    unzip -q /tmp/plugin/*.zip -d /opt/kafka/plugins; \
    rm -rf /tmp/plugin; \
    chown -R appuser:appuser /opt/kafka/plugins

COPY docker/connect/connect-distributed.properties /etc/streamtrain/connect-distributed.properties

USER appuser
EXPOSE 8083
ENV KAFKA_HEAP_OPTS="-Xms256m -Xmx1g"
ENTRYPOINT ["/opt/kafka/bin/connect-distributed.sh"]
CMD ["/etc/streamtrain/connect-distributed.properties"]
