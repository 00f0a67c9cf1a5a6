package io.streamtrain.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import io.streamtrain.tools.ToolsMain;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class BenchTest {

    @Test
    void suitesRunInTheirOrderAndAllNamesEveryOne() {
        assertThat(Bench.select(List.of("quality", "limit")).stream().map(BenchSuite::name))
                .containsExactly("limit", "quality");
        assertThat(Bench.select(List.of("all")).stream().map(BenchSuite::name))
                .containsExactly("limit", "pipeline", "latency", "ingest", "e2e", "serve", "memory", "quality",
                        "drift");
        assertThatThrownBy(() -> Bench.select(List.of("speed"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'speed'").hasMessageContaining("limit");
    }

    @Test
    void theCommandIsRegisteredAndRefusesBadOptionsWithExitCode2() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = ToolsMain.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        assertThat(cli.execute("bench", "--help")).isZero();
        assertThat(out.toString()).contains("limit", "pipeline", "latency", "ingest", "e2e", "memory", "quality", "--runs");
        assertThat(cli.execute("bench", "nonsense")).isEqualTo(2);
        assertThat(err.toString()).contains("unknown suite 'nonsense'");
        assertThat(cli.execute("bench", "limit", "--runs", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--runs");
        assertThat(cli.execute("bench", "latency", "--guarantees", "exactly_once")).isEqualTo(2);
        assertThat(err.toString()).contains("--guarantees");
    }

    @Test
    void aPipelineBacklogIsAMultipleOfTheBatchWithinItsBounds() {
        assertThat(PipelineSuite.backlog(10_000, 5, 300_000, 32)).isEqualTo(50_016);
        assertThat(PipelineSuite.backlog(1e7, 5, 300_000, 512)).isEqualTo(300_032);
        assertThat(PipelineSuite.backlog(100, 1, 300_000, 1)).isEqualTo(2000);
        // Kafka Streams alone 9 times as fast as DL4J alone: 0.9 of the limit at best, one after the other
        assertThat(PipelineSuite.serialBound(90_000, 10_000)).isCloseTo(0.9, within(1e-12));
        assertThat(PipelineSuite.serialBound(120_000, 180_000)).isCloseTo(0.4, within(1e-12));
    }

    @Test
    void theMemorySlopeIsInMegabytesPerMillionExamples() {
        long mb = 1024 * 1024;
        List<MemorySuite.Sample> samples = List.of(
                new MemorySuite.Sample(0, 0, 100 * mb, 0, 0, 0, 0, 50 * mb, 10 * mb, 5 * mb),
                new MemorySuite.Sample(1, 500_000, 105 * mb, 0, 0, 0, 0, 50 * mb, 10 * mb, 5 * mb),
                new MemorySuite.Sample(2, 1_000_000, 110 * mb, 0, 0, 0, 0, 50 * mb, 10 * mb, 5 * mb));
        assertThat(MemorySuite.slopePerMillion(samples, MemorySuite.Sample::rss)).isEqualTo(10.0);
        assertThat(MemorySuite.slopePerMillion(samples.subList(0, 1), MemorySuite.Sample::rss)).isNaN();
        assertThat(samples.get(2).nonHeapResident()).isEqualTo(60 * mb);
        assertThat(samples.get(2).otherNative()).isEqualTo(45 * mb);
    }

    @Test
    void moaVotesAreReadAsMoaDoes() {
        assertThat(MoaBaseline.argmax(new double[] {0.1, 0.7, 0.7})).isEqualTo(1);
        assertThat(MoaBaseline.argmax(new double[] {0, 0})).isZero();
        assertThat(MoaBaseline.argmax(new double[0])).isEqualTo(-1);
    }

    @Test
    void profileThreadsAreGroupedByRoleAndSamplesByTheirInnermostLibrary() {
        assertThat(Profile.threadGroup("app-1b4e28ba-2fa1-11d2-883f-0016d3cca427-StreamThread-1"))
                .isEqualTo(Profile.STREAM_THREAD);
        assertThat(Profile.threadGroup("kafka-producer-network-thread | app-StreamThread-1-producer"))
                .isEqualTo("learner clients' I/O threads");
        assertThat(Profile.threadGroup("data-plane-kafka-request-handler-3")).isEqualTo("broker");
        assertThat(Profile.layer(List.of("java.util.HashMap.get", "org.apache.avro.io.BinaryEncoder.writeFloat",
                "io.streamtrain.topology.LearnerProcessor.process"))).isEqualTo("Avro");
        assertThat(Profile.layer(List.of("java.lang.Thread.run"))).isEqualTo("JDK / other");
    }

    @Test
    void theEndToEndSuiteCountsEachThreadToItsPart() {
        String learner = "bench-e2e-1a2b3c";
        String connector = "bench-e2e-1-1a2b3c";
        assertThat(E2eSuite.part(learner + "-learner-5f6e-StreamThread-1", connector, learner))
                .isEqualTo(E2eSuite.Part.LEARNER);
        assertThat(E2eSuite.part("kafka-producer-network-thread | " + learner + "-learner-5f6e-StreamThread-1-producer",
                connector, learner)).isEqualTo(E2eSuite.Part.LEARNER);
        assertThat(E2eSuite.part("task-thread-" + connector + "-0", connector, learner))
                .isEqualTo(E2eSuite.Part.CONNECTOR);
        assertThat(E2eSuite.part("kafka-producer-network-thread | streamtrain-sink-" + connector + "-0", connector,
                learner)).isEqualTo(E2eSuite.Part.CONNECTOR);
        assertThat(E2eSuite.part("data-plane-kafka-request-handler-0", connector, learner))
                .isEqualTo(E2eSuite.Part.REST);
    }
}
