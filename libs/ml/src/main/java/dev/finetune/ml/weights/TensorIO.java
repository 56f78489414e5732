package dev.finetune.ml.weights;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads and writes a map of named float tensors in a small self-describing binary format
 * (magic, count, then name / shape / little-endian float32 data per tensor). Kept deliberately
 * trivial so a model package can be inspected or read from another language.
 */
public final class TensorIO {

    private static final int MAGIC = 0x46544E53; // "FTNS"
    private static final int VERSION = 1;

    private TensorIO() {}

    /** Serialises the tensors, in map order. */
    public static byte[] toBytes(Map<String, FloatTensor> tensors) {
        long total = 0;
        for (FloatTensor t : tensors.values()) {
            total += 4L * t.data().length + 64;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 8, total + 16));
        try {
            write(tensors, bytes);
        } catch (IOException e) {
            throw new IllegalStateException("in-memory write failed", e);
        }
        return bytes.toByteArray();
    }

    /** Writes the tensors to a stream, in map order. */
    public static void write(Map<String, FloatTensor> tensors, OutputStream stream) throws IOException {
        DataOutputStream out = new DataOutputStream(stream);
        out.writeInt(MAGIC);
        out.writeInt(VERSION);
        out.writeInt(tensors.size());
        ByteBuffer buffer = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (Map.Entry<String, FloatTensor> e : tensors.entrySet()) {
            byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
            out.writeInt(name.length);
            out.write(name);
            FloatTensor t = e.getValue();
            out.writeInt(t.shape().length);
            for (long d : t.shape()) {
                out.writeLong(d);
            }
            float[] data = t.data();
            for (int i = 0; i < data.length; ) {
                buffer.clear();
                int n = Math.min(buffer.capacity() / 4, data.length - i);
                buffer.asFloatBuffer().put(data, i, n);
                out.write(buffer.array(), 0, n * 4);
                i += n;
            }
        }
        out.flush();
    }

    /** Reads tensors written by {@link #write}. */
    public static Map<String, FloatTensor> read(InputStream stream) throws IOException {
        DataInputStream in = new DataInputStream(stream);
        if (in.readInt() != MAGIC) {
            throw new IOException("not a tensor file (bad magic)");
        }
        int version = in.readInt();
        if (version != VERSION) {
            throw new IOException("unsupported tensor file version " + version);
        }
        int count = in.readInt();
        Map<String, FloatTensor> tensors = new LinkedHashMap<>();
        for (int k = 0; k < count; k++) {
            byte[] name = new byte[in.readInt()];
            in.readFully(name);
            long[] shape = new long[in.readInt()];
            long size = 1;
            for (int i = 0; i < shape.length; i++) {
                shape[i] = in.readLong();
                size *= shape[i];
            }
            byte[] raw = new byte[Math.toIntExact(size * 4)];
            in.readFully(raw);
            float[] data = new float[(int) size];
            ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(data);
            tensors.put(new String(name, StandardCharsets.UTF_8), new FloatTensor(shape, data));
        }
        return tensors;
    }
}
