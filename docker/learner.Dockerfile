# syntax=docker/dockerfile:1
# The Streamtrain learner on the CPU backend (nd4j-native with OpenBLAS).
#
# Built from the repository root, after the Maven build that produces what it copies:
#   ./mvnw -B -DskipTests package
#   docker build -f docker/learner.Dockerfile -t streamtrain/learner:0.1.0-SNAPSHOT .
# (docker compose -f docker/docker-compose.yml up does the second step.) Run it with a learner.properties mounted at
# /etc/streamtrain/learner.properties: docs/compose.md, "Run it with Docker Compose".
FROM eclipse-temurin:17.0.19_10-jre-noble

# A system user without a login; its home holds JavaCPP's cache of the natives it unpacks (~400 MB, first start).
RUN groupadd --system --gid 10001 streamtrain \
 && useradd --system --uid 10001 --gid streamtrain --home-dir /home/streamtrain --create-home \
      --shell /usr/sbin/nologin streamtrain \
 && mkdir -p /etc/streamtrain /var/lib/streamtrain/state \
 && chown -R streamtrain:streamtrain /var/lib/streamtrain

WORKDIR /opt/streamtrain
# The dependencies first: they change less often than the application, so their layer is reused.
# The jar's manifest names them on its Class-Path as lib/<file>.
COPY streams-app/target/lib/ lib/
COPY streams-app/target/streamtrain-streams-app.jar ./

USER streamtrain
# One BLAS thread per learner thread (more were slower); a capped heap, ParallelGC, and native memory (DL4J's
# arrays live off-heap) released by the GC without an upper bound of its own. STREAMTRAIN_HEAP and
# STREAMTRAIN_JAVA_OPTS are the knobs bin/streamtrain has too. STREAMTRAIN_LOG_FILE=-: the full log on the container's
# output, for docker compose logs, instead of a file inside the container.
ENV OMP_NUM_THREADS=1 \
    STREAMTRAIN_HEAP=-Xmx1g \
    STREAMTRAIN_JAVA_OPTS="" \
    STREAMTRAIN_LOG_FILE=-
VOLUME ["/var/lib/streamtrain/state"]
# exec: java is PID 1 and gets SIGTERM, so the learner closes Kafka Streams cleanly on docker stop
ENTRYPOINT ["/bin/sh", "-c", "exec java $STREAMTRAIN_HEAP -XX:+UseParallelGC -Dorg.bytedeco.javacpp.maxPhysicalBytes=0 $STREAMTRAIN_JAVA_OPTS -jar /opt/streamtrain/streamtrain-streams-app.jar \"$@\"", "streamtrain"]
CMD ["run", "--config", "/etc/streamtrain/learner.properties"]
