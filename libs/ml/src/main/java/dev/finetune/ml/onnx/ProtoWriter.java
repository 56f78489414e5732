package dev.finetune.ml.onnx;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The writing half of {@link ProtoReader}: varint and length-delimited fields, plus verbatim copies of
 * fields read elsewhere, so a rewritten ONNX model keeps everything it does not change byte for byte.
 */
final class ProtoWriter {

    private final ByteArrayOutputStream out;

    ProtoWriter(int expectedSize) {
        out = new ByteArrayOutputStream(expectedSize);
    }

    ProtoWriter() {
        this(256);
    }

    ProtoWriter varint(int field, long value) {
        key(field, ProtoReader.VARINT);
        writeVarint(value);
        return this;
    }

    ProtoWriter bytes(int field, byte[] value) {
        key(field, ProtoReader.LENGTH_DELIMITED);
        writeVarint(value.length);
        out.writeBytes(value);
        return this;
    }

    ProtoWriter string(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    ProtoWriter message(int field, ProtoWriter value) {
        return bytes(field, value.toByteArray());
    }

    /** Copies the field {@code reader} is on (key and value) unchanged. */
    ProtoWriter copy(ProtoReader reader) {
        out.write(reader.data(), reader.fieldStart(), reader.fieldEnd() - reader.fieldStart());
        return this;
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }

    private void key(int field, int wireType) {
        writeVarint(((long) field << 3) | wireType);
    }

    private void writeVarint(long value) {
        while ((value & ~0x7FL) != 0) {
            out.write((int) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.write((int) value);
    }
}
