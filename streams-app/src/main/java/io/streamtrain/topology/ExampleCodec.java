package io.streamtrain.topology;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

import io.streamtrain.avro.Example;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * Examples as the learner's store keeps them: plain Avro binary of {@link Example}, without the registry framing,
 * since the store is private to the learner and always written and read by the same schema.
 * One instance per stream thread: it reuses its encoder and decoder.
 */
final class ExampleCodec {

    private final SpecificDatumWriter<Example> writer = new SpecificDatumWriter<>(Example.class);
    private final SpecificDatumReader<Example> reader = new SpecificDatumReader<>(Example.class);
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);
    private BinaryEncoder encoder;
    private BinaryDecoder decoder;

    byte[] encode(Example example) {
        buffer.reset();
        encoder = EncoderFactory.get().binaryEncoder(buffer, encoder);
        try {
            writer.write(example, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode example " + example.getId(), e);
        }
        return buffer.toByteArray();
    }

    Example decode(byte[] bytes) {
        decoder = DecoderFactory.get().binaryDecoder(bytes, decoder);
        try {
            return reader.read(null, decoder);
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt example in the learner's store", e);
        }
    }
}
