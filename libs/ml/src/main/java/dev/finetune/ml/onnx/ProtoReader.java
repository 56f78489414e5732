package dev.finetune.ml.onnx;

import java.nio.charset.StandardCharsets;

/**
 * A minimal protobuf wire-format reader over a byte array: just enough (varints, length-delimited
 * and fixed fields) to walk an ONNX model without generated classes or a protobuf dependency.
 */
final class ProtoReader {

    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int FIXED32 = 5;

    private final byte[] data;
    private int pos;
    private final int end;

    private int fieldStart;
    private int field;
    private int wireType;
    private long varint;
    private int start;
    private int length;

    ProtoReader(byte[] data, int start, int end) {
        this.data = data;
        this.pos = start;
        this.end = end;
    }

    /** A reader over the length-delimited value of the current field. */
    ProtoReader nested() {
        return new ProtoReader(data, start, start + length);
    }

    /** Advances to the next field; returns false at the end of the message. */
    boolean next() {
        if (pos >= end) {
            return false;
        }
        fieldStart = pos;
        long key = readVarint();
        field = (int) (key >>> 3);
        wireType = (int) (key & 7);
        switch (wireType) {
            case VARINT -> varint = readVarint();
            case LENGTH_DELIMITED -> {
                length = Math.toIntExact(readVarint());
                start = pos;
                pos += length;
            }
            case FIXED32 -> {
                start = pos;
                length = 4;
                pos += 4;
            }
            case FIXED64 -> {
                start = pos;
                length = 8;
                pos += 8;
            }
            default -> throw new IllegalStateException("unsupported protobuf wire type " + wireType + " at " + pos);
        }
        return true;
    }

    /** Where the current field's key starts: with {@link #fieldEnd()}, its whole encoding, to copy unchanged. */
    int fieldStart() {
        return fieldStart;
    }

    /** Just past the current field's value. */
    int fieldEnd() {
        return pos;
    }

    int field() {
        return field;
    }

    int wireType() {
        return wireType;
    }

    long varint() {
        return varint;
    }

    int start() {
        return start;
    }

    int length() {
        return length;
    }

    byte[] data() {
        return data;
    }

    String string() {
        return new String(data, start, length, StandardCharsets.UTF_8);
    }

    /** Decodes the current length-delimited field as packed varints. */
    long[] packedVarints() {
        ProtoReader packed = new ProtoReader(data, start, start + length);
        long[] values = new long[length];
        int n = 0;
        while (packed.pos < packed.end) {
            values[n++] = packed.readVarint();
        }
        return java.util.Arrays.copyOf(values, n);
    }

    private long readVarint() {
        long result = 0;
        int shift = 0;
        while (true) {
            byte b = data[pos++];
            result |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return result;
            }
            shift += 7;
        }
    }
}
