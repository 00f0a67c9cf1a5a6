# syntax=docker/dockerfile:1
# The Streamtrain learner on NVIDIA GPUs (nd4j-cuda-11.6 on a CUDA 11.8 runtime; DL4J has no CUDA 12 release).
#
# Built from the repository root, after the CUDA build, which goes to streams-app/target/cuda/ and so never mixes
# with the CPU build in streams-app/target/:
#   ./mvnw -B -Pcuda -DskipTests package -pl streams-app -am
#   docker build -f docker/learner-cuda.Dockerfile -t streamtrain/learner-cuda:0.1.0-SNAPSHOT .
# Runs where the NVIDIA Container Toolkit is installed and the driver supports CUDA 11.8 (R520 or later):
#   docker run --gpus 1 ...   or the gpu profile of docker/docker-compose.yml.
#
# The CUDA libraries the backend links (cudart, cuBLAS, cuSOLVER; cuDNN 8 for the -cudnn build) come from this
# base image rather than from org.bytedeco:cuda's linux-x86_64-redist jars (~2 GB more in lib/).
# Why 11.8 under natives built for 11.6: NVIDIA deletes the tags of CUDA releases past their end of life (11.6's are
# gone), and CUDA's minor-version compatibility lets a binary built with one 11.x toolkit run on the runtime of a
# later 11.y: ND4J's natives and JavaCPP's bindings link the sonames every CUDA 11 runtime has (libcudart.so.11.0,
# libcublas.so.11, libcusolver.so.11, libcudnn.so.8). 11.8 is the last CUDA 11 release.
FROM eclipse-temurin:17.0.19_10-jre-noble AS jre

FROM nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04

# A JRE 17 from the same Temurin build as the CPU image (its binaries need only an old glibc). The CUDA image sets
# no locale: C.UTF-8, so that the JVM reads and writes UTF-8 (file names, the terminal), as in the CPU image.
ENV JAVA_HOME=/opt/java/openjdk \
    LANG=C.UTF-8
ENV PATH="${JAVA_HOME}/bin:${PATH}"
COPY --from=jre /opt/java/openjdk /opt/java/openjdk

# A system user without a login; its home holds JavaCPP's cache of the natives it unpacks (~0.9 GB, first start).
RUN groupadd --system --gid 10001 streamtrain \
 && useradd --system --uid 10001 --gid streamtrain --home-dir /home/streamtrain --create-home \
      --shell /usr/sbin/nologin streamtrain \
 && mkdir -p /etc/streamtrain /var/lib/streamtrain/state \
 && chown -R streamtrain:streamtrain /var/lib/streamtrain

WORKDIR /opt/streamtrain
COPY streams-app/target/cuda/lib/ lib/
COPY streams-app/target/cuda/streamtrain-streams-app.jar ./

USER streamtrain
# the full log on the container's output (docker compose logs), not in a file inside the container
ENV OMP_NUM_THREADS=1 \
    STREAMTRAIN_HEAP=-Xmx1g \
    STREAMTRAIN_JAVA_OPTS="" \
    STREAMTRAIN_LOG_FILE=-
VOLUME ["/var/lib/streamtrain/state"]
ENTRYPOINT ["/bin/sh", "-c", "exec java $STREAMTRAIN_HEAP -XX:+UseParallelGC -Dorg.bytedeco.javacpp.maxPhysicalBytes=0 $STREAMTRAIN_JAVA_OPTS -jar /opt/streamtrain/streamtrain-streams-app.jar \"$@\"", "streamtrain"]
CMD ["run", "--config", "/etc/streamtrain/learner.properties"]
